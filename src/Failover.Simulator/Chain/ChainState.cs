using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Simulator.Consensus;
using Failover.Simulator.Contract;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator.Chain;

/// <summary>
/// A schedule on its way to activation. <see cref="BlockNum"/>/<see cref="Slot"/> are those of the proposing block,
/// except for a legacy pending schedule, where <see cref="BlockNum"/> is the block that made it pending (schedule_lib_num).
/// </summary>
public sealed record ScheduleChange(ProducerSchedule Schedule, uint BlockNum, uint Slot);

/// <summary>A finalizer and the BLS key it votes with.</summary>
public sealed record Finalizer(Name Producer, string Key);

/// <summary>A Savanna finalizer policy: threshold ⌊2n/3⌋+1 of weight-1 finalizers.</summary>
public sealed record FinalizerPolicy(uint Generation, IReadOnlyList<Finalizer> Finalizers)
{
    public int Threshold => (Finalizers.Count * 2 / 3) + 1;
}

/// <summary>A finalizer's latest vote (Spring's <c>last_tracked_votes</c>): the block it voted for, under which policy.</summary>
public sealed record FinalizerVote(Name Producer, string Key, uint BlockNum, Checksum256 BlockId, uint Slot, uint PolicyGeneration);

/// <summary>A transaction accepted into a branch, waiting for that branch's next block.</summary>
public sealed record AcceptedTransaction(IncludedTransaction Included, Antelope.Transactions.Transaction Transaction, uint BlockNum, DateTimeOffset BlockTime);

/// <summary>
/// One branch of the chain as a node sees it: blocks, irreversibility, schedules, contract tables and recent
/// transactions. Immutable, so a network partition simply gives each side its own copy.
/// </summary>
public sealed record ChainState(
    Checksum256 ChainId,
    ConsensusMode Mode,
    ImmutableList<SimBlock> Blocks,
    uint LastIrreversible,
    ProducerSchedule ActiveSchedule,
    ScheduleChange? Pending,
    ScheduleChange? Proposed,
    DposState Dpos,
    FinalizerPolicy Finalizers,
    ScheduleChangeOfFinalizers? ProposedFinalizers,
    ContractState Contract,
    ImmutableDictionary<Checksum256, DateTimeOffset> RecentTransactions,
    ImmutableList<AcceptedTransaction> PendingTransactions,
    ImmutableDictionary<string, FinalizerVote> LastVotes)
{
    public SimBlock Head => Blocks[^1];

    public SimBlock LastIrreversibleBlock => Blocks[(int)LastIrreversible - 1];

    public SimBlock? BlockByNumber(uint number) => number >= 1 && number <= Blocks.Count ? Blocks[(int)number - 1] : null;

    public SimBlock? BlockById(Checksum256 id) => BlockByNumber(BlockId.BlockNum(id)) is { } block && block.Id == id ? block : null;

    /// <summary>The latest schedule in the pipeline (proposed, else pending, else active).</summary>
    public ProducerSchedule LatestSchedule => Proposed?.Schedule ?? Pending?.Schedule ?? ActiveSchedule;
}

/// <summary>A proposed finalizer policy and the block that proposed it.</summary>
public sealed record ScheduleChangeOfFinalizers(FinalizerPolicy Policy, uint BlockNum);
