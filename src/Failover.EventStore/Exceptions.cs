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
        : this([eventId], reason)
    {
    }

    public EventIdConflictException(IReadOnlyList<Guid> eventIds, string reason)
        : base((eventIds.Count == 1 ? $"Event id {eventIds[0]} is" : $"Event ids {string.Join(", ", eventIds)} are")
               + $" already stored, but {reason}; an event id identifies exactly one event.")
    {
        ArgumentOutOfRangeException.ThrowIfZero(eventIds.Count, nameof(eventIds));
        EventIds = eventIds;
    }

    /// <summary>The first of <see cref="EventIds"/>.</summary>
    public Guid EventId => EventIds[0];

    /// <summary>The stored ids the conflict is about.</summary>
    public IReadOnlyList<Guid> EventIds { get; }
}

/// <summary>
/// A position above the compacted-through mark (<see cref="ILogCompaction"/>) stayed missing from the log for longer
/// than <see cref="EventStoreOptions.GapTimeout"/> while later ones were visible: positions are dense and compaction
/// did not delete it, so the log was damaged (e.g. a row deleted by hand) and reading on would skip it.
/// </summary>
public sealed class MissingPositionException(long position, TimeSpan waited)
    : Exception($"The event log is missing position {position}: later positions are stored but it has not appeared "
                + $"within {waited}. Positions are dense, so the log is damaged; the subscription stops rather than skip it.")
{
    public long Position { get; } = position;
}

/// <summary>
/// A compaction matched a different number of events than the compactor counted (it read the log, then the log was not
/// what it read): nothing was deleted and the compacted-through mark did not move.
/// </summary>
public sealed class CompactionMismatchException : Exception
{
    public CompactionMismatchException(long fromPosition, long toPosition, IReadOnlyList<string> types, long expectedCount, long actualCount)
        : base($"Compacting positions {fromPosition}–{toPosition} expected {expectedCount} event(s) of type(s) {string.Join(", ", types)} "
               + $"but {actualCount} matched; nothing was deleted.")
    {
        (FromPosition, ToPosition, Types, ExpectedCount, ActualCount) = (fromPosition, toPosition, types, expectedCount, actualCount);
    }

    public long FromPosition { get; }

    public long ToPosition { get; }

    /// <summary>The event types the compaction was to delete.</summary>
    public IReadOnlyList<string> Types { get; }

    public long ExpectedCount { get; }

    /// <summary>How many events of those types the range held.</summary>
    public long ActualCount { get; }
}
