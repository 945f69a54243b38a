using Failover.Antelope;
using Failover.Antelope.SystemContract;

namespace Failover.Simulator.Tests;

public sealed class ElectionTests
{
    [Fact]
    public void An_unchanged_producer_set_is_never_proposed_again()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(1000);

        Assert.Null(chain.State.Proposed);
        Assert.Null(chain.State.Pending);
        Assert.Equal(1u, chain.State.ActiveSchedule.Version);
    }

    [Fact]
    public void With_a_standby_producer_an_unregistered_producer_is_replaced_in_the_next_schedule()
    {
        var chain = new TestChain(producers: 22);
        var standby = chain.Roster.Producers.Single(p => !chain.State.ActiveSchedule.Producers.Any(s => s.Producer == p));
        var leaving = Name.Parse("prod.a");
        Assert.Contains(chain.State.ActiveSchedule.Producers, s => s.Producer == leaving);

        chain.Simulator.Push(chain.Sign(new UnregProd(leaving), "prod.a", "active", chain.AccountKey("prod.a", "active")));
        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 300, "the new schedule activates");

        var producers = chain.State.ActiveSchedule.Producers.Select(p => p.Producer).ToList();
        Assert.Equal(21, producers.Count);
        Assert.DoesNotContain(leaving, producers);
        Assert.Contains(standby, producers);
    }

    [Fact]
    public void Without_a_standby_the_contract_does_not_shrink_the_schedule_after_an_unregprod()
    {
        var chain = new TestChain();

        chain.Simulator.Push(chain.Sign(new UnregProd(Name.Parse("prod.a")), "prod.a", "active", chain.AccountKey("prod.a", "active")));
        chain.AdvanceSlots(1000);

        Assert.Null(chain.State.Proposed);
        Assert.Equal(1u, chain.State.ActiveSchedule.Version);
        Assert.False(chain.State.Contract.Producers[Name.Parse("prod.a")].IsActive);
    }
}

public sealed class ProducerCountTests
{
    [Theory]
    [InlineData(1, ConsensusMode.Savanna)]
    [InlineData(4, ConsensusMode.Savanna)]
    [InlineData(30, ConsensusMode.Savanna)]
    [InlineData(1, ConsensusMode.Legacy)]
    [InlineData(4, ConsensusMode.Legacy)]
    [InlineData(30, ConsensusMode.Legacy)]
    public void Any_number_of_producers_fills_every_slot_elects_at_most_21_including_ours_and_finalizes(int producers, ConsensusMode mode)
    {
        var chain = new TestChain(mode, producers: producers);
        chain.AdvanceSlots(1500);

        Assert.Equal(1501, chain.State.Blocks.Count);
        Assert.Equal(Math.Min(producers, 21), chain.State.ActiveSchedule.Producers.Count);
        Assert.Contains(chain.State.ActiveSchedule.Producers, p => p.Producer == TestChain.Ours);
        Assert.True(chain.State.LastIrreversible > 1000, $"LIB {chain.State.LastIrreversible} at head {chain.State.Head.Number}");
    }
}

/// <summary>
/// <c>onblock</c> runs first in each block with the parent's header (SPRING controller.cpp get_on_block_transaction,
/// SYS producer_pay.cpp onblock): it pays the parent's producer and elects at the parent's timestamp, before the
/// block's own transactions.
/// </summary>
public sealed class OnBlockTests
{
    [Fact]
    public void The_election_runs_at_the_parents_timestamp_and_does_not_see_a_rotation_included_in_its_own_block()
    {
        var chain = new TestChain();
        var genesisSlot = chain.State.Head.Slot;
        chain.AdvanceUntil(s => s.Head.Slot == genesisSlot + 121, 200, "the last block before the first election");
        Assert.Equal(genesisSlot, chain.State.Contract.LastScheduleUpdateSlot);

        var accepted = chain.Simulator.Push(chain.RegisterOurKey("dc2"));
        chain.AdvanceSlots(1);

        var electing = chain.State.Head;
        Assert.Equal(accepted.Included.Id, Assert.Single(electing.Transactions).Id);
        Assert.Equal(electing.Slot - 1, chain.State.Contract.LastScheduleUpdateSlot);
        Assert.Null(chain.State.Proposed);
        Assert.Null(electing.Finality!.NewProposerPolicy);
        Assert.Equal(chain.Node("failover.bp/dc2").SigningKey.PublicKey, chain.State.Contract.Producers[TestChain.Ours].ProducerKey);

        chain.AdvanceUntil(s => s.Proposed is not null, 200, "the next election proposes the rotation");
        var proposing = chain.State.Head;
        Assert.Equal(electing.Slot - 1 + 121, chain.State.BlockByNumber(proposing.Number - 1)!.Slot);
        Assert.Equal(proposing.Slot - 1, chain.State.Contract.LastScheduleUpdateSlot);
    }

    [Fact]
    public void Unpaid_blocks_count_each_block_in_its_childs_onblock()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(30);

        var state = chain.State;
        Assert.Equal(state.Head.Number - 2, (uint)state.Contract.Producers.Values.Sum(p => p.UnpaidBlocks));
        var headProducer = state.Contract.Producers[state.Head.Producer];
        Assert.Equal(state.Blocks.Count(b => b.Producer == state.Head.Producer) - 1, (int)headProducer.UnpaidBlocks);
    }
}
