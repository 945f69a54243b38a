namespace Failover.Simulator.Tests;

public sealed class FinalityTests
{
    [Fact]
    public void Savanna_LIB_trails_the_head_by_two_blocks_while_finalizers_vote()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.AdvanceSlots(2);
        Assert.Equal(1u, chain.State.LastIrreversible);
        for (var i = 0; i < 100; i++)
        {
            chain.AdvanceSlots(1);
            Assert.Equal(chain.State.Head.Number - 2, chain.State.LastIrreversible);
        }
    }

    [Fact]
    public void Legacy_LIB_trails_the_head_by_about_325_blocks_with_21_producers()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        chain.AdvanceSlots(3000);

        var lag = chain.State.Head.Number - chain.State.LastIrreversible;
        Assert.InRange(lag, 300u, 340u);
        Assert.Equal(chain.State.Dpos.Irreversible, chain.State.LastIrreversible);
    }

    [Fact]
    public void Legacy_a_producer_confirms_the_blocks_since_its_last_turn_with_the_first_block_of_its_window()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        chain.AdvanceSlots(3 * 252);

        var lastRound = chain.State.Blocks.TakeLast(252).ToList();
        var firstOfWindow = lastRound.Where(b => b.Slot % 12 == 0).ToList();
        Assert.All(firstOfWindow, b => Assert.Equal(240, b.Header.Confirmed));
        Assert.All(lastRound.Where(b => b.Slot % 12 != 0), b => Assert.Equal(0, b.Header.Confirmed));
    }

    [Fact]
    public void Savanna_a_finality_stall_freezes_LIB_while_the_head_advances_and_resuming_catches_up()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.AdvanceSlots(20);
        chain.Simulator.SetFinalityStalled(stalled: true);
        chain.AdvanceSlots(2);
        var frozen = chain.State.LastIrreversible;

        chain.AdvanceSlots(50);
        Assert.Equal(frozen, chain.State.LastIrreversible);
        Assert.Equal(73u, chain.State.Head.Number);

        chain.Simulator.SetFinalityStalled(stalled: false);
        chain.AdvanceSlots(2);
        Assert.Equal(chain.State.Head.Number - 2, chain.State.LastIrreversible);
    }

    [Fact]
    public void Savanna_LIB_stalls_when_fewer_than_two_thirds_plus_one_finalizers_are_up()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.AdvanceSlots(10);
        foreach (var producer in chain.Roster.Producers.Take(7))
        {
            foreach (var node in chain.Roster.NodesOf(producer))
            {
                chain.Simulator.SetNodeDown(node.Id, down: true);
            }
        }

        chain.AdvanceSlots(2);
        var stalled = chain.State.LastIrreversible;
        chain.AdvanceSlots(252);
        Assert.Equal(stalled, chain.State.LastIrreversible);

        chain.Simulator.SetNodeDown(chain.Roster.PrimaryNode(chain.Roster.Producers[0]).Id, down: false);
        chain.AdvanceSlots(3);
        Assert.Equal(chain.State.Head.Number - 2, chain.State.LastIrreversible);
    }
}
