namespace Failover.EventStore;

/// <summary>The rules every adapter applies inside its write transaction; pure, so each is written once.</summary>
internal static class AppendRules
{
    public static void ValidateBatch(string stream, IReadOnlyList<EventData> events)
    {
        StreamName.Validate(stream);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        var ids = new HashSet<Guid>();
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            if (!ids.Add(e.EventId))
            {
                throw new ArgumentException($"Event id {e.EventId} appears twice in one append.", nameof(events));
            }

            if (e.Metadata.ObserverId is { } observer)
            {
                StreamName.Validate(observer);
            }
        }
    }

    /// <summary>
    /// Decides an append from the stream's version and the stored events carrying any of the batch's ids (in position
    /// order), in this order: a batch that is exactly an earlier append is a retry and gets the original result, whatever
    /// the expected version; otherwise a stale expected version throws <see cref="WrongExpectedVersionException"/> (the
    /// caller re-reads and will see what is stored); otherwise a stored id throws <see cref="EventIdConflictException"/>
    /// (an id reused). Returns null when the batch is to be written.
    /// </summary>
    public static AppendResult? Decide(
        string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, IReadOnlyList<StoredEvent> stored, long? currentVersion)
    {
        var (original, conflict) = MatchStored(stream, events, stored);
        if (original is not null)
        {
            return original;
        }

        CheckExpectedVersion(stream, expected, currentVersion);
        return conflict is null ? null : throw conflict;
    }

    /// <summary>
    /// The original result if the batch is exactly an earlier append; else the conflict its stored ids amount to
    /// (including a batch that is only part of an earlier append: its result would not be the original); neither if none
    /// of its ids is stored.
    /// </summary>
    private static (AppendResult? Original, EventIdConflictException? Conflict) MatchStored(
        string stream, IReadOnlyList<EventData> events, IReadOnlyList<StoredEvent> stored)
    {
        if (stored.Count == 0)
        {
            return (null, null);
        }

        Guid[] storedIds = [.. stored.Select(s => s.Event.EventId)];
        if (stored.Count != events.Count)
        {
            return (null, new EventIdConflictException(storedIds, "the batch mixes stored and new event ids"));
        }

        for (var i = 0; i < events.Count; i++)
        {
            var (wanted, found) = (events[i], stored[i].Event);
            var reason = found switch
            {
                _ when found.EventId != wanted.EventId => "the batch lists the stored events in a different order",
                _ when found.Stream != stream => $"in stream '{found.Stream}'",
                _ when found.Version != stored[0].Event.Version + i => "not as one contiguous batch",
                _ when found.Type != wanted.Type => $"with type '{found.Type}' instead of '{wanted.Type}'",
                _ when found.Metadata != wanted.Metadata => "with different metadata",
                _ when !found.Payload.Span.SequenceEqual(wanted.Payload.Span) => "with a different payload",
                _ => null,
            };
            if (reason is not null)
            {
                return (null, new EventIdConflictException(found.EventId == wanted.EventId ? wanted.EventId : found.EventId, reason));
            }
        }

        var (first, last) = (stored[0].Event.Position, stored[^1].Event.Position);
        // Events written before append bounds were kept (null) are compared by content alone.
        if (stored.FirstOrDefault(s => s.AppendFirst is { } f && (f != first || s.AppendLast != last)) is { AppendFirst: { } appendFirst } part)
        {
            return (null, new EventIdConflictException(storedIds,
                $"by another append (positions {appendFirst}–{part.AppendLast}), of which this batch is only a part"));
        }

        return (new AppendResult(stored[^1].Event.Version, last), null);
    }

    /// <summary>Numbers, stamps and chains the new events after the log's head.</summary>
    public static RecordedEvent[] Seal(
        string stream, IReadOnlyList<EventData> events, long? currentVersion, long headPosition, ReadOnlyMemory<byte> headHash,
        DateTimeOffset now)
    {
        var recordedAt = CanonicalEvent.FromUnixMicroseconds(CanonicalEvent.ToUnixMicroseconds(now));
        var sealedEvents = new RecordedEvent[events.Count];
        var previous = headHash;
        var version = currentVersion ?? -1;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var unhashed = new RecordedEvent(headPosition + 1 + i, stream, version + 1 + i, e.EventId, e.Type, recordedAt,
                e.Metadata, e.Payload, ReadOnlyMemory<byte>.Empty);
            var sealedEvent = unhashed with { Hash = CanonicalEvent.ComputeHash(previous.Span, unhashed) };
            sealedEvents[i] = sealedEvent;
            previous = sealedEvent.Hash;
        }

        return sealedEvents;
    }

    private static void CheckExpectedVersion(string stream, ExpectedVersion expected, long? currentVersion)
    {
        if (!expected.IsSatisfiedBy(currentVersion))
        {
            throw new WrongExpectedVersionException(stream, expected, currentVersion);
        }
    }
}
