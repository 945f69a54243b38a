using Failover.Simulator.Chain;

namespace Failover.Simulator.Tests;

public sealed class NetworkFaultTests
{
    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public void A_partition_builds_a_fork_on_each_side_with_the_participation_of_that_side(ConsensusMode mode)
    {
        var chain = new TestChain(mode);
        chain.AdvanceSlots(mode == ConsensusMode.Legacy ? 1200 : 30);
        var producers = chain.Roster.Producers;
        var majority = producers.Take(15).Select(p => p.ToString()).Append("api1").ToList();
        var minority = producers.Skip(15).Select(p => p.ToString()).Append("api2").ToList();
        var forkPoint = chain.State.Head;
        var libBefore = chain.State.LastIrreversible;

        chain.Simulator.Partition([majority, minority]);
        chain.AdvanceSlots(2 * 252);

        var major = chain.Simulator.View("api1");
        var minor = chain.Simulator.View("api2");
        Assert.Equal(forkPoint.Id, major.BlockByNumber(forkPoint.Number)!.Id);
        Assert.Equal(forkPoint.Id, minor.BlockByNumber(forkPoint.Number)!.Id);
        Assert.NotEqual(major.BlockByNumber(forkPoint.Number + 1)!.Id, minor.BlockByNumber(forkPoint.Number + 1)!.Id);
        Assert.Equal(15, Participation(chain, "api1"));
        Assert.Equal(6, Participation(chain, "api2"));
        Assert.Equal(libBefore, minor.LastIrreversible);
        Assert.True(major.LastIrreversible > libBefore, "the majority side keeps finalizing");
        if (mode == ConsensusMode.Savanna)
        {
            Assert.Equal(major.Head.Number - 2, major.LastIrreversible);
        }

        var outcome = chain.Simulator.Heal();

        Assert.Equal(0, outcome.WinningSide);
        var switched = Assert.Single(outcome.Switches);
        Assert.Equal(1, switched.Side);
        Assert.Equal(minor.Head.Id.ToString(), switched.FromHeadId);
        Assert.Equal(chain.Simulator.View("api1").Head.Id, chain.Simulator.View("api2").Head.Id);
        chain.AdvanceSlots(252);
        Assert.Equal(21, Participation(chain, "api2"));
    }

    [Fact]
    public void Savanna_healing_keeps_the_branch_with_the_latest_QC_claim_then_the_latest_head_even_when_it_is_shorter()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(30);
        var producers = chain.Roster.Producers.Select(p => p.ToString()).ToList();
        var eleven = producers.Take(11).ToList();
        chain.Simulator.Partition([[.. eleven, "api1"], [.. producers.Skip(11), "api2"]]);
        chain.AdvanceSlots(252);
        chain.AdvanceUntil(_ => chain.Simulator.View("api2").Head.Slot > chain.Simulator.View("api1").Head.Slot, 252, "the ten-producer side made the latest block");
        var longer = chain.Simulator.View("api1");
        var later = chain.Simulator.View("api2");
        Assert.True(longer.Head.Number > later.Head.Number, $"{longer.Head.Number} vs {later.Head.Number}");
        Assert.Equal(longer.LastIrreversible, later.LastIrreversible);
        Assert.Equal(longer.Head.Finality!.QcClaimBlockNum, later.Head.Finality!.QcClaimBlockNum);

        var outcome = chain.Simulator.Heal();

        Assert.Equal(1, outcome.WinningSide);
        Assert.Equal(later.Head.Id, chain.Simulator.View("api1").Head.Id);
    }

    [Fact]
    public void Healing_reapplies_a_rotation_that_only_the_minority_fork_included_on_the_winning_branch()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(20);
        var producers = chain.Roster.Producers.Select(p => p.ToString()).ToList();
        chain.Simulator.Partition([[.. producers.Skip(6), "api1"], [.. producers.Take(6), "api2"]]);
        chain.AdvanceSlots(12);
        var dc2 = chain.Node("failover.bp/dc2").SigningKey.PublicKey;

        var accepted = chain.Simulator.Push(chain.RegisterOurKey("dc2", apiNode: "api2", expiresIn: TimeSpan.FromMinutes(30)), "api2");
        chain.AdvanceSlots(252);
        Assert.Contains(chain.Simulator.View("api2").Blocks, b => b.Transactions.Any(t => t.Id == accepted.Included.Id));
        Assert.NotEqual(dc2, chain.Simulator.View("api1").Contract.Producers[TestChain.Ours].ProducerKey);

        var outcome = chain.Simulator.Heal();

        Assert.Equal(1, Assert.Single(outcome.Switches).RequeuedTransactions);
        chain.AdvanceSlots(1);
        Assert.Equal(accepted.Included.Id, Assert.Single(chain.State.Head.Transactions).Id);
        Assert.Equal(dc2, chain.Simulator.View("api2").Contract.Producers[TestChain.Ours].ProducerKey);
    }

    [Fact]
    public void A_data_center_on_the_other_side_of_a_partition_does_not_produce_there()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);

        chain.Simulator.Partition([["api1"], ["failover.bp/dc1", "api2"]]);
        chain.AdvanceSlots(252);

        Assert.Equal(20, Participation(chain, "api1"));
        Assert.Equal(1, Participation(chain, "api2"));
    }

    [Fact]
    public void A_stalled_API_node_keeps_answering_with_a_frozen_head_while_the_chain_moves_on()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        chain.Simulator.SetApiNodeStalled("api2", stalled: true);
        var frozen = chain.Simulator.View("api2").Head;

        chain.AdvanceSlots(40);

        Assert.Equal(frozen, chain.Simulator.View("api2").Head);
        Assert.Equal(frozen.Number + 40, chain.Simulator.View("api1").Head.Number);

        chain.Simulator.SetApiNodeStalled("api2", stalled: false);
        Assert.Equal(chain.Simulator.View("api1").Head, chain.Simulator.View("api2").Head);
    }

    [Fact]
    public void A_producer_whose_only_data_center_is_down_misses_its_twelve_slots_each_round()
    {
        var chain = new TestChain();
        chain.Simulator.SetNodeDown("prod.c/dc1", down: true);
        chain.AdvanceSlots(252);

        Assert.Equal(252 - 12, chain.State.Blocks.Count - 1);
        Assert.DoesNotContain(chain.State.Blocks, b => b.Producer.ToString() == "prod.c");

        chain.Simulator.SetNodeDown("prod.c/dc1", down: false);
        chain.AdvanceSlots(252);
        Assert.Equal(12, chain.State.Blocks.TakeLast(252).Count(b => b.Producer.ToString() == "prod.c"));
    }

    [Fact]
    public void Bad_fault_requests_say_what_is_wrong()
    {
        var chain = new TestChain();

        Assert.Contains("Unknown producer node 'nobody/dc9'", Assert.Throws<ArgumentException>(() => chain.Simulator.SetNodeDown("nobody/dc9", down: true)).Message, StringComparison.Ordinal);
        Assert.Contains("'nobody' is neither a producer", Assert.Throws<ArgumentException>(() => chain.Simulator.Partition([["nobody"], ["api2"]])).Message, StringComparison.Ordinal);
        chain.Simulator.Partition([["api1"], ["api2"]]);
        Assert.Throws<InvalidOperationException>(() => chain.Simulator.Partition([["api1"], ["api2"]]));
    }

    [Fact]
    public void The_same_seed_gives_the_same_chain_and_another_seed_another_one()
    {
        static ChainState Run(string seed)
        {
            var chain = new TestChain(seed: seed);
            chain.AdvanceSlots(50);
            chain.Simulator.Push(chain.RegisterOurKey("dc2"));
            chain.AdvanceSlots(300);
            return chain.State;
        }

        var first = Run("alpha");
        var second = Run("alpha");
        var other = Run("beta");

        Assert.Equal(first.ChainId, second.ChainId);
        Assert.Equal(first.Blocks.Select(b => b.Id), second.Blocks.Select(b => b.Id));
        Assert.Equal(first.Head.ProducerSignature, second.Head.ProducerSignature);
        Assert.NotEqual(first.ChainId, other.ChainId);
        Assert.NotEqual(first.Head.Id, other.Head.Id);
    }

    /// <summary>Distinct producers with a block in the last 252 slots ending now (protocol.md §6).</summary>
    private static int Participation(TestChain chain, string apiNode)
    {
        var now = Antelope.BlockTimestamp.ToSlot(chain.Time.GetUtcNow());
        return chain.Simulator.View(apiNode).Blocks.Where(b => b.Slot + 252 > now && b.Number > 1).Select(b => b.Producer).Distinct().Count();
    }
}
