namespace Failover.Domain.Events;

// Observation events (design §4). Names and ids are kept as the chain writes them and keys in their PUB_K1_ form
// (strings), so the log reads the same to any auditor; ObservedAt is the observer's clock when it saw the fact —
// decisions judge time by it.

/// <summary>Appended to the chain stream: a block on the branch the observer follows.</summary>
/// <param name="ScheduleVersion">The version of the producer schedule that scheduled the block (under Savanna the header says 2^31; this is the tracked proposer-policy version).</param>
/// <param name="SigningKey">The key the block's signature recovers to, for our producer's blocks only (null for others, or when it could not be recovered).</param>
/// <param name="QcBlockNum">Savanna: the block the quorum certificate this block carries certifies (null: it carries none, or certificates were not read).</param>
/// <param name="OurFinalizerVoted">Whether one of our finalizer keys voted in that certificate (null: not known; <c>FinalizerVote</c>).</param>
public sealed record BlockProduced(
    string ChainId,
    uint BlockNum,
    string BlockId,
    string Previous,
    string Producer,
    DateTimeOffset Timestamp,
    uint Slot,
    uint ScheduleVersion,
    DateTimeOffset ObservedAt,
    string? SigningKey = null,
    uint? QcBlockNum = null,
    bool? OurFinalizerVoted = null) : IChainEvent;

/// <summary>Appended to the chain stream: a scheduled slot left empty, revealed by the next block's timestamp (protocol.md §2.3).</summary>
public sealed record BlockMissed(
    string ChainId,
    uint Slot,
    DateTimeOffset ScheduledTime,
    string ScheduledProducer,
    uint ScheduleVersion,
    uint RevealedByBlockNum,
    string RevealedByBlockId,
    DateTimeOffset ObservedAt) : IChainEvent;

/// <summary>A schedule entry: a producer and the block signing authority it produces under.</summary>
public sealed record ScheduleEntry(string Producer, uint Threshold, IReadOnlyList<ScheduleKey> Keys);

public sealed record ScheduleKey(string Key, ushort Weight);

/// <summary>
/// Appended to the chain stream: the schedule in force from <see cref="EffectiveFromSlot"/> on the followed branch
/// (the first observed schedule too, effective from the first observed block).
/// </summary>
public sealed record ProducerScheduleChanged(
    string ChainId,
    uint Version,
    IReadOnlyList<ScheduleEntry> Producers,
    uint EffectiveFromBlockNum,
    uint EffectiveFromSlot,
    DateTimeOffset ObservedAt) : IChainEvent;

/// <summary>A block dropped by a fork switch, and the schedule version that had scheduled it.</summary>
public sealed record OrphanedBlock(uint BlockNum, string BlockId, string Producer, uint Slot, uint ScheduleVersion);

/// <summary>An empty slot that an orphaned block had revealed, and the schedule version it was charged under.</summary>
public sealed record OrphanedMiss(uint Slot, string ScheduledProducer, uint ScheduleVersion);

/// <summary>
/// Appended to the chain stream: the followed branch changed below its head. Blocks after <see cref="ForkBlockNum"/>
/// (the last block both branches share) are orphaned with the misses they revealed; projections un-count them, and the
/// new branch's blocks and misses follow as ordinary events.
/// </summary>
public sealed record ForkSwitched(
    string ChainId,
    uint ForkBlockNum,
    string ForkBlockId,
    uint OldHeadNum,
    string OldHeadId,
    uint NewHeadNum,
    string NewHeadId,
    IReadOnlyList<OrphanedBlock> OrphanedBlocks,
    IReadOnlyList<OrphanedMiss> OrphanedMisses,
    DateTimeOffset ObservedAt) : IChainEvent;

/// <summary>Participation of the other producers over a range of slots (design §2.1: never counting ourselves).</summary>
/// <param name="OthersScheduled">Other producers with at least one scheduled slot in the range.</param>
/// <param name="OthersProducing">Of those, how many produced at least one block in it.</param>
public sealed record ParticipationFigures(
    uint FirstSlot,
    uint LastSlot,
    int OthersScheduled,
    int OthersProducing,
    IReadOnlyList<string> OthersMissing,
    int Slots,
    int BlocksProduced)
{
    /// <summary>OthersProducing / OthersScheduled; 0 when nobody else was scheduled.</summary>
    public double Rate => OthersScheduled == 0 ? 0 : (double)OthersProducing / OthersScheduled;
}

/// <summary>What one configured endpoint showed at the sample.</summary>
/// <param name="Healthy">
/// The observer trusted it at this poll (no <c>endpoint-degraded.v1</c> reason). Samples recorded before issue 15
/// (finding 5) also said a <em>stale</em> endpoint healthy.
/// </param>
/// <param name="Agrees">Its block at the height it shares with the recorded chain is the recorded block.</param>
public sealed record EndpointView(string Endpoint, bool Healthy, uint? HeadBlockNum, bool Agrees);

/// <summary>What a data center's own node (if configured) showed at the sample.</summary>
public sealed record DataCenterNodeView(string DataCenter, uint? HeadBlockNum, DateTimeOffset? HeadBlockTime, string? Error);

/// <summary>
/// Appended to the observer's stream: the chain's health as this observer sees it now — head and LIB from its
/// endpoints, participation of the others over the last full round and over the sliding window of one round ending at
/// the head, and whether its endpoints agree with the recorded chain.
/// </summary>
/// <param name="LastIrreversibleBlockNum">The LIB the followed endpoint reported, as it reported it.</param>
/// <param name="LibOnRecordedChain">
/// Whether that LIB (number and id) was a block of the recorded chain when sampled — so not above the recorded head;
/// only such a LIB counts toward <c>ObserverState.LibAdvancedAt</c>. Null in samples recorded before issue 15
/// (finding 11).
/// </param>
public sealed record ParticipationSampled(
    string ChainId,
    string ObserverId,
    DateTimeOffset ObservedAt,
    uint HeadBlockNum,
    string HeadBlockId,
    DateTimeOffset HeadBlockTime,
    uint LastIrreversibleBlockNum,
    string LastIrreversibleBlockId,
    uint ScheduleVersion,
    int ScheduledProducers,
    ParticipationFigures? LastFullRound,
    ParticipationFigures? SlidingWindow,
    IReadOnlyList<EndpointView> Endpoints,
    IReadOnlyList<DataCenterNodeView> DataCenterNodes,
    int OurConsecutiveMissed,
    bool? LibOnRecordedChain = null) : IObserverEvent
{
    /// <summary>Head − LIB in blocks.</summary>
    public uint LibLag => HeadBlockNum >= LastIrreversibleBlockNum ? HeadBlockNum - LastIrreversibleBlockNum : 0;

    public int EndpointsAgreeing => Endpoints.Count(e => e.Healthy && e.Agrees);
}

/// <summary>Appended to the observer's stream: an endpoint is no longer trusted, and why.</summary>
/// <param name="Reason">unreachable, timeout, http-error, malformed, wrong-chain, stale, disagrees, inconsistent.</param>
public sealed record EndpointDegraded(string ObserverId, string Endpoint, string Reason, string Detail, DateTimeOffset ObservedAt) : IObserverEvent;

/// <summary>Appended to the observer's stream: a degraded endpoint answers correctly again.</summary>
public sealed record EndpointRecovered(string ObserverId, string Endpoint, DateTimeOffset ObservedAt) : IObserverEvent;

/// <summary>An event of one observer's own stream (<c>observer-&lt;ObserverId&gt;</c>): its view of the chain and of its endpoints.</summary>
public interface IObserverEvent
{
    string ObserverId { get; }

    DateTimeOffset ObservedAt { get; }
}

/// <summary>An event of the chain stream: what the observed branch holds.</summary>
public interface IChainEvent
{
    string ChainId { get; }

    DateTimeOffset ObservedAt { get; }
}
