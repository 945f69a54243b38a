using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Simulator.Consensus;
using Failover.Simulator.Contract;

namespace Failover.Simulator.Chain;

/// <summary>
/// A schedule on its way to activation. <see cref="BlockNum"/>/<see cref="Slot"/> are those of the proposing block,
/// except for a legacy pending schedule, where <see cref="BlockNum"/> is the block that made it pending (schedule_lib_num).
/// </summary>
public sealed record ScheduleChange(ProducerSchedule Schedule, uint BlockNum, uint Slot);

/// <summary>A finalizer and the BLS key it votes with; <see cref="Producer"/> is the policy entry's description.</summary>
public sealed record Finalizer(Name Producer, string Key);

/// <summary>A Savanna finalizer policy: threshold ⌊2n/3⌋+1 of weight-1 finalizers.</summary>
public sealed record FinalizerPolicy(uint Generation, IReadOnlyList<Finalizer> Finalizers)
{
    public int Threshold => (Finalizers.Count * 2 / 3) + 1;

    public bool Contains(string key) => Finalizers.Any(f => f.Key == key);

    /// <summary>Whether the finalizers whose keys are in <paramref name="votes"/> reach the threshold.</summary>
    public bool IsQuorum(IReadOnlySet<string> votes) => Finalizers.Count(f => votes.Contains(f.Key)) >= Threshold;
}

/// <summary>
/// A finalizer policy on its way to activation (Spring <c>block_header_state</c>): a proposed one with the block that
/// proposed it, or the pending one with the block that made it pending.
/// </summary>
public sealed record FinalizerPolicyChange(FinalizerPolicy Policy, uint BlockNum);

/// <summary>A finalizer's latest vote (Spring's <c>last_tracked_votes</c>): the block it voted for, under which policy.</summary>
public sealed record FinalizerVote(Name Producer, string Key, uint BlockNum, Checksum256 BlockId, uint Slot, uint PolicyGeneration);

/// <summary>A transaction accepted by an API node, waiting for that branch's next block.</summary>
public sealed record AcceptedTransaction(IncludedTransaction Included, Antelope.Transactions.Transaction Transaction, uint BlockNum, DateTimeOffset BlockTime);

/// <summary>
/// One branch of the chain as a node sees it: blocks, irreversibility, schedules, finalizer policies, contract
/// tables and recent transactions. Immutable, so a network partition simply gives each side its own copy.
/// <see cref="Contract"/> is the state after the head block (what <c>get_table_rows</c> serves);
/// <see cref="PendingTransactions"/> take effect when the next block includes them.
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
    FinalizerPolicyChange? PendingFinalizers,
    ImmutableList<FinalizerPolicyChange> ProposedFinalizers,
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

    /// <summary>Spring's <c>get_last_proposed_finalizer_policy</c>: the last proposed, else the pending, else the active policy.</summary>
    public FinalizerPolicy LatestFinalizerPolicy => ProposedFinalizers.Count > 0 ? ProposedFinalizers[^1].Policy : PendingFinalizers?.Policy ?? Finalizers;

    /// <summary>Whether <paramref name="key"/> is in the head's active or pending finalizer policy (who votes on the head).</summary>
    public bool IsVotingFinalizer(string key) => Finalizers.Contains(key) || PendingFinalizers?.Policy.Contains(key) == true;
}
