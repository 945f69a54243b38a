using System.Text.Json;
using Failover.Antelope.SystemContract;
using Failover.Simulator.Http;

namespace Failover.Simulator.Tests;

/// <summary>Spring's finalizer policy pipeline (block_header_state.cpp evaluate_finalizer_policies_for_promotion, qc.hpp).</summary>
public sealed class FinalizerPolicyTests
{
    [Fact]
    public void Savanna_a_policy_proposed_in_block_P_is_pending_from_the_first_block_Q_with_LIB_at_least_P_and_active_from_the_first_with_LIB_at_least_Q()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(20);
        var dc2 = chain.Node("failover.bp/dc2").FinalizerKey!;
        chain.Simulator.Push(ActivateOurFinalizerKey(chain, "dc2"));
        var states = new List<Chain.ChainState>();
        for (var i = 0; i < 8; i++)
        {
            chain.AdvanceSlots(1);
            states.Add(chain.State);
        }

        var proposing = states[0];
        var proposal = Assert.Single(proposing.ProposedFinalizers);
        var p = proposing.Head.Number;
        Assert.Equal(p, proposal.BlockNum);
        Assert.Equal(2u, proposal.Policy.Generation);
        Assert.Contains(proposal.Policy.Finalizers, f => f.Key == dc2);

        var pendingFrom = states.First(s => s.PendingFinalizers is not null);
        var q = pendingFrom.Head.Number;
        Assert.Equal(q, pendingFrom.PendingFinalizers!.BlockNum);
        Assert.True(pendingFrom.LastIrreversible >= p);
        Assert.All(states.Where(s => s.Head.Number < q), s => Assert.True(s.LastIrreversible < p));
        Assert.Empty(pendingFrom.ProposedFinalizers);
        Assert.Equal(1u, pendingFrom.Finalizers.Generation);

        var activeFrom = states.First(s => s.Finalizers.Generation == 2);
        Assert.True(activeFrom.LastIrreversible >= q);
        Assert.All(states.Where(s => s.Head.Number < activeFrom.Head.Number), s => Assert.True(s.LastIrreversible < q));
        Assert.Null(activeFrom.PendingFinalizers);
        Assert.Equal((p + 2, p + 4), (q, activeFrom.Head.Number));
    }

    [Fact]
    public void Savanna_get_finalizer_info_shows_the_pending_policy_while_it_waits()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(20);
        chain.Simulator.Push(ActivateOurFinalizerKey(chain, "dc2"));
        chain.AdvanceUntil(s => s.PendingFinalizers is not null, 10, "the policy becomes pending");

        using var info = JsonDocument.Parse(new ChainApi(chain.Simulator).Handle("api1", "get_finalizer_info", string.Empty).Body);

        Assert.Equal(1u, info.RootElement.GetProperty("active_finalizer_policy").GetProperty("generation").GetUInt32());
        var pending = info.RootElement.GetProperty("pending_finalizer_policy");
        Assert.Equal(2u, pending.GetProperty("generation").GetUInt32());
        Assert.Contains(pending.GetProperty("finalizers").EnumerateArray(), f => f.GetProperty("public_key").GetString() == chain.Node("failover.bp/dc2").FinalizerKey);
    }

    [Fact]
    public void Savanna_while_a_policy_is_pending_a_QC_needs_a_quorum_of_the_active_and_of_the_pending_policy()
    {
        // Four producers, threshold 3. With prod.a down and our finalizer key moving to the down dc2, the active
        // policy still has a quorum (our dc1, prod.b, prod.c) but the pending one has only prod.b and prod.c.
        var chain = new TestChain(producers: 4);
        chain.AdvanceSlots(20);
        chain.Simulator.SetNodeDown("prod.a/dc1", down: true);
        chain.Simulator.SetNodeDown("failover.bp/dc2", down: true);
        chain.Simulator.Push(ActivateOurFinalizerKey(chain, "dc2"));
        chain.AdvanceUntil(s => s.PendingFinalizers is not null, 10, "the policy becomes pending");
        chain.AdvanceSlots(3);
        var stalled = chain.State.LastIrreversible;

        chain.AdvanceSlots(100);

        Assert.Equal(stalled, chain.State.LastIrreversible);
        Assert.True(stalled < chain.State.PendingFinalizers!.BlockNum, "the pending policy's block never becomes final");
        Assert.Equal(1u, chain.State.Finalizers.Generation);
        Assert.Equal(2u, chain.State.PendingFinalizers.Policy.Generation);

        chain.Simulator.SetNodeDown("failover.bp/dc2", down: false);
        chain.AdvanceSlots(6);

        Assert.Equal(2u, chain.State.Finalizers.Generation);
        Assert.Equal(chain.State.Head.Number - 2, chain.State.LastIrreversible);
    }

    private static Antelope.Transactions.PackedTransaction ActivateOurFinalizerKey(TestChain chain, string dataCenter) =>
        chain.Sign(new ActFinKey(TestChain.Ours, chain.Node($"failover.bp/{dataCenter}").FinalizerKey!), "failover.bp", "failover", chain.AccountKey("failover.bp", "failover"));
}
