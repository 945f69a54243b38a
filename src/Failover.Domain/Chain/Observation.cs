using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>A block as an endpoint served it.</summary>
/// <param name="HeaderScheduleVersion">The header's <c>schedule_version</c>: the scheduling version on legacy chains, 2^31 on Savanna.</param>
/// <param name="SigningKey">The key its signature recovers to, when the observer recovered it (our producer's blocks).</param>
/// <param name="QcBlockNum">The block its quorum certificate certifies (Savanna, when it carries one and the observer reads them).</param>
/// <param name="OurFinalizerVoted">Whether one of our finalizer keys voted in that certificate (<see cref="FinalizerVote"/>); null: not known.</param>
public sealed record ObservedBlock(
    uint Number,
    string Id,
    string Previous,
    Name Producer,
    DateTimeOffset Timestamp,
    uint HeaderScheduleVersion,
    string? SigningKey = null,
    uint? QcBlockNum = null,
    bool? OurFinalizerVoted = null)
{
    public uint Slot => BlockTimestamp.ToSlot(Timestamp);

    public bool IsSavanna => HeaderScheduleVersion == BlockHeader.SavannaScheduleVersion;
}

/// <summary>
/// The schedules an endpoint reported (<c>get_producer_schedule</c>, read before the head it served), and older ones the
/// observer found in block headers (legacy <c>new_producer_schedule</c>) when reading history.
/// </summary>
public sealed record ScheduleReport(ProducerSchedule Active, ProducerSchedule? Pending = null, ProducerSchedule? Proposed = null)
{
    public IReadOnlyList<ProducerSchedule> Historical { get; init; } = [];

    public ProducerSchedule? WithVersion(uint version) =>
        new[] { Active, Pending, Proposed }.Concat(Historical).FirstOrDefault(s => s is not null && s.Version == version);
}

/// <summary>
/// What the observer read from an endpoint: a branch of blocks, each linked to the one before by <c>previous</c>, and
/// the schedules it reported. The branch starts right after a block the chain stream holds (or anywhere when the stream
/// is empty).
/// </summary>
public sealed record ChainObservation(string ChainId, IReadOnlyList<ObservedBlock> Branch, ScheduleReport Schedules, DateTimeOffset ObservedAt);

/// <summary>The events to append, and — when the observation could not be taken in whole — why it stopped.</summary>
/// <param name="NeedsBlocksFrom">The branch does not link to the recorded chain: fetch the endpoint's blocks from this number.</param>
public sealed record ChainDecision(IReadOnlyList<IChainEvent> Events, string? Problem = null, uint? NeedsBlocksFrom = null)
{
    public static ChainDecision Nothing { get; } = new([]);
}
