namespace Failover.EventStore;

/// <summary>Who caused an event and which observer recorded it; all optional.</summary>
public sealed record EventMetadata(Guid? CausationId = null, Guid? CorrelationId = null, string? ObserverId = null)
{
    public static EventMetadata None { get; } = new();
}

/// <summary>An event to append: its id (the idempotency key), stable type name and JSON payload bytes.</summary>
public sealed record EventData
{
    public EventData(Guid eventId, string type, ReadOnlyMemory<byte> payload, EventMetadata? metadata = null)
    {
        if (eventId == Guid.Empty)
        {
            throw new ArgumentException("An event id must not be the empty GUID.", nameof(eventId));
        }

        EventTypeName.Validate(type);
        EventId = eventId;
        Type = type;
        Payload = payload;
        Metadata = metadata ?? EventMetadata.None;
    }

    public Guid EventId { get; }

    /// <summary>The stable type name, e.g. <c>block-produced.v1</c>; never the CLR name.</summary>
    public string Type { get; }

    /// <summary>UTF-8 JSON, stored and hashed byte for byte.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public EventMetadata Metadata { get; }
}

/// <summary>An event as stored: its envelope, payload and link in the hash chain.</summary>
public sealed record RecordedEvent(
    long Position,
    string Stream,
    long Version,
    Guid EventId,
    string Type,
    DateTimeOffset RecordedAt,
    EventMetadata Metadata,
    ReadOnlyMemory<byte> Payload,
    ReadOnlyMemory<byte> Hash);

/// <summary>The outcome of an append: the stream's new last version and the global position of the last event.</summary>
public readonly record struct AppendResult(long NextExpectedVersion, long Position);

/// <summary>What a store knows about a stream.</summary>
public sealed record StreamMetadata(string Stream, DateTimeOffset CreatedAt, long LastVersion);

public enum Direction
{
    Forwards,
    Backwards,
}

/// <summary>Well-known stream versions for reads.</summary>
public static class StreamVersion
{
    public const long Start = 0;
    public const long End = long.MaxValue;
}

/// <summary>Well-known global positions. Positions are dense and start at 1; a checkpoint of 0 means "nothing yet".</summary>
public static class GlobalPosition
{
    public const long Start = 0;
}
