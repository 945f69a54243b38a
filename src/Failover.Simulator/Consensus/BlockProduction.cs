using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Simulator.Chain;
using Failover.Simulator.Contract;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator.Consensus;

/// <summary>
/// Appends blocks to a <see cref="ChainState"/>: schedule transitions, the system contract's <c>onblock</c>,
/// pending transactions, the header and its signature, and irreversibility, per consensus mode.
/// </summary>
public static class BlockProduction
{
    /// <summary>The schedule that decides who produces a block at <paramref name="slot"/> on top of <paramref name="state"/>.</summary>
    public static ProducerSchedule ScheduleFor(ChainState state, uint slot) => BeginBlock(state, slot).Schedule;

    /// <summary>
    /// Produces the block at <paramref name="slot"/> signed with <paramref name="signingKey"/>. Under Savanna,
    /// <paramref name="votes"/> are the finalizer keys that voted on the head: with at least the threshold of the
    /// active policy, the block claims a QC on the head.
    /// </summary>
    public static ChainState Produce(ChainState state, uint slot, PrivateKey signingKey, IReadOnlySet<string> votes)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(votes);
        if (slot <= state.Head.Slot)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"A block at slot {slot} cannot follow the head at slot {state.Head.Slot}.");
        }

        var (begun, schedule) = BeginBlock(state, slot);
        var producer = schedule.ProducerForSlot(slot).Producer;
        var blockNum = state.Head.Number + 1;
        var time = BlockTimestamp.FromSlot(slot);
        var legacyConfirmed = state.Mode == ConsensusMode.Legacy ? state.Dpos.ConfirmationsFor(producer, state.Head.Number) : (ushort)0;

        // Legacy irreversibility is computed first: pending → active and proposed → pending depend on it.
        var afterLib = state.Mode == ConsensusMode.Legacy ? AdvanceDpos(begun, producer, blockNum, legacyConfirmed) : begun;
        var (promoted, newPending) = state.Mode == ConsensusMode.Legacy ? PromoteLegacyProposal(afterLib, blockNum) : (afterLib, null);
        var (elected, proposal) = OnBlock(promoted, producer, blockNum, slot);
        var included = elected.PendingTransactions.Select(t => t.Included).ToList();

        var counted = state.Finalizers.Finalizers.Where(f => votes.Contains(f.Key)).ToList();
        var finalizersVoted = counted.Count >= state.Finalizers.Threshold;
        var finality = state.Mode == ConsensusMode.Savanna
            ? new FinalityExtension(finalizersVoted ? state.Head.Number : state.Head.Finality?.QcClaimBlockNum ?? state.Head.Number, true, proposal)
            : null;
        var header = new BlockHeader(
            slot,
            producer,
            legacyConfirmed,
            state.Head.Id,
            TransactionMroot(included),
            ActionMroot(state.Head.Id, slot),
            state.Mode == ConsensusMode.Savanna ? BlockHeader.SavannaScheduleVersion : schedule.Version,
            null,
            finality is not null ? [SimulatedHeaderExtensions.Finality(finality)]
                : newPending is not null ? [SimulatedHeaderExtensions.ScheduleChange(newPending)] : []);
        var id = header.ComputeId();
        var legacyState = state.Mode == ConsensusMode.Legacy
            ? new LegacyHeaderState(elected.Dpos, elected.ActiveSchedule, elected.Pending, schedule.ProducerForSlot(slot), PendingScheduleHash(state, newPending))
            : null;
        // The simulator's block-root merkle root is the parent id (not the incremental merkle of all earlier ids).
        var digest = legacyState is null ? id : header.LegacySigDigest(state.Head.Id, legacyState.ScheduleHash);
        var signature = new Lazy<Signature>(() => signingKey.SignDigest(digest.AsSpan()));
        var block = new SimBlock(header, id, signature, newPending, finality, included, legacyState);

        var appended = elected with
        {
            Blocks = elected.Blocks.Add(block),
            PendingTransactions = [],
            RecentTransactions = elected.RecentTransactions.RemoveRange(elected.RecentTransactions.Where(t => t.Value < time).Select(t => t.Key)),
            LastVotes = state.Mode == ConsensusMode.Savanna
                ? elected.LastVotes.SetItems(counted.Select(f => KeyValuePair.Create(f.Key, new FinalizerVote(f.Producer, f.Key, state.Head.Number, state.Head.Id, state.Head.Slot, state.Finalizers.Generation))))
                : elected.LastVotes,
        };
        return state.Mode == ConsensusMode.Savanna ? AdvanceSavannaFinality(appended) : appended;
    }

    /// <summary>
    /// Savanna: at the first block of a window (Spring: "round"), a pending policy whose proposal is final becomes
    /// active, then a proposal of an earlier window becomes pending — so a proposal in window W is active from the
    /// first block of window W+2.
    /// Legacy: the block is scheduled by the head's active schedule.
    /// </summary>
    private static (ChainState State, ProducerSchedule Schedule) BeginBlock(ChainState state, uint slot)
    {
        if (state.Mode == ConsensusMode.Legacy || Slots.WindowStart(slot) == Slots.WindowStart(state.Head.Slot))
        {
            return (state, state.ActiveSchedule);
        }

        var next = state;
        if (next.Pending is { } pending && pending.Slot <= next.LastIrreversibleBlock.Slot)
        {
            next = next with { ActiveSchedule = pending.Schedule, Pending = null };
        }

        if (next.Proposed is { } proposed && Slots.WindowStart(proposed.Slot) < Slots.WindowStart(slot) && next.Pending is null)
        {
            next = next with { Pending = proposed, Proposed = null };
        }

        return (next, next.ActiveSchedule);
    }

    private static ChainState AdvanceDpos(ChainState state, Name producer, uint blockNum, ushort confirmed)
    {
        var promotedSchedule = (ProducerSchedule?)null;
        var dpos = state.Dpos.Next(producer, blockNum, confirmed, state.ActiveSchedule.Producers.Count, irreversible =>
        {
            if (state.Pending is { } pending && irreversible >= pending.BlockNum)
            {
                promotedSchedule = pending.Schedule;
                return [.. pending.Schedule.Producers.Select(p => p.Producer)];
            }

            return null;
        });
        var next = state with { Dpos = dpos, LastIrreversible = Math.Max(state.LastIrreversible, dpos.Irreversible) };
        return promotedSchedule is null ? next : next with { ActiveSchedule = promotedSchedule, Pending = null };
    }

    /// <summary>start_block: a proposal whose block is irreversible becomes pending when none is pending (or one was just activated).</summary>
    private static (ChainState State, ProducerSchedule? NewPending) PromoteLegacyProposal(ChainState state, uint blockNum)
    {
        if (state.Proposed is { } proposed && proposed.BlockNum <= state.Dpos.Irreversible && state.Pending is null)
        {
            return (state with { Pending = proposed with { BlockNum = blockNum }, Proposed = null }, proposed.Schedule);
        }

        return (state, null);
    }

    /// <summary>
    /// <c>onblock</c>: count the block, and when more than 120 slots passed since the last update, elect and
    /// propose (set_proposed_producers ignores an unchanged set and waits for an outstanding earlier proposal).
    /// </summary>
    private static (ChainState State, ProposerPolicyDiff? Proposal) OnBlock(ChainState state, Name producer, uint blockNum, uint slot)
    {
        var contract = SystemContract.CountBlock(state.Contract, producer);
        if (slot - contract.LastScheduleUpdateSlot <= SystemContract.ElectionIntervalSlots)
        {
            return (state with { Contract = contract }, null);
        }

        contract = contract with { LastScheduleUpdateSlot = slot };
        var next = state with { Contract = contract };
        if (SystemContract.Elect(contract, state.Mode) is not { } elected)
        {
            return (next, null);
        }

        var candidate = ProducerSchedule.Create(state.LatestSchedule.Version + 1, elected);
        if (candidate.SameProducersAs(state.LatestSchedule) || state.Proposed is { } outstanding && outstanding.BlockNum != blockNum)
        {
            return (next, null);
        }

        next = next with
        {
            Proposed = new ScheduleChange(candidate, blockNum, slot),
            Contract = contract with { LastScheduleSize = elected.Count },
        };
        if (state.Mode == ConsensusMode.Legacy)
        {
            return (next, null);
        }

        next = ProposeFinalizers(next, blockNum);
        var removed = Enumerable.Range(0, state.LatestSchedule.Producers.Count).Select(i => (ushort)i).ToList();
        return (next, new ProposerPolicyDiff(candidate.Version, slot, removed, candidate));
    }

    /// <summary>Savanna: the finalizer policy follows the elected producers' active finalizer keys.</summary>
    internal static ChainState ProposeFinalizers(ChainState state, uint blockNum)
    {
        var finalizers = state.Contract.FinalizersOf(state.LatestSchedule.Producers.Select(p => p.Producer));
        var latest = state.ProposedFinalizers?.Policy ?? state.Finalizers;
        if (finalizers.SequenceEqual(latest.Finalizers))
        {
            return state;
        }

        return state with { ProposedFinalizers = new ScheduleChangeOfFinalizers(new FinalizerPolicy(latest.Generation + 1, finalizers), blockNum) };
    }

    /// <summary>LIB = the QC claim of the block this block claims (two-chain rule); a final proposal activates the finalizer policy.</summary>
    private static ChainState AdvanceSavannaFinality(ChainState state)
    {
        var claimed = state.BlockByNumber(state.Head.Finality!.QcClaimBlockNum)!;
        var lib = Math.Max(state.LastIrreversible, claimed.Finality?.QcClaimBlockNum ?? claimed.Number);
        var next = state with { LastIrreversible = lib };
        return next.ProposedFinalizers is { } proposed && proposed.BlockNum <= lib
            ? next with { Finalizers = proposed.Policy, ProposedFinalizers = null }
            : next;
    }

    /// <summary>Simplified: sha256 over the included transaction ids (not the receipt merkle tree).</summary>
    private static Checksum256 TransactionMroot(List<IncludedTransaction> transactions) =>
        transactions.Count == 0 ? Checksum256.Zero : Checksum256.Hash(transactions.SelectMany(t => t.Id.ToArray()).ToArray());

    /// <summary>Simplified: a digest of the parent id and slot (the simulator keeps no action receipts or finality tree).</summary>
    private static Checksum256 ActionMroot(Checksum256 previous, uint slot) =>
        Checksum256.Hash([.. previous.AsSpan(), .. BitConverter.GetBytes(slot)]);

    /// <summary>
    /// The block state's pending_schedule.schedule_hash: the hash of a schedule this block made pending, else the
    /// previous block's (nodeos keeps it after the pending schedule is promoted).
    /// </summary>
    private static Checksum256 PendingScheduleHash(ChainState previous, ProducerSchedule? newPending) =>
        newPending is not null ? Checksum256.Hash(SimulatedHeaderExtensions.PackSchedule(newPending))
            : previous.Head.LegacyState?.ScheduleHash ?? Checksum256.Hash(SimulatedHeaderExtensions.PackSchedule(previous.ActiveSchedule));
}
