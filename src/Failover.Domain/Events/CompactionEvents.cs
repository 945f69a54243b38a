namespace Failover.Domain.Events;

// Compaction events (issue 18.6): appended to the log-compaction stream when old observations are deleted under a
// retention policy. They carry what the read models and the audit keep needing of what was deleted: per round, the
// counts the chain-health read model shows; per compacted range, the links that let `audit verify` go on proving the
// hash chain across the deleted positions.

/// <summary>A producer's slots in a compacted round, and its last block and last missed slot in it.</summary>
public sealed record CompactedProducerSlots(
    string Producer,
    int Produced,
    int Missed,
    uint? LastProducedBlockNum,
    DateTimeOffset? LastProducedAt,
    uint? LastMissedSlot,
    DateTimeOffset? LastMissedAt);

/// <summary>Slots of a compacted round observed under one schedule version.</summary>
public sealed record CompactedVersionSlots(uint Version, int Slots);

/// <summary>
/// A round whose chain observations (blocks, misses) and participation samples were deleted by
/// compaction, summarised as the chain-health read model counted it before: the read model applies it to a round it
/// holds no observed slot of (a rebuild after compaction), and ignores it for a round it counted from the events.
/// </summary>
public sealed record RoundCompacted(
    string ChainId,
    string CompactionId,
    uint RoundStart,
    uint RoundEnd,
    int ScheduledProducers,
    IReadOnlyList<CompactedVersionSlots> Schedules,
    IReadOnlyList<CompactedProducerSlots> Producers,
    uint? LibLag,
    uint? LastIrreversibleBlockNum) : ICompactionEvent;

/// <summary>A kept event right after deleted positions, and the stored hash of the event before it that was deleted.</summary>
public sealed record CompactedLink(long Position, string PreviousHash);

/// <summary>How many events of a stream a compaction deleted, and the versions they spanned.</summary>
public sealed record CompactedStreamRange(string Stream, long Removed, long FirstVersion, long LastVersion);

/// <summary>
/// Appended to the log-compaction stream before the events it names are deleted: the anchor that keeps the deleted
/// positions provable. Every event of a type in <see cref="Types"/> between <see cref="FromPosition"/> and
/// <see cref="ToPosition"/> is deleted — <see cref="Removed"/> of them; <see cref="Links"/> gives, for each kept event
/// that follows a deleted one (and the first event after the range), the stored hash of the deleted event before it,
/// so the chain verifies from there; <see cref="RemovedHashesDigest"/> is SHA-256 over the deleted events' stored
/// hashes in position order, for whoever holds an earlier copy of the log.
/// </summary>
public sealed record LogCompacted(
    string CompactionId,
    long FromPosition,
    long ToPosition,
    IReadOnlyList<string> Types,
    long Removed,
    IReadOnlyList<CompactedStreamRange> Streams,
    IReadOnlyList<CompactedLink> Links,
    string RemovedHashesDigest,
    uint FirstRoundStart,
    uint LastRoundEnd,
    int Rounds,
    DateTimeOffset Before,
    DateTimeOffset CompactedAt) : ICompactionEvent;

/// <summary>An event of the log-compaction stream.</summary>
public interface ICompactionEvent
{
    string CompactionId { get; }
}
