namespace Failover.EventStore;

/// <summary>Deleting old events under a retention policy; implemented by both adapters (EventStoreBase).</summary>
/// <remarks>
/// A separate port from <see cref="IEventStore"/>, so wrappers of the store need nothing: the compactor holds the store
/// itself. Compaction is the only way the store deletes events; the hash chain over what remains verifies only with the
/// hashes of what was deleted, which the compactor records in an anchor event appended at the head first.
/// </remarks>
public interface ILogCompaction
{
    /// <summary>
    /// In one transaction: deletes the events at positions <paramref name="fromPosition"/>..<paramref name="toPosition"/>
    /// (inclusive) whose type is one of <paramref name="types"/> — exactly <paramref name="expectedCount"/> of them, else
    /// nothing is deleted and <see cref="CompactionMismatchException"/> says how many matched — and raises the store's
    /// compacted-through mark to <paramref name="toPosition"/> (never lowers it). Stream rows keep their last version.
    /// Compacting a range again (already deleted) with expectedCount 0 is a no-op that still raises the mark.
    /// </summary>
    /// <remarks>
    /// The head of the log is never compacted: <paramref name="toPosition"/> must be below the head position, so appends
    /// continue after the head as before (they chain from the last stored event) and no position can be compacted
    /// before it is visible to every reader. An event whose id was deleted is forgotten: re-appending it is not
    /// recognised as a retry (docs/eventstore.md, Compaction).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="fromPosition"/> is below 1, <paramref name="toPosition"/> below <paramref name="fromPosition"/> or
    /// not below the head position, or <paramref name="expectedCount"/> negative.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="types"/> is empty or holds a name that is not an event type name.</exception>
    /// <exception cref="CompactionMismatchException">Not exactly <paramref name="expectedCount"/> events matched; nothing changed.</exception>
    Task CompactAsync(long fromPosition, long toPosition, IReadOnlyCollection<string> types, long expectedCount, CancellationToken cancellationToken = default);

    /// <summary>The compacted-through mark: 0 when nothing was ever compacted. A position missing at or below it was deleted by compaction, not lost.</summary>
    Task<long> ReadCompactedThroughAsync(CancellationToken cancellationToken = default);
}
