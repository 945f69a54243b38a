using Failover.Antelope.Scheduling;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Tests;

/// <summary>
/// Spring's producer plugin pauses a node after production-pause-vote-timeout-ms (6 s) without votes from its
/// producer's finalizer (or from the others); the clock starts at the first block received more than 1 s after the
/// latest such vote.
/// </summary>
public sealed class ProductionPauseTests
{
    [Fact]
    public void Savanna_with_dc1_down_a_rotation_without_actfinkey_leaves_dc2_paused_because_our_finalizer_key_is_still_dc1s()
    {
        var chain = RotateWithDc1Down(transaction: c => c.RegisterOurKey("dc2"));
        var before = chain.State.Head.Number;

        chain.AdvanceSlots(2 * 252);

        Assert.DoesNotContain(chain.State.Blocks, b => b.Producer == TestChain.Ours);
        Assert.Equal(2u * (252 - 12), chain.State.Head.Number - before);
        Assert.True(chain.Simulator.IsProductionPaused("failover.bp/dc2"));
        Assert.False(chain.Simulator.IsProductionPaused("prod.a/dc1"));
        Assert.True(chain.Simulator.Snapshot().Producers.Single(p => p.Name == "failover.bp").Nodes.Single(n => n.DataCenter == "dc2").ProductionPaused);
    }

    [Fact]
    public void Savanna_with_dc1_down_a_rotation_with_actfinkey_for_dc2s_finalizer_key_keeps_dc2_producing()
    {
        var chain = RotateWithDc1Down(transaction: c => c.RotateOurKeyAndFinalizer("dc2"));
        var activatedAt = chain.State.Head.Number;

        chain.AdvanceSlots(3 * 252);

        var ours = chain.Blocks(activatedAt).Where(b => b.Producer == TestChain.Ours).ToList();
        Assert.Equal(3 * 12, ours.Count);
        Assert.All(ours, b => Assert.Equal(chain.Node("failover.bp/dc2").SigningKey.PublicKey, b.ProducerSignature.RecoverPublicKey(b.Id.AsSpan())));
        Assert.False(chain.Simulator.IsProductionPaused("failover.bp/dc2"));
    }

    [Fact]
    public void Savanna_a_producer_stops_8_seconds_after_the_last_vote_of_its_finalizer_6_s_timeout_1_s_tolerance_and_half_a_slot_early_start()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        chain.Simulator.Push(chain.RegisterOurKey("dc2"));
        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 300, "the rotation without actfinkey activates while dc1 still votes");
        var window = NextWindowOfOurs(chain.State);
        chain.AdvanceUntil(s => s.Head.Slot == window - 6, 300, "six slots before our next window");

        chain.Simulator.SetNodeDown("failover.bp/dc1", down: true);
        chain.AdvanceSlots(252 + 12);

        var lastVote = chain.State.LastVotes[chain.Node("failover.bp/dc1").FinalizerKey!];
        var ours = chain.State.Blocks.Where(b => b.Producer == TestChain.Ours && b.Slot >= window).ToList();
        Assert.Equal(window - 7, lastVote.Slot);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => window + (uint)i), ours.Select(b => b.Slot));
        Assert.Equal(lastVote.Slot + 16, ours[^1].Slot);
        Assert.All(ours, b => Assert.Equal(chain.Node("failover.bp/dc2").SigningKey.PublicKey, b.ProducerSignature.RecoverPublicKey(b.Id.AsSpan())));
    }

    [Fact]
    public void Savanna_a_restarted_node_starts_its_vote_clocks_afresh_and_a_zero_timeout_never_pauses()
    {
        var chain = RotateWithDc1Down(transaction: c => c.RegisterOurKey("dc2"));
        Assert.True(chain.Simulator.IsProductionPaused("failover.bp/dc2"));

        chain.Simulator.SetNodeDown("failover.bp/dc2", down: true);
        chain.Simulator.SetNodeDown("failover.bp/dc2", down: false);
        chain.AdvanceSlots(1);
        Assert.False(chain.Simulator.IsProductionPaused("failover.bp/dc2"));
        chain.AdvanceSlots(20);
        Assert.True(chain.Simulator.IsProductionPaused("failover.bp/dc2"));

        var unpausing = new TestChain(options: o => o with { ProductionPauseVoteTimeout = TimeSpan.Zero });
        unpausing.Simulator.SetNodeDown("failover.bp/dc1", down: true);
        unpausing.Simulator.Push(unpausing.RegisterOurKey("dc2"));
        unpausing.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 500, "the rotation activates");
        unpausing.AdvanceSlots(252);
        Assert.Equal(12, unpausing.Blocks(unpausing.State.Head.Number - 252).Count(b => b.Producer == TestChain.Ours));
    }

    /// <summary>dc1 goes down, 12 of our slots are missed, then <paramref name="transaction"/> is pushed and activates.</summary>
    private static TestChain RotateWithDc1Down(Func<TestChain, Antelope.Transactions.PackedTransaction> transaction)
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        chain.Simulator.SetNodeDown("failover.bp/dc1", down: true);
        chain.AdvanceSlots(252);
        chain.Simulator.Push(transaction(chain));
        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 500, "the rotation activates");
        return chain;
    }

    /// <summary>The first slot of our next window after the head.</summary>
    private static uint NextWindowOfOurs(ChainState state)
    {
        var index = state.ActiveSchedule.Producers.ToList().FindIndex(p => p.Producer == TestChain.Ours);
        var slot = Slots.WindowStart(state.Head.Slot) + (2 * Slots.PerWindow);
        while (Slots.ProducerIndex(slot, state.ActiveSchedule.Producers.Count) != index)
        {
            slot += Slots.PerWindow;
        }

        return slot;
    }
}
