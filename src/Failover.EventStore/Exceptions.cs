namespace Failover.EventStore;

/// <summary>An append's expected version did not match the stream.</summary>
public sealed class WrongExpectedVersionException : Exception
{
    public WrongExpectedVersionException(string stream, ExpectedVersion expected, long? actualVersion)
        : base($"Append to stream '{stream}' expected {expected} but the stream "
               + (actualVersion is { } v ? $"is at version {v}." : "does not exist."))
    {
        Stream = stream;
        Expected = expected;
        ActualVersion = actualVersion;
    }

    public string Stream { get; }

    public ExpectedVersion Expected { get; }

    /// <summary>The stream's last version, or null if it does not exist.</summary>
    public long? ActualVersion { get; }
}

/// <summary>An event id is already stored with a different stream, type, metadata or payload (or in another batch).</summary>
public sealed class EventIdConflictException : Exception
{
    public EventIdConflictException(Guid eventId, string reason)
        : base($"Event id {eventId} is already stored, but {reason}; an event id identifies exactly one event.")
    {
        EventId = eventId;
    }

    public Guid EventId { get; }
}
