using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Failover.EventStore;

/// <summary>
/// Maps stable type names (<c>block-produced.v1</c>) to CLR types and their System.Text.Json source-generated
/// metadata, so renaming a class never changes the log.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, Entry> _byType = [];

    private sealed record Entry(string Name, Type Type, JsonTypeInfo TypeInfo);

    /// <summary>Registers a type under a stable name; each name and each type may be registered once.</summary>
    public EventTypeRegistry Register<T>(string typeName, JsonTypeInfo<T> typeInfo)
        where T : notnull
    {
        EventTypeName.Validate(typeName);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (_byName.TryGetValue(typeName, out var byName))
        {
            throw new ArgumentException($"Event type name '{typeName}' is already registered for {byName.Type}.", nameof(typeName));
        }

        if (_byType.TryGetValue(typeof(T), out var byType))
        {
            throw new ArgumentException($"{typeof(T)} is already registered as '{byType.Name}'.", nameof(typeName));
        }

        var entry = new Entry(typeName, typeof(T), typeInfo);
        _byName.Add(typeName, entry);
        _byType.Add(typeof(T), entry);
        return this;
    }

    public string TypeNameOf(Type clrType) => EntryOf(clrType).Name;

    public Type ClrTypeOf(string typeName) =>
        _byName.TryGetValue(typeName, out var entry)
            ? entry.Type
            : throw new KeyNotFoundException($"Event type name '{typeName}' is not registered.");

    /// <summary>Serialises an event with its registered name and source-generated metadata.</summary>
    public EventData ToEventData(Guid eventId, object @event, EventMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var entry = EntryOf(@event.GetType());
        return new EventData(eventId, entry.Name, JsonSerializer.SerializeToUtf8Bytes(@event, entry.TypeInfo), metadata);
    }

    /// <summary>Deserialises a recorded event into its registered CLR type.</summary>
    public object Deserialize(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!_byName.TryGetValue(recorded.Type, out var entry))
        {
            throw new KeyNotFoundException($"Event at position {recorded.Position} has unregistered type '{recorded.Type}'.");
        }

        return JsonSerializer.Deserialize(recorded.Payload.Span, entry.TypeInfo)
               ?? throw new JsonException($"Event at position {recorded.Position} ('{recorded.Type}') has a null payload.");
    }

    private Entry EntryOf(Type clrType) =>
        _byType.TryGetValue(clrType, out var entry)
            ? entry
            : throw new KeyNotFoundException($"{clrType} is not registered as an event type.");
}
