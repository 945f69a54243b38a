using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Failover.Domain.Decisions;

namespace Failover.Domain.Events;

/// <summary>A stable type name (the log's contract, never the CLR name) and how to read and write the record.</summary>
public sealed record EventType(string Name, Type ClrType, JsonTypeInfo TypeInfo);

/// <summary>
/// Every event of the domain with its stable type name (design §4). The one list the service, the projections and the
/// audit tool register from; payloads are System.Text.Json source-generated, snake_case.
/// </summary>
public static class EventCatalogue
{
    private static readonly DomainJsonContext Json = DomainJsonContext.Default;

    public static IReadOnlyList<EventType> All { get; } =
    [
        new("block-produced.v1", typeof(BlockProduced), Json.BlockProduced),
        new("block-missed.v1", typeof(BlockMissed), Json.BlockMissed),
        new("participation-sampled.v1", typeof(ParticipationSampled), Json.ParticipationSampled),
        new("producer-schedule-changed.v1", typeof(ProducerScheduleChanged), Json.ProducerScheduleChanged),
        new("fork-switched.v1", typeof(ForkSwitched), Json.ForkSwitched),
        new("endpoint-degraded.v1", typeof(EndpointDegraded), Json.EndpointDegraded),
        new("endpoint-recovered.v1", typeof(EndpointRecovered), Json.EndpointRecovered),
        new("failover-triggered.v1", typeof(FailoverTriggered), Json.FailoverTriggered),
        new("failover-suppressed.v1", typeof(FailoverSuppressed), Json.FailoverSuppressed),
        new("key-rotation-requested.v1", typeof(KeyRotationRequested), Json.KeyRotationRequested),
        new("key-rotation-submitted.v1", typeof(KeyRotationSubmitted), Json.KeyRotationSubmitted),
        new("key-rotation-failed.v1", typeof(KeyRotationFailed), Json.KeyRotationFailed),
        new("key-rotated.v1", typeof(KeyRotated), Json.KeyRotated),
        new("signing-key-activated.v1", typeof(SigningKeyActivated), Json.SigningKeyActivated),
        new("failover-completed.v1", typeof(FailoverCompleted), Json.FailoverCompleted),
        new("automation-paused.v1", typeof(AutomationPaused), Json.AutomationPaused),
        new("automation-resumed.v1", typeof(AutomationResumed), Json.AutomationResumed),
        new("automation-rearmed.v1", typeof(AutomationRearmed), Json.AutomationRearmed),
        new("automation-latched.v1", typeof(AutomationLatched), Json.AutomationLatched),
        new("manual-failover-requested.v1", typeof(ManualFailoverRequested), Json.ManualFailoverRequested),
        new("round-compacted.v1", typeof(RoundCompacted), Json.RoundCompacted),
        new("log-compacted.v1", typeof(LogCompacted), Json.LogCompacted),
    ];

    private static readonly Dictionary<string, EventType> ByName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);
    private static readonly Dictionary<Type, EventType> ByType = All.ToDictionary(t => t.ClrType);

    public static EventType Of(Type clrType) =>
        ByType.TryGetValue(clrType, out var type) ? type : throw new KeyNotFoundException($"{clrType} is not a domain event.");

    public static bool TryGetByName(string name, out EventType type) => ByName.TryGetValue(name, out type!);

    /// <summary>The payload bytes of an event, as stored.</summary>
    public static byte[] Serialize(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        return JsonSerializer.SerializeToUtf8Bytes(@event, Of(@event.GetType()).TypeInfo);
    }

    /// <summary>Reads a payload of a known type name; throws <see cref="JsonException"/> on a payload that is not that record.</summary>
    public static object Deserialize(string typeName, ReadOnlySpan<byte> payload)
    {
        if (!ByName.TryGetValue(typeName, out var type))
        {
            throw new KeyNotFoundException($"'{typeName}' is not a domain event type.");
        }

        return JsonSerializer.Deserialize(payload, type.TypeInfo) ?? throw new JsonException($"A '{typeName}' payload is null.");
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(BlockProduced))]
[JsonSerializable(typeof(BlockMissed))]
[JsonSerializable(typeof(ParticipationSampled))]
[JsonSerializable(typeof(ProducerScheduleChanged))]
[JsonSerializable(typeof(ForkSwitched))]
[JsonSerializable(typeof(EndpointDegraded))]
[JsonSerializable(typeof(EndpointRecovered))]
[JsonSerializable(typeof(FailoverTriggered))]
[JsonSerializable(typeof(FailoverSuppressed))]
[JsonSerializable(typeof(KeyRotationRequested))]
[JsonSerializable(typeof(KeyRotationSubmitted))]
[JsonSerializable(typeof(KeyRotationFailed))]
[JsonSerializable(typeof(KeyRotated))]
[JsonSerializable(typeof(SigningKeyActivated))]
[JsonSerializable(typeof(FailoverCompleted))]
[JsonSerializable(typeof(AutomationPaused))]
[JsonSerializable(typeof(AutomationResumed))]
[JsonSerializable(typeof(AutomationRearmed))]
[JsonSerializable(typeof(AutomationLatched))]
[JsonSerializable(typeof(ManualFailoverRequested))]
[JsonSerializable(typeof(RoundCompacted))]
[JsonSerializable(typeof(LogCompacted))]
[JsonSerializable(typeof(Evidence))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(FailoverPolicy))]
public sealed partial class DomainJsonContext : JsonSerializerContext;
