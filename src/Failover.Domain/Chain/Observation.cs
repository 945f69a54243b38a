using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>A block as an endpoint served it.</summary>
/// <param name="HeaderScheduleVersion">The header's <c>schedule_version</c>: the scheduling version on legacy chains, 2^31 on Savanna.</param>
/// <param name="SigningKey">
/// The key its signature recovers to (protocol.md §5.6); null when the endpoint does not serve what a legacy block's
/// signature is made over (Leap serves the header state of reversible blocks only).
/// </param>
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
/// <param name="Signatures">
/// When given, every block's signature is checked against the keys its producer is scheduled with, and only our
/// producer's keys are recorded; null when replaying recorded blocks, whose keys were checked when they were observed.
/// </param>
public sealed record ChainObservation(string ChainId, IReadOnlyList<ObservedBlock> Branch, ScheduleReport Schedules, DateTimeOffset ObservedAt, SignatureCheck? Signatures = null);

/// <summary>
/// How the observer checks what an endpoint serves: a block whose signature does not recover to a key its producer is
/// scheduled with was not made by that producer (a lying or broken endpoint cannot fake other producers' blocks).
/// </summary>
/// <param name="OurProducer">Whose blocks' keys are recorded (they tell which data center signed).</param>
/// <param name="IrreversibleUpTo">
/// The LIB a majority of the endpoints reach: a legacy block at or below it may come without the header state its
/// signature is made over (Leap no longer serves it); above it, a block that cannot be checked is refused.
/// </param>
public sealed record SignatureCheck(Name OurProducer, uint IrreversibleUpTo);

/// <summary>The events to append, and — when the observation could not be taken in whole — why it stopped.</summary>
/// <param name="NeedsBlocksFrom">The branch does not link to the recorded chain: fetch the endpoint's blocks from this number.</param>
public sealed record ChainDecision(IReadOnlyList<IChainEvent> Events, string? Problem = null, uint? NeedsBlocksFrom = null)
{
    public static ChainDecision Nothing { get; } = new([]);
}
