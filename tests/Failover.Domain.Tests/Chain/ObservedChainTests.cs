using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.ObserverSpec;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Chain;

/// <summary>The chain stream's fold: what it keeps, what a fork takes back, and how it trims old history.</summary>
public sealed class ObservedChainTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly TestSchedule V2 = TestSchedule.Of(2, "alice", "bob", "carol", "ours");
    private static readonly TestSchedule V3 = TestSchedule.Of(3, "alice", "bob", "ours");

    /// <summary>
    /// Blocks 1..<paramref name="count"/>, one slot apart except that every tenth block leaves one empty slot before it;
    /// legacy changes to V2 at block 100 and to V3 at block 2000 (effective from the slot after the block before).
    /// </summary>
    private static (List<IChainEvent> Events, List<ObservedBlock> Blocks) LongHistory(int count, uint v2At = 100, uint v3At = 2000)
    {
        var events = new List<IChainEvent>();
        var blocks = new List<ObservedBlock>();
        var schedule = V1;
        var slot = S0;
        for (uint number = 1; number <= count; number++)
        {
            var parentSlot = slot;
            slot += number % 10 == 0 ? 2u : 1u;
            if (number == v2At || number == v3At)
            {
                schedule = number == v2At ? V2 : V3;
                events.Add(ScheduleChanged(schedule, number, parentSlot + 1));
            }

            var block = Block(number, number == 1 ? Id("before", 0) : blocks[^1].Id, slot, schedule.ProducerAt(slot), schedule.Version);
            if (number == 1)
            {
                events.AddRange(FirstRecording([block], schedule));
            }
            else
            {
                events.AddRange(Extension(parentSlot, [block], schedule));
            }

            blocks.Add(block);
        }

        return (events, blocks);
    }

    [Fact]
    public void Up_to_KeptBlocks_plus_256_blocks_nothing_is_dropped()
    {
        var (events, blocks) = LongHistory(ObservedChain.KeptBlocks + 256);

        var chain = Fold(events);

        Assert.Equal(ObservedChain.KeptBlocks + 256, chain.Blocks.Count);
        Assert.Equal(1u, chain.Blocks.Keys.First());
        Assert.Equal([1u, 2u, 3u], chain.Schedules.Select(s => s.Schedule.Version));
        Assert.Equal(blocks.Count(b => b.Number % 10 == 0), chain.Misses.Count);
    }

    [Fact]
    public void Beyond_KeptBlocks_plus_256_blocks_the_oldest_are_dropped_but_the_schedule_in_force_at_the_oldest_kept_block_stays()
    {
        var count = ObservedChain.KeptBlocks + 257;
        var (events, blocks) = LongHistory(count);

        var chain = Fold(events);

        var oldestKept = blocks[count - ObservedChain.KeptBlocks]; // block 258: V2 has been in force since block 100
        Assert.Equal(ObservedChain.KeptBlocks, chain.Blocks.Count);
        Assert.Equal(oldestKept.Number, chain.Blocks.Keys.First());
        Assert.Equal((uint)count, chain.Head!.Number);
        Assert.Equal([2u, 3u], chain.Schedules.Select(s => s.Schedule.Version));
        Assert.Equal(2u, chain.ScheduleAt(oldestKept.Slot)!.Schedule.Version);
        Assert.Equal(3u, chain.CurrentSchedule!.Schedule.Version);
        Assert.Equal(S0 + 1, chain.FirstObservedSlot); // the first slot ever observed does not move
        Assert.All(chain.Misses.Keys, s => Assert.True(s >= oldestKept.Slot, $"miss at {s} is older than the oldest kept block at {oldestKept.Slot}"));
        Assert.Equal(blocks.Count(b => b.Number % 10 == 0 && b.Number > oldestKept.Number), chain.Misses.Count);
        Assert.Equal(events.Count, chain.EventCount);
    }

    [Fact]
    public void Trimming_keeps_a_schedule_that_took_effect_exactly_at_the_oldest_kept_block_and_drops_the_ones_before()
    {
        // The first trim (at KeptBlocks + 257 blocks) keeps blocks 258 on; V3 takes effect at block 258 itself.
        var (events, _) = LongHistory(ObservedChain.KeptBlocks + 257, v2At: 100, v3At: 258);

        var chain = Fold(events);

        Assert.Equal(258u, chain.Blocks.Keys.First());
        Assert.Equal([3u], chain.Schedules.Select(s => s.Schedule.Version));
        Assert.Equal(258u, chain.Schedules[0].FromBlockNum);
    }

    [Fact]
    public void A_fork_replacing_a_block_older_than_the_kept_history_is_a_problem_and_records_nothing()
    {
        var count = ObservedChain.KeptBlocks + 257;
        var (events, blocks) = LongHistory(count);
        var chain = Fold(events);
        var oldestKept = blocks[count - ObservedChain.KeptBlocks];
        var parentGone = blocks[(int)oldestKept.Number - 2]; // still known to the endpoint, no longer to the stream

        var replacing = Block(oldestKept.Number, parentGone.Id, oldestKept.Slot + 1, V2.ProducerAt(oldestKept.Slot + 1), 2, tag: "deep");
        var decision = ChainObserver.Decide(chain, Observe([replacing], V2.ToSchedule()));

        Assert.Empty(decision.Events);
        Assert.Contains($"block {oldestKept.Number}", decision.Problem, StringComparison.Ordinal);
        Assert.Null(decision.NeedsBlocksFrom);
    }

    [Fact]
    public void A_fork_switch_drops_the_blocks_above_the_fork_the_misses_they_revealed_and_the_schedules_they_brought()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 2, S0 + 4);
        var changed = Block(13, blocks[2].Id, S0 + 50, V2.ProducerAt(S0 + 50), 2);
        var chain = Fold([.. FirstRecording(blocks, V1), ScheduleChanged(V2, 13, S0 + 5), .. Extension(S0 + 4, [changed], V2)]);

        var after = chain.Apply(new ForkSwitched(
            TestChain.ChainId, 11, blocks[1].Id, 13, changed.Id, 12, Id("fork", 12), [], [], ObservedAt));

        Assert.Equal([10u, 11u], after.Blocks.Keys);
        Assert.Equal([S0 + 1], after.Misses.Keys); // revealed by 11; S0+3 (by 12) and S0+5..S0+49 (by 13) are gone
        Assert.Equal([1u], after.Schedules.Select(s => s.Schedule.Version));
        Assert.Equal(chain.EventCount + 1, after.EventCount);
    }

    [Fact]
    public void The_fold_records_the_chain_id_the_first_observed_slot_and_the_schedule_in_force_at_each_slot()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0 + 5, S0 + 7);
        var later = Block(12, blocks[1].Id, S0 + 50, V2.ProducerAt(S0 + 50), 2);
        var chain = Fold([.. FirstRecording(blocks, V1), ScheduleChanged(V2, 12, S0 + 8), .. Extension(S0 + 7, [later], V2)]);

        Assert.Equal(TestChain.ChainId, chain.ChainId);
        Assert.Equal(S0 + 5, chain.FirstObservedSlot);
        Assert.Null(chain.ScheduleAt(S0 + 4));
        Assert.Equal(1u, chain.ScheduleAt(S0 + 5)!.Schedule.Version);
        Assert.Equal(1u, chain.ScheduleAt(S0 + 7)!.Schedule.Version);
        Assert.Equal(2u, chain.ScheduleAt(S0 + 8)!.Schedule.Version);
        Assert.Equal(2u, chain.ScheduleAt(uint.MaxValue)!.Schedule.Version);
        Assert.Equal(new RecordedMiss(S0 + 6, Name.Parse("alice"), 1, 11, blocks[1].Id, ObservedAt), chain.Misses[S0 + 6]);
        Assert.Equal(new RecordedBlock(11, blocks[1].Id, blocks[0].Id, Name.Parse("alice"), S0 + 7, 1, ObservedAt, null), chain.Blocks[11]);
        Assert.Null(ObservedChain.Empty.Head);
        Assert.Null(ObservedChain.Empty.CurrentSchedule);
        Assert.Null(ObservedChain.Empty.ScheduleAt(S0));
    }

    [Fact]
    public void The_schedule_an_event_records_reads_back_with_its_keys_and_weights()
    {
        var v2k = V1.WithKey(4, "ours", "ours-standby");

        var schedule = ObservedChain.Schedule(ScheduleChanged(v2k, 1, S0));

        Assert.Equal(4u, schedule.Version);
        Assert.True(schedule.SameProducersAs(v2k.ToSchedule()));
    }

    [Fact]
    public void A_fork_at_the_block_where_a_schedule_took_effect_keeps_that_schedule()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 2);
        var changed = Block(12, blocks[1].Id, S0 + 50, V2.ProducerAt(S0 + 50), 2);
        var next = Block(13, changed.Id, S0 + 51, V2.ProducerAt(S0 + 51), 2);
        var chain = Fold([.. FirstRecording(blocks, V1), ScheduleChanged(V2, 12, S0 + 3), .. Extension(S0 + 2, [changed, next], V2)]);

        var after = chain.Apply(new ForkSwitched(TestChain.ChainId, 12, changed.Id, 13, next.Id, 13, Id("fork", 13), [], [], ObservedAt));

        Assert.Equal([1u, 2u], after.Schedules.Select(s => s.Schedule.Version));
        Assert.Equal([10u, 11u, 12u], after.Blocks.Keys);
    }

    [Fact]
    public void The_chain_id_is_the_one_of_the_first_event()
    {
        var chain = Fold(FirstRecording(Branch("main", 10, Id("before", 9), V1, 1, S0), V1));

        var after = chain.Apply(new BlockMissed("another-chain", S0 + 1, BlockTimestamp.FromSlot(S0 + 1), "alice", 1, 11, Id("main", 11), ObservedAt));

        Assert.Equal(TestChain.ChainId, after.ChainId);
    }

    [Fact]
    public void An_event_the_fold_does_not_know_is_refused_by_name_and_null_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ObservedChain.Empty.Apply(new StrangeEvent(TestChain.ChainId, ObservedAt)));
        Assert.Contains(nameof(StrangeEvent), error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => ObservedChain.Empty.Apply(null!));
        Assert.Throws<ArgumentNullException>(() => ObservedChain.Schedule(null!));
    }

    private sealed record StrangeEvent(string ChainId, DateTimeOffset ObservedAt) : IChainEvent;
}
