using Failover.Antelope.Scheduling;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Simulator.Tests;

/// <summary>
/// Savanna's proposer policy pipeline when finality stalls (SPRING block_header_state.cpp
/// get_active_proposer_policy_for_block_at, evaluate_proposer_policies_for_promotion, finish_next), against
/// legacy's set_proposed_producers_legacy.
/// </summary>
public sealed class ProposerPolicyTests
{
    [Fact]
    public void Savanna_a_new_proposal_replaces_one_still_waiting_behind_a_pending_schedule()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        chain.Simulator.SetFinalityStalled(stalled: true);
        ProposeAndWaitUntilPending(chain);
        ProposeNext(chain, Register(chain, "dc1"));
        Assert.Equal(3u, chain.State.Proposed!.Schedule.Version);

        ProposeNext(chain, RegisterBoth(chain));

        var replaced = chain.State.Proposed!;
        Assert.Equal(4u, replaced.Schedule.Version);
        Assert.Equal(2, replaced.Schedule.Find(TestChain.Ours)!.Authority.Keys.Count);
        Assert.Equal(replaced.BlockNum, chain.State.Head.Number);
        Assert.Equal(4u, chain.State.Head.Finality!.NewProposerPolicy!.Version);
        Assert.Equal(2u, chain.State.Pending!.Schedule.Version);
        Assert.Equal(1u, chain.State.ActiveSchedule.Version);
    }

    [Fact]
    public void Legacy_a_new_proposal_is_ignored_while_an_earlier_one_is_outstanding()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        chain.AdvanceSlots(10);
        chain.Simulator.Push(Register(chain, "dc2"));
        chain.AdvanceUntil(s => s.Proposed is not null, 300, "the first proposal");
        var first = chain.State.Proposed!;
        var lastUpdate = chain.State.Contract.LastScheduleUpdateSlot;

        chain.Simulator.Push(Register(chain, "dc1"));
        chain.AdvanceUntil(s => s.Contract.LastScheduleUpdateSlot != lastUpdate, 300, "the next election");

        Assert.Same(first, chain.State.Proposed);
        Assert.Null(chain.State.Pending);
    }

    [Fact]
    public void Savanna_after_a_finality_stall_a_final_proposal_made_before_the_previous_window_becomes_active_directly_and_the_pending_one_is_dropped()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        chain.Simulator.SetFinalityStalled(stalled: true);
        ProposeAndWaitUntilPending(chain);
        ProposeNext(chain, Register(chain, "dc1"));
        var waiting = chain.State.Proposed!;
        chain.AdvanceSlots(30);
        Assert.Same(waiting, chain.State.Proposed);

        chain.Simulator.SetFinalityStalled(stalled: false);
        var steps = new List<(Chain.SimBlock Head, uint Active)>();
        for (var i = 0; i < 3 * Slots.PerWindow; i++)
        {
            chain.AdvanceSlots(1);
            steps.Add((chain.State.Head, chain.State.ActiveSchedule.Version));
        }

        Assert.Equal([1u, 3u], steps.Select(s => s.Active).Distinct());
        var activating = steps.First(s => s.Active == 3).Head;
        Assert.Equal(Slots.WindowStart(activating.Slot), activating.Slot);
        Assert.True(waiting.Slot < Slots.WindowStart(chain.State.BlockByNumber(activating.Number - 1)!.Slot) - Slots.PerWindow);
        Assert.Null(chain.State.Pending);
        Assert.Null(chain.State.Proposed);
        Assert.Equal(chain.Node("failover.bp/dc1").SigningKey.PublicKey, chain.State.ActiveSchedule.Find(TestChain.Ours)!.Authority.Keys.Single().Key);
    }

    /// <summary>The first rotation (to dc2) is proposed as v2 and becomes pending at the next window; finality is stalled, so it stays there.</summary>
    private static void ProposeAndWaitUntilPending(TestChain chain)
    {
        ProposeNext(chain, Register(chain, "dc2"));
        chain.AdvanceUntil(s => s.Pending is not null, 30, "the proposal becomes pending at the next window");
        Assert.Equal(2u, chain.State.Pending!.Schedule.Version);
        Assert.Null(chain.State.Proposed);
    }

    /// <summary>Pushes <paramref name="rotation"/> and steps until the next election proposes it.</summary>
    private static void ProposeNext(TestChain chain, PackedTransaction rotation)
    {
        var latest = chain.State.LatestSchedule.Version;
        chain.Simulator.Push(rotation);
        chain.AdvanceUntil(s => s.LatestSchedule.Version > latest, 300, "the next election proposes");
    }

    private static PackedTransaction Register(TestChain chain, string dataCenter) => chain.Sign(
        new RegProducer(TestChain.Ours, chain.Node($"failover.bp/{dataCenter}").SigningKey.PublicKey, "https://failover.bp.example", 0),
        "failover.bp",
        "failover",
        chain.AccountKey("failover.bp", "failover"),
        expiresIn: TimeSpan.FromMinutes(10));

    private static PackedTransaction RegisterBoth(TestChain chain) => chain.Sign(
        new RegProducer2(
            TestChain.Ours,
            new BlockSigningAuthority(1, [new KeyWeight(chain.Node("failover.bp/dc1").SigningKey.PublicKey, 1), new KeyWeight(chain.Node("failover.bp/dc2").SigningKey.PublicKey, 1)]),
            "https://failover.bp.example",
            0),
        "failover.bp",
        "failover",
        chain.AccountKey("failover.bp", "failover"),
        expiresIn: TimeSpan.FromMinutes(10));
}
