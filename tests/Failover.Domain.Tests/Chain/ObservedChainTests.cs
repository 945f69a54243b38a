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
        var decision = ChainDecider.Decide(chain, Observe([replacing], V2.ToSchedule()));

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

    /// <summary>
    /// V1 blocks in every slot from S0 + 1 on, except the slots of the producers <paramref name="down"/> says are down
    /// there, until <paramref name="count"/> blocks; returns the events and the empty slots of each producer.
    /// </summary>
    private static (List<IChainEvent> Events, List<ObservedBlock> Blocks, List<uint> OursEmpty) Outage(int count, Func<uint, string, bool> down)
    {
        var events = new List<IChainEvent>();
        var blocks = new List<ObservedBlock>();
        var oursEmpty = new List<uint>();
        var slot = S0;
        for (uint number = 1; number <= count; number++)
        {
            var parentSlot = slot;
            slot++;
            while (down(slot, V1.ProducerAt(slot)))
            {
                if (V1.ProducerAt(slot) == "ours" && number > 1)
                {
                    oursEmpty.Add(slot);
                }

                slot++;
            }

            var block = Block(number, number == 1 ? Id("before", 0) : blocks[^1].Id, slot, V1.ProducerAt(slot), 1);
            events.AddRange(number == 1 ? FirstRecording([block], V1) : Extension(parentSlot, [block], V1));
            blocks.Add(block);
        }

        return (events, blocks, oursEmpty);
    }

    [Fact]
    public void An_outage_longer_than_the_kept_history_keeps_its_first_slot_threshold_miss_and_count()
    {
        var outageFrom = S0 + 648; // a window of ours starts there (V1: 5 producers, ours in slots 48–59 of each 60)
        var (events, blocks, oursEmpty) = Outage(ObservedChain.KeptBlocks + 2_000, (slot, producer) => producer == "ours" && slot >= outageFrom);

        var chain = Fold(events);
        var run = Participation.CurrentMissedRun(chain, Name.Parse("ours"), 12);

        Assert.True(oursEmpty.Count > ObservedChain.RunStartKept + 600, $"only {oursEmpty.Count} misses: the outage must outlast the kept misses");
        Assert.True(chain.Blocks.Values.First().Slot > oursEmpty[ObservedChain.RunStartKept], "the kept blocks must begin after the kept run start");
        Assert.NotNull(run);
        Assert.Equal(outageFrom, run.FirstMissedSlot);
        Assert.Equal(oursEmpty.Count, run.Missed);
        Assert.Equal(oursEmpty[11], run.ThresholdMiss!.Slot);
        Assert.Equal(blocks.First(b => b.Slot > oursEmpty[11]).Number, run.ThresholdMiss.RevealedByBlockNum);
        var oldestKeptSlot = chain.Blocks.Values.First().Slot;
        Assert.Equal(oursEmpty.Take(ObservedChain.RunStartKept), chain.Misses.Keys.Where(s => s < oldestKeptSlot));
        Assert.Equal(oursEmpty.Count(s => s < oldestKeptSlot) - ObservedChain.RunStartKept, chain.DroppedRunMisses[Name.Parse("ours")]);
    }

    [Fact]
    public void A_run_that_ended_is_trimmed_like_any_other_history_and_its_count_is_forgotten()
    {
        var outage = (From: S0 + 600, To: S0 + 6_000);
        var (events, _, _) = Outage(ObservedChain.KeptBlocks + 9_000, (slot, producer) => producer == "ours" && slot >= outage.From && slot < outage.To);

        var chain = Fold(events);

        Assert.Null(Participation.CurrentMissedRun(chain, Name.Parse("ours"), 12));
        Assert.Empty(chain.Misses);
        Assert.Empty(chain.DroppedRunMisses);
        Assert.True(chain.LastProduced[Name.Parse("ours")].Slot > outage.To);
    }

    [Fact]
    public void A_producer_last_block_is_remembered_after_it_is_trimmed_and_taken_back_by_a_fork_above_it()
    {
        var (events, blocks, _) = Outage(ObservedChain.KeptBlocks + 300, (_, _) => false);
        var chain = Fold(events);
        var ours = Name.Parse("ours");
        var lastOfOurs = blocks.Last(b => b.Producer == ours);
        var previousWindow = blocks.Last(b => b.Producer == ours && b.Slot < lastOfOurs.Slot - 12);
        Assert.Equal(new LastBlock(lastOfOurs.Slot, lastOfOurs.Number), chain.LastProduced[ours]);

        var fork = chain.Apply(new ForkSwitched(TestChain.ChainId, previousWindow.Number, previousWindow.Id, blocks[^1].Number, blocks[^1].Id, previousWindow.Number + 1, Id("fork", previousWindow.Number + 1), [], [], ObservedAt));

        Assert.Equal(new LastBlock(previousWindow.Slot, previousWindow.Number), fork.LastProduced[ours]);
        Assert.Equal(previousWindow.Number, fork.Head!.Number);
        var alice = Name.Parse("alice");
        Assert.True(fork.LastProduced[alice].Number <= previousWindow.Number);
        Assert.Equal(fork.Blocks.Values.Last(b => b.Producer == alice).Number, fork.LastProduced[alice].Number);
    }

    [Fact]
    public void A_fork_below_every_kept_block_of_a_producer_forgets_where_it_last_produced()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 12);
        var chain = Fold(FirstRecording(blocks, V1));
        var bob = Name.Parse("bob");
        Assert.Equal(12u, chain.LastProduced[bob].Number);

        var after = chain.Apply(new ForkSwitched(TestChain.ChainId, 11, blocks[1].Id, 12, blocks[2].Id, 12, Id("fork", 12), [], [], ObservedAt));

        Assert.False(after.LastProduced.ContainsKey(bob));
        Assert.Equal(11u, after.LastProduced[Name.Parse("alice")].Number);
    }

    [Fact]
    public void A_fork_below_every_kept_block_leaves_no_head_and_no_last_blocks()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 12);
        var chain = Fold(FirstRecording(blocks, V1));

        var after = chain.Apply(new ForkSwitched(TestChain.ChainId, 9, Id("before", 9), 12, blocks[2].Id, 10, Id("fork", 10), [], [], ObservedAt));

        Assert.Empty(after.Blocks);
        Assert.Null(after.Head);
        Assert.Empty(after.LastProduced);
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
