using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;
using Failover.Simulator.Chain;
using Failover.Simulator.Contract;

namespace Failover.Simulator.Consensus;

/// <summary>
/// Appends blocks to a <see cref="ChainState"/>: schedule transitions, the system contract's <c>onblock</c>, the
/// block's transactions, the header and its signature, irreversibility and finalizer policies, per consensus mode.
/// </summary>
public static class BlockProduction
{
    /// <summary>The schedule that decides who produces a block at <paramref name="slot"/> on top of <paramref name="state"/>.</summary>
    public static ProducerSchedule ScheduleFor(ChainState state, uint slot) => BeginBlock(state, slot).Schedule;

    /// <summary>
    /// Produces the block at <paramref name="slot"/> signed with <paramref name="signingKey"/>. Under Savanna,
    /// <paramref name="votes"/> are the finalizer keys that voted on the head: when they reach the threshold of the
    /// head's active policy and, while one is pending, of its pending policy too, the block claims a QC on the head.
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

        var savanna = state.Mode == ConsensusMode.Savanna;
        var (begun, schedule) = BeginBlock(state, slot);
        var producer = schedule.ProducerForSlot(slot).Producer;
        var blockNum = state.Head.Number + 1;
        var time = BlockTimestamp.FromSlot(slot);
        var legacyConfirmed = savanna ? (ushort)0 : state.Dpos.ConfirmationsFor(producer, state.Head.Number);

        // Legacy irreversibility is computed first: pending → active and proposed → pending depend on it.
        var afterLib = savanna ? begun : AdvanceDpos(begun, producer, blockNum, legacyConfirmed);
        var (promoted, newPending) = savanna ? (afterLib, null) : PromoteLegacyProposal(afterLib, blockNum);

        // controller.cpp get_on_block_transaction: onblock runs first, with the parent's header, then the block's transactions.
        var (elected, proposal, producersElected) = OnBlock(promoted, state.Head, blockNum, slot);
        var (executed, included, finalizerKeysActivated) = ExecutePendingTransactions(elected, time);

        var qcOnHead = savanna && state.Finalizers.IsQuorum(votes) && (state.PendingFinalizers?.Policy.IsQuorum(votes) ?? true);
        var finality = savanna
            ? new FinalityExtension(qcOnHead ? state.Head.Number : state.Head.Finality?.QcClaimBlockNum ?? state.Head.Number, true, proposal)
            : null;
        var header = new BlockHeader(
            slot,
            producer,
            legacyConfirmed,
            state.Head.Id,
            TransactionMroot(included),
            ActionMroot(state.Head.Id, slot),
            savanna ? BlockHeader.SavannaScheduleVersion : schedule.Version,
            null,
            finality is not null ? [SimulatedHeaderExtensions.Finality(finality)]
                : newPending is not null ? [SimulatedHeaderExtensions.ScheduleChange(newPending)] : []);
        var id = header.ComputeId();
        var legacyState = savanna
            ? null
            : new LegacyHeaderState(executed.Dpos, executed.ActiveSchedule, executed.Pending, schedule.ProducerForSlot(slot), PendingScheduleHash(state, newPending));
        // The simulator's block-root merkle root is the parent id (not the incremental merkle of all earlier ids).
        var digest = legacyState is null ? id : header.LegacySigDigest(state.Head.Id, legacyState.ScheduleHash);
        var signature = new Lazy<Signature>(() => signingKey.SignDigest(digest.AsSpan()));
        var certificate = qcOnHead
            ? new SimQuorumCertificate(state.Head.Number, Bits(state.Finalizers, votes), state.PendingFinalizers is { } pendingPolicy ? Bits(pendingPolicy.Policy, votes) : null)
            : null;
        var block = new SimBlock(header, id, signature, newPending, finality, included, legacyState, certificate);

        var appended = executed with
        {
            Blocks = executed.Blocks.Add(block),
            PendingTransactions = [],
            RecentTransactions = executed.RecentTransactions.RemoveRange(executed.RecentTransactions.Where(t => t.Value < time).Select(t => t.Key)),
            LastVotes = savanna ? TrackVotes(state, votes) : executed.LastVotes,
        };
        if (!savanna)
        {
            return appended;
        }

        var final = EvaluateFinalizerPolicies(AdvanceSavannaFinality(appended), blockNum);
        return producersElected || finalizerKeysActivated ? ProposeFinalizers(final, blockNum) : final;
    }

    /// <summary>Bit i: finalizer i of <paramref name="policy"/> voted.</summary>
    private static bool[] Bits(FinalizerPolicy policy, IReadOnlySet<string> votes) => [.. policy.Finalizers.Select(f => votes.Contains(f.Key))];

    /// <summary>
    /// Savanna (Spring <c>block_header_state.cpp</c>, <c>get_active_proposer_policy_for_block_at</c> and
    /// <c>evaluate_proposer_policies_for_promotion</c>): at the first block of a window (Spring: "round"), a proposal
    /// made before the previous window began whose block is final becomes active directly (and a pending one is
    /// dropped); otherwise a pending policy whose proposal is final becomes active; then a proposal still waiting
    /// becomes pending. Normally a proposal in window W is active from the first block of window W+2.
    /// Legacy: the block is scheduled by the head's active schedule.
    /// </summary>
    private static (ChainState State, ProducerSchedule Schedule) BeginBlock(ChainState state, uint slot)
    {
        var parentSlot = state.Head.Slot;
        if (state.Mode == ConsensusMode.Legacy || Slots.WindowStart(slot) == Slots.WindowStart(parentSlot) || (state.Proposed is null && state.Pending is null))
        {
            return (state, state.ActiveSchedule);
        }

        var finalSlot = state.LastIrreversibleBlock.Slot;
        uint? previousWindowStart = parentSlot >= Slots.PerWindow ? Slots.WindowStart(parentSlot) - Slots.PerWindow : null;
        var next = state;
        if (next.Proposed is { } proposed && proposed.Slot < previousWindowStart && proposed.Slot <= finalSlot)
        {
            next = next with { ActiveSchedule = proposed.Schedule, Proposed = null, Pending = null };
        }
        else if (next.Pending is { } pending && pending.Slot <= finalSlot)
        {
            next = next with { ActiveSchedule = pending.Schedule, Pending = null };
        }

        if (next.Proposed is { } waiting && next.Pending is null)
        {
            next = next with { Pending = waiting, Proposed = null };
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
    /// <c>onblock</c> (SYS producer_pay.cpp) receives the parent's header: it counts the parent's block for the
    /// parent's producer and, when more than 120 slots passed between the last update and the parent's timestamp,
    /// elects and proposes. <c>set_proposed_producers</c> ignores an unchanged set; legacy also ignores a proposal
    /// while an earlier one is outstanding (controller.cpp <c>set_proposed_producers_legacy</c>), Savanna replaces it
    /// (transaction_context.cpp <c>set_proposed_producers</c>, block_header_state.cpp <c>finish_next</c>).
    /// <c>ProducersElected</c> says whether the election got as far as <c>set_proposed_producers</c> (under Savanna the
    /// contract then also proposes the elected producers' finalizers).
    /// </summary>
    private static (ChainState State, ProposerPolicyDiff? Proposal, bool ProducersElected) OnBlock(ChainState state, SimBlock parent, uint blockNum, uint slot)
    {
        var contract = SystemContract.CountBlock(state.Contract, parent.Producer);
        if (parent.Slot - contract.LastScheduleUpdateSlot <= SystemContract.ElectionIntervalSlots)
        {
            return (state with { Contract = contract }, null, false);
        }

        contract = contract with { LastScheduleUpdateSlot = parent.Slot };
        var next = state with { Contract = contract };
        if (SystemContract.Elect(contract, state.Mode) is not { } elected)
        {
            return (next, null, false);
        }

        var latest = state.LatestSchedule;
        var candidate = ProducerSchedule.Create(latest.Version + 1, elected);
        if (candidate.SameProducersAs(latest) || (state.Mode == ConsensusMode.Legacy && state.Proposed is not null))
        {
            return (next, null, true);
        }

        next = next with
        {
            Proposed = new ScheduleChange(candidate, blockNum, slot),
            Contract = contract with { LastScheduleSize = elected.Count },
        };
        if (state.Mode == ConsensusMode.Legacy)
        {
            return (next, null, true);
        }

        var removed = Enumerable.Range(0, latest.Producers.Count).Select(i => (ushort)i).ToList();
        return (next, new ProposerPolicyDiff(candidate.Version, slot, removed, candidate), true);
    }

    /// <summary>
    /// The block's transactions, in the order the API node accepted them, on the state after <c>onblock</c>. One that
    /// no longer passes the contract's checks is left out, as a producer drops it.
    /// </summary>
    private static (ChainState State, List<IncludedTransaction> Included, bool FinalizerKeysActivated) ExecutePendingTransactions(ChainState state, DateTimeOffset blockTime)
    {
        var contract = state.Contract;
        var recent = state.RecentTransactions;
        var included = new List<IncludedTransaction>();
        var finalizerKeysActivated = false;
        foreach (var pending in state.PendingTransactions)
        {
            try
            {
                (contract, var activates) = TransactionProcessor.Execute(contract, pending.Transaction, blockTime);
                finalizerKeysActivated |= activates;
                included.Add(pending.Included);
            }
            catch (ChainException)
            {
                recent = recent.Remove(pending.Included.Id);
            }
        }

        return (state with { Contract = contract, RecentTransactions = recent }, included, finalizerKeysActivated);
    }

    /// <summary>
    /// Savanna (SYS voting.cpp <c>update_elected_producers</c>, finalizer_key.cpp <c>actfinkey</c> → <c>set_proposed_finalizers</c>):
    /// the finalizer policy follows the scheduled producers' active finalizer keys; an unchanged set is not proposed.
    /// </summary>
    private static ChainState ProposeFinalizers(ChainState state, uint blockNum)
    {
        var finalizers = state.Contract.FinalizersOf(state.LatestSchedule.Producers.Select(p => p.Producer));
        var latest = state.LatestFinalizerPolicy;
        if (finalizers.SequenceEqual(latest.Finalizers))
        {
            return state;
        }

        return state with { ProposedFinalizers = state.ProposedFinalizers.Add(new FinalizerPolicyChange(new FinalizerPolicy(latest.Generation + 1, finalizers), blockNum)) };
    }

    /// <summary>
    /// Spring's <c>last_tracked_votes</c>: each finalizer of the head's active or pending policy that voted on the head,
    /// under the pending policy's generation when it is in both (qc.hpp).
    /// </summary>
    private static ImmutableDictionary<string, FinalizerVote> TrackVotes(ChainState state, IReadOnlySet<string> votes)
    {
        var head = state.Head;
        var pending = state.PendingFinalizers?.Policy;
        var voters = (pending?.Finalizers ?? []).Select(f => (Finalizer: f, Generation: pending!.Generation))
            .Concat(state.Finalizers.Finalizers.Select(f => (Finalizer: f, state.Finalizers.Generation)))
            .Where(v => votes.Contains(v.Finalizer.Key))
            .DistinctBy(v => v.Finalizer.Key);
        return state.LastVotes.SetItems(voters.Select(v => KeyValuePair.Create(
            v.Finalizer.Key, new FinalizerVote(v.Finalizer.Producer, v.Finalizer.Key, head.Number, head.Id, head.Slot, v.Generation))));
    }

    /// <summary>LIB = the QC claim of the block this block claims (two-chain rule).</summary>
    private static ChainState AdvanceSavannaFinality(ChainState state)
    {
        var claimed = state.BlockByNumber(state.Head.Finality!.QcClaimBlockNum)!;
        return state with { LastIrreversible = Math.Max(state.LastIrreversible, claimed.Finality?.QcClaimBlockNum ?? claimed.Number) };
    }

    /// <summary>
    /// Spring <c>evaluate_finalizer_policies_for_promotion</c> with the LIB after this block: a pending policy whose
    /// block is final becomes active; of the proposals whose blocks are final the latest becomes pending when the
    /// pending slot is free (made pending by this block, <paramref name="blockNum"/>) and the older ones are dropped.
    /// So a policy proposed in block P is pending from the first block Q with LIB ≥ P and active from the first with LIB ≥ Q.
    /// </summary>
    private static ChainState EvaluateFinalizerPolicies(ChainState state, uint blockNum)
    {
        var lib = state.LastIrreversible;
        var next = state;
        var pendingSlotOpen = true;
        if (next.PendingFinalizers is { } pending)
        {
            if (pending.BlockNum <= lib)
            {
                next = next with { Finalizers = pending.Policy, PendingFinalizers = null };
            }
            else
            {
                pendingSlotOpen = false;
            }
        }

        var finalProposals = next.ProposedFinalizers.TakeWhile(p => p.BlockNum <= lib).Count();
        if (finalProposals == 0)
        {
            return next;
        }

        var target = next.ProposedFinalizers[finalProposals - 1];
        var reversible = next.ProposedFinalizers.RemoveRange(0, finalProposals);
        return pendingSlotOpen
            ? next with { PendingFinalizers = target with { BlockNum = blockNum }, ProposedFinalizers = reversible }
            : next with { ProposedFinalizers = reversible.Insert(0, target) };
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
