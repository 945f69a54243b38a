using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.ObserverSpec;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Chain;

/// <summary>
/// ChainDecider.Decide: what an observation adds to the chain stream. Every expected event is derived in the test
/// from protocol.md §2.2–2.3 (the producer of slot s is producers[(s mod 12N) div 12]) and §2.5–2.6 (schedule changes).
/// Schedule V1 is alice, bob, carol, dave, ours (5 producers, 60-slot rounds); S0 starts a round, so alice's window is
/// S0..S0+11, bob's S0+12..S0+23, carol's S0+24..S0+35, dave's S0+36..S0+47 and ours S0+48..S0+59.
/// </summary>
public sealed class ChainDeciderTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");

    private static IChainEvent[] Events(params IEnumerable<IChainEvent>[] parts) => [.. parts.SelectMany(p => p)];

    // ---- first observation -------------------------------------------------------------------------------------

    /// <summary>
    /// Block 1 is made from the genesis state by eosio, in a slot no schedule gives eosio: a record starts after it,
    /// and a branch of the genesis block alone adds nothing (issue 13's start-up race).
    /// </summary>
    [Theory]
    [InlineData(1u)]
    [InlineData(Savanna)]
    public void A_first_observation_starting_at_the_genesis_block_records_from_the_block_after_it(uint header)
    {
        var genesis = Block(1, Id("none", 0), S0 + 7, "eosio", header);
        var b2 = Block(2, genesis.Id, S0 + 8, "alice", header);
        var b3 = Block(3, b2.Id, S0 + 10, "alice", header);

        Given().When(Observe([genesis], V1.ToSchedule())).Then();
        Given().When(Observe([genesis, b2, b3], V1.ToSchedule())).Then(
            ScheduleChanged(V1, 2, S0 + 8),
            Produced(b2, 1),
            Missed(S0 + 9, "alice", 1, b3),
            Produced(b3, 1));
    }

    /// <summary>Only an empty record skips block 1: once recorded (or at any other height) a block by eosio is misattributed.</summary>
    [Fact]
    public void A_block_by_eosio_after_the_record_started_or_at_another_height_is_a_problem()
    {
        var b5 = Block(5, Id("none", 4), S0 + 7, "eosio", Savanna);
        Given().When(Observe([b5], V1.ToSchedule())).ThenProblem(["eosio", "alice"]);
    }


    [Theory]
    [InlineData(1u)]
    [InlineData(Savanna)]
    public void A_first_observation_records_the_schedule_from_its_first_block_and_charges_only_the_empty_slots_after_it(uint header)
    {
        var b100 = Block(100, Id("before", 99), S0 + 7, "alice", header);
        var b101 = Block(101, b100.Id, S0 + 8, "alice", header);
        var b102 = Block(102, b101.Id, S0 + 11, "alice", header);
        var b103 = Block(103, b102.Id, S0 + 14, "bob", header);

        var spec = Given()
            .When(Observe([b100, b101, b102, b103], V1.ToSchedule()))
            .Then(
                ScheduleChanged(V1, 100, S0 + 7),
                Produced(b100, 1),
                Produced(b101, 1),
                Missed(S0 + 9, "alice", 1, b102),
                Missed(S0 + 10, "alice", 1, b102),
                Produced(b102, 1),
                Missed(S0 + 12, "bob", 1, b103),
                Missed(S0 + 13, "bob", 1, b103),
                Produced(b103, 1));

        Assert.Equal(S0 + 7, spec.After.FirstObservedSlot);
        Assert.Equal(TestChain.ChainId, spec.After.ChainId);
        Assert.Equal(103u, spec.After.Head!.Number);
        Assert.Equal(1u, spec.After.ScheduleAt(S0 + 7)!.Schedule.Version);
        Assert.Null(spec.After.ScheduleAt(S0 + 6));
        Assert.DoesNotContain(spec.After.Misses.Keys, s => s < S0 + 7);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(Savanna)]
    public void A_first_observation_of_a_single_block_records_the_schedule_and_the_block(uint header)
    {
        var b100 = Block(100, Id("before", 99), S0 + 20, "bob", header);

        Given()
            .When(Observe([b100], V1.ToSchedule()))
            .Then(ScheduleChanged(V1, 100, S0 + 20), Produced(b100, 1));
    }

    [Fact]
    public void A_first_legacy_observation_uses_the_schedule_its_header_names_even_when_the_report_lists_it_as_pending()
    {
        var v2 = TestSchedule.Of(2, "alice", "bob", "carol", "ours");
        var blocks = Branch("main", 100, Id("before", 99), v2, 2, S0 + 48, S0 + 50);

        Given()
            .When(Observe(blocks, V1.ToSchedule(), pending: v2.ToSchedule()))
            .Then(FirstRecording(blocks, v2));
    }

    [Fact]
    public void A_first_legacy_observation_under_a_version_the_report_does_not_carry_is_a_problem_and_records_nothing()
    {
        var blocks = Branch("main", 100, Id("before", 99), V1, 7, S0, S0 + 1);

        Given()
            .When(Observe(blocks, V1.ToSchedule()))
            .ThenProblem(["block 100", "v7"]);
    }

    // ---- extension ---------------------------------------------------------------------------------------------

    [Fact]
    public void Each_empty_slot_between_two_blocks_is_missed_by_the_producer_scheduled_in_it_and_revealed_by_the_next_block()
    {
        var recorded = Branch("main", 100, Id("before", 99), V1, 1, S0, S0 + 1);
        var b102 = Block(102, recorded[^1].Id, S0 + 2, "alice", 1);
        var b103 = Block(103, b102.Id, S0 + 10, "alice", 1);
        var b104 = Block(104, b103.Id, S0 + 16, "bob", 1);

        Given(FirstRecording(recorded, V1))
            .When(Observe([b102, b103, b104], V1.ToSchedule()))
            .Then(Events(
                [Produced(b102, 1)], // right after its parent: reveals nothing
                SlotRange(S0 + 3, S0 + 9).Select(s => Missed(s, "alice", 1, b103)),
                [Produced(b103, 1)],
                [Missed(S0 + 11, "alice", 1, b104)],
                SlotRange(S0 + 12, S0 + 15).Select(s => Missed(s, "bob", 1, b104)),
                [Produced(b104, 1)]));
    }

    [Fact]
    public void A_gap_over_a_whole_round_charges_every_producer_its_own_window()
    {
        var recorded = Branch("main", 100, Id("before", 99), V1, Savanna, S0 + 58, S0 + 59);
        var next = Block(102, recorded[^1].Id, S0 + 60 + 60 + 1, "alice", Savanna);

        var spec = Given(FirstRecording(recorded, V1))
            .When(Observe([next], V1.ToSchedule()))
            .Then(Events(SlotRange(S0 + 60, S0 + 120).Select(s => Missed(s, V1.ProducerAt(s), 1, next)), [Produced(next, 1)]));

        Assert.Equal(
            [("alice", 13), ("bob", 12), ("carol", 12), ("dave", 12), ("ours", 12)],
            spec.Decision.Events.OfType<BlockMissed>().GroupBy(m => m.ScheduledProducer).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key, StringComparer.Ordinal));
    }

    [Property(MaxTest = 60)]
    public Property Any_extension_records_its_blocks_and_exactly_its_empty_slots_and_nothing_twice() =>
        Prop.ForAll(
            (from producers in Gen.Choose(1, 8)
             from steps in Gen.Choose(1, 30).ListOf().Where(l => l.Count > 0)
             from start in Gen.Choose(0, 400)
             from savanna in ArbMap.Default.GeneratorFor<bool>()
             select (producers, steps, start, savanna)).ToArbitrary(),
            x =>
            {
                var schedule = TestSchedule.Of(3, [.. new[] { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi" }.Take(x.producers)]);
                var header = x.savanna ? Savanna : 3u;
                var slots = new List<uint> { S0 + (uint)x.start };
                foreach (var step in x.steps)
                {
                    slots.Add(slots[^1] + (uint)step);
                }

                var blocks = Branch("p", 5000, Id("p", 4999), schedule, header, [.. slots]);
                var history = FirstRecording(blocks[..1], schedule);
                var chain = Fold(history);
                var observation = Observe(blocks.Skip(1), schedule.ToSchedule());
                var decision = ChainDecider.Decide(chain, observation);
                var after = decision.Events.Aggregate(chain, (c, e) => c.Apply(e));
                return decision.Problem is null
                    && Canonical(decision.Events).SequenceEqual(Canonical(Extension(slots[0], blocks.Skip(1), schedule)))
                    && ChainDecider.Decide(after, observation).Events.Count == 0
                    && ChainDecider.Decide(after, Observe(blocks, schedule.ToSchedule())).Events.Count == 0;
            });

    // ---- re-observation ----------------------------------------------------------------------------------------

    [Fact]
    public void Deciding_the_same_observation_again_after_folding_its_events_gives_nothing()
    {
        var blocks = Branch("main", 100, Id("before", 99), V1, 1, S0, S0 + 3, S0 + 4, S0 + 13);
        var first = Given().When(Observe(blocks, V1.ToSchedule())).Then(FirstRecording(blocks, V1));

        Given(first.Decision.Events).When(Observe(blocks, V1.ToSchedule())).Then();
        Given(first.Decision.Events).When(Observe(blocks[2..], V1.ToSchedule())).Then();
    }

    [Fact]
    public void An_observation_overlapping_the_recorded_blocks_after_a_restart_adds_only_the_new_blocks()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0 + 1, S0 + 2, S0 + 4, S0 + 5, S0 + 9, S0 + 14);
        var stored = blocks[..3]; // 10–12

        Given(FirstRecording(stored, V1))
            .When(Observe(blocks, V1.ToSchedule())) // 10–15
            .Then(Extension(S0 + 4, blocks[3..], V1)); // exactly 13–15
    }

    // ---- gaps and links ----------------------------------------------------------------------------------------

    [Fact]
    public void A_branch_starting_above_the_head_plus_one_asks_for_the_blocks_from_head_plus_one()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, SlotRange(S0, S0 + 6));

        Given(FirstRecording(blocks[..3], V1)) // 10–12
            .When(Observe(blocks[4..], V1.ToSchedule())) // 14–16
            .ThenNeedsBlocksFrom(13);
    }

    [Fact]
    public void A_next_block_that_does_not_link_to_the_head_asks_for_the_block_below_it()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var elsewhere = Branch("other", 13, Id("other", 12), V1, 1, S0 + 3, S0 + 4);

        Given(FirstRecording(blocks, V1))
            .When(Observe(elsewhere, V1.ToSchedule()))
            .ThenNeedsBlocksFrom(12);
    }

    [Fact]
    public void A_replacing_block_that_does_not_link_to_the_recorded_block_below_it_asks_for_that_block()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var elsewhere = Branch("other", 12, Id("other", 11), V1, 1, S0 + 3, S0 + 4);

        Given(FirstRecording(blocks, V1))
            .When(Observe(elsewhere, V1.ToSchedule()))
            .ThenNeedsBlocksFrom(11);
    }

    // ---- forks -------------------------------------------------------------------------------------------------

    /// <summary>
    /// Recorded: 10 @S0, 11 @S0+1, 12 @S0+3 (reveals S0+2), 13 @S0+5 (reveals S0+4), 14 @S0+6, 15 @S0+9 (reveals S0+7, S0+8).
    /// The endpoint's branch leaves it after 12: 13' @S0+6, 14' @S0+7, 15' @S0+8, 16' @S0+12.
    /// </summary>
    private static (List<ObservedBlock> Old, List<ObservedBlock> New) ForkScenario(uint header)
    {
        var old = Branch("main", 10, Id("before", 9), V1, header, S0, S0 + 1, S0 + 3, S0 + 5, S0 + 6, S0 + 9);
        var fork = Branch("fork", 13, old[2].Id, V1, header, S0 + 6, S0 + 7, S0 + 8, S0 + 12);
        return (old, fork);
    }

    /// <summary>The switch from <see cref="ForkScenario"/>'s recorded branch at 12 to <paramref name="newHead"/>: 13–15 and the misses they revealed (S0+4, S0+7, S0+8) orphaned.</summary>
    private static ForkSwitched SwitchAwayFrom(List<ObservedBlock> old, ObservedBlock newHead) => new(
        TestChain.ChainId, 12, old[2].Id, 15, old[5].Id, newHead.Number, newHead.Id,
        [new OrphanedBlock(13, old[3].Id, "alice", S0 + 5, 1), new OrphanedBlock(14, old[4].Id, "alice", S0 + 6, 1), new OrphanedBlock(15, old[5].Id, "alice", S0 + 9, 1)],
        [new OrphanedMiss(S0 + 4, "alice", 1), new OrphanedMiss(S0 + 7, "alice", 1), new OrphanedMiss(S0 + 8, "alice", 1)],
        ObservedAt);

    [Theory]
    [InlineData(1u)]
    [InlineData(Savanna)]
    public void A_branch_replacing_recorded_blocks_orphans_them_with_the_misses_they_revealed_then_records_the_new_branch(uint header)
    {
        var (old, fork) = ForkScenario(header);
        var expected = Events(
            [SwitchAwayFrom(old, fork[3])],
            [Missed(S0 + 4, "alice", 1, fork[0]), Missed(S0 + 5, "alice", 1, fork[0]), Produced(fork[0], 1)],
            [Produced(fork[1], 1), Produced(fork[2], 1)],
            [Missed(S0 + 9, "alice", 1, fork[3]), Missed(S0 + 10, "alice", 1, fork[3]), Missed(S0 + 11, "alice", 1, fork[3]), Produced(fork[3], 1)]);

        var spec = Given(FirstRecording(old, V1)).When(Observe(fork, V1.ToSchedule())).Then(expected);
        Given([.. spec.History, .. spec.Decision.Events]).When(Observe(fork, V1.ToSchedule())).Then();

        // The branch may also start at the last common block.
        Given(FirstRecording(old, V1)).When(Observe([old[2], .. fork], V1.ToSchedule())).Then(expected);
    }

    [Fact]
    public void Folding_a_fork_switch_leaves_no_trace_of_the_orphaned_blocks_and_misses()
    {
        var (old, fork) = ForkScenario(Savanna);
        var spec = Given(FirstRecording(old, V1)).When(Observe(fork, V1.ToSchedule()));
        var clean = Fold([.. FirstRecording(old[..3], V1), .. Extension(old[2].Slot, fork, V1)]);

        Assert.Equal(clean.Blocks.Values, spec.After.Blocks.Values);
        Assert.Equal(clean.Misses.Values, spec.After.Misses.Values);
        Assert.Equal(clean.Schedules.Select(s => (s.Schedule.Version, s.FromSlot, s.FromBlockNum)), spec.After.Schedules.Select(s => (s.Schedule.Version, s.FromSlot, s.FromBlockNum)));
        Assert.Equal(clean.FirstObservedSlot, spec.After.FirstObservedSlot);
        Assert.DoesNotContain(spec.After.Blocks.Values, b => old[3..].Any(o => o.Id == b.Id));
        Assert.DoesNotContain(spec.After.Misses.Values, m => m.RevealedById == old[3].Id || m.RevealedById == old[5].Id);
    }

    [Fact]
    public void A_fork_to_a_shorter_branch_orphans_every_recorded_block_above_the_fork_and_names_the_new_head()
    {
        var (old, fork) = ForkScenario(1);

        Given(FirstRecording(old, V1))
            .When(Observe(fork[..1], V1.ToSchedule()))
            .Then(
                SwitchAwayFrom(old, fork[0]),
                Missed(S0 + 4, "alice", 1, fork[0]),
                Missed(S0 + 5, "alice", 1, fork[0]),
                Produced(fork[0], 1));
    }

    [Fact]
    public void A_fork_that_replaces_a_schedule_change_takes_the_change_back()
    {
        var v2 = TestSchedule.Of(2, "alice", "bob", "carol", "ours");
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0 + 1, S0 + 2);
        var changed = Block(12, recorded[1].Id, S0 + 50, v2.ProducerAt(S0 + 50), 2);
        var history = Events(FirstRecording(recorded, V1), [ScheduleChanged(v2, 12, S0 + 3)], Extension(S0 + 2, [changed], v2));
        var fork = Branch("fork", 12, recorded[1].Id, V1, 1, S0 + 3);

        var spec = Given(history).When(Observe(fork, V1.ToSchedule(), pending: v2.ToSchedule()));

        Assert.IsType<ForkSwitched>(spec.Decision.Events[0]);
        Assert.Null(spec.Decision.Problem);
        Assert.Equal([1u], spec.After.Schedules.Select(s => s.Schedule.Version));
        Assert.Equal(1u, spec.After.Head!.ScheduleVersion);
    }

    [Fact]
    public void A_fork_below_the_first_recorded_block_is_beyond_the_kept_history_a_problem_and_nothing_recorded()
    {
        var blocks = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var deep = Branch("deep", 10, Id("deep", 9), V1, 1, S0 + 1, S0 + 2, S0 + 3, S0 + 4);

        Given(FirstRecording(blocks, V1))
            .When(Observe(deep, V1.ToSchedule()))
            .ThenProblem(["block 10"]);
    }

    [Fact]
    public void A_fork_whose_branch_turns_misattributed_after_an_accepted_block_switches_to_that_block_and_stops_there()
    {
        // 13' is alice's as scheduled; 14' is bob's in alice's slot. The switch is kept (a block of the new branch was
        // accepted) and names 13', the last block recorded, as the new head; nothing from 14' on is recorded.
        var (old, fork) = ForkScenario(1);
        var wrong = Block(14, fork[0].Id, S0 + 7, "bob", 1, tag: "fork");

        Given(FirstRecording(old, V1))
            .When(Observe([fork[0], wrong], V1.ToSchedule()))
            .ThenProblem(
                ["block 14", "bob", "alice"],
                SwitchAwayFrom(old, fork[0]),
                Missed(S0 + 4, "alice", 1, fork[0]),
                Missed(S0 + 5, "alice", 1, fork[0]),
                Produced(fork[0], 1));
    }

    [Fact]
    public void A_fork_to_a_branch_whose_first_block_is_misattributed_orphans_nothing()
    {
        // The endpoint's branch leaves ours after 12, but its first block is produced by bob in alice's slot: the
        // decider rejects that block, so nothing of that branch can be recorded, and the recorded blocks 13–15 must stay.
        var (old, _) = ForkScenario(1);
        var wrong = Block(13, old[2].Id, S0 + 6, "bob", 1, tag: "fork");
        var next = Block(14, wrong.Id, S0 + 7, "alice", 1, tag: "fork");

        var spec = Given(FirstRecording(old, V1))
            .When(Observe([wrong, next], V1.ToSchedule()))
            .ThenProblem(["block 13", "bob"]);

        Assert.Equal(15u, spec.After.Head!.Number);
    }

    // ---- misattribution and broken branches --------------------------------------------------------------------

    [Fact]
    public void A_block_by_a_producer_not_scheduled_in_its_slot_is_a_problem_and_nothing_from_it_on_is_recorded()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var b13 = Block(13, recorded[2].Id, S0 + 3, "alice", 1);
        var b14 = Block(14, b13.Id, S0 + 5, "alice", 1);
        var b15 = Block(15, b14.Id, S0 + 7, "bob", 1); // alice's slot
        var b16 = Block(16, b15.Id, S0 + 8, "alice", 1);

        Given(FirstRecording(recorded, V1))
            .When(Observe([b13, b14, b15, b16], V1.ToSchedule()))
            .ThenProblem(["block 15", "bob", "alice"], Extension(S0 + 2, [b13, b14], V1));
    }

    [Fact]
    public void A_misattributed_block_in_a_first_observation_keeps_the_blocks_before_it_and_a_misattributed_first_block_keeps_nothing()
    {
        var b10 = Block(10, Id("before", 9), S0 + 12, "bob", 1);
        var b11 = Block(11, b10.Id, S0 + 13, "carol", 1);

        Given().When(Observe([b10, b11], V1.ToSchedule())).ThenProblem(["block 11", "carol"], ScheduleChanged(V1, 10, S0 + 12), Produced(b10, 1));
        Given().When(Observe([b11 with { Number = 10, Previous = Id("before", 9) }], V1.ToSchedule())).ThenProblem(["block 10", "carol"]);
    }

    public static TheoryData<string> Breaks => ["number skips", "previous is not the block before", "slot repeats", "slot goes back"];

    [Theory]
    [MemberData(nameof(Breaks))]
    public void A_branch_whose_blocks_do_not_follow_each_other_is_a_problem_and_records_nothing(string how)
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var b13 = Block(13, recorded[2].Id, S0 + 3, "alice", 1);
        var b14 = how switch
        {
            "number skips" => Block(15, b13.Id, S0 + 4, "alice", 1),
            "previous is not the block before" => Block(14, Id("other", 13), S0 + 4, "alice", 1),
            "slot repeats" => Block(14, b13.Id, S0 + 3, "alice", 1),
            _ => Block(14, b13.Id, S0 + 2, "alice", 1),
        };
        var b15 = Block(15, b14.Id, S0 + 5, "alice", 1);

        Given(FirstRecording(recorded, V1)).When(Observe([b13, b14, b15], V1.ToSchedule())).ThenProblem([$"block {b14.Number}", "block 13"]);
        Given().When(Observe([b13, b14, b15], V1.ToSchedule())).ThenProblem([$"block {b14.Number}", "block 13"]);
    }

    [Fact]
    public void An_endpoint_serving_another_chain_is_a_problem_and_records_nothing()
    {
        const string otherChain = "73e4385a2708e6d7048834fbc1079f2fabb17b3c125b146af438971e90716c4d";
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1);
        var next = Branch("main", 12, recorded[1].Id, V1, 1, S0 + 2);

        Given(FirstRecording(recorded, V1))
            .When(Observe(next, V1.ToSchedule(), chainId: otherChain))
            .ThenProblem([otherChain, TestChain.ChainId]);
    }

    [Fact]
    public void An_empty_branch_decides_nothing()
    {
        Given().When(Observe([], V1.ToSchedule())).Then();
        Given(FirstRecording(Branch("main", 10, Id("before", 9), V1, 1, S0), V1)).When(Observe([], V1.ToSchedule())).Then();
    }

    // ---- schedule changes: legacy ------------------------------------------------------------------------------

    /// <summary>V2 drops dave: alice, bob, carol, ours (4 producers, 48-slot rounds).</summary>
    private static readonly TestSchedule V2 = TestSchedule.Of(2, "alice", "bob", "carol", "ours");

    [Theory]
    [InlineData("active")]
    [InlineData("pending")]
    public void A_legacy_header_naming_a_new_version_switches_schedules_from_the_slot_after_its_parent(string reportedAs)
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var b13 = Block(13, recorded[2].Id, S0 + 3, "alice", 1);

        // Under V2, S0+50 is (50 mod 48) div 12 = 0 → alice (under V1 it would be ours); S0+36..S0+47 are ours' under V2 (dave's under V1).
        var b14 = Block(14, b13.Id, S0 + 50, "alice", 2);
        var b15 = Block(15, b14.Id, S0 + 51, "alice", 2);
        var report = reportedAs == "active" ? Observe([b13, b14, b15], V2.ToSchedule()) : Observe([b13, b14, b15], V1.ToSchedule(), pending: V2.ToSchedule());

        var spec = Given(FirstRecording(recorded, V1))
            .When(report)
            .Then(Events(
                [Produced(b13, 1), ScheduleChanged(V2, 14, S0 + 4)],
                SlotRange(S0 + 4, S0 + 11).Select(s => Missed(s, "alice", 2, b14)),
                SlotRange(S0 + 12, S0 + 23).Select(s => Missed(s, "bob", 2, b14)),
                SlotRange(S0 + 24, S0 + 35).Select(s => Missed(s, "carol", 2, b14)),
                SlotRange(S0 + 36, S0 + 47).Select(s => Missed(s, "ours", 2, b14)),
                SlotRange(S0 + 48, S0 + 49).Select(s => Missed(s, "alice", 2, b14)),
                [Produced(b14, 2), Produced(b15, 2)]));

        Assert.Equal(1u, spec.After.ScheduleAt(S0 + 3)!.Schedule.Version);
        Assert.Equal(2u, spec.After.ScheduleAt(S0 + 4)!.Schedule.Version);
        Assert.Equal(4, spec.After.CurrentSchedule!.Schedule.Producers.Count);
    }

    [Fact]
    public void A_legacy_header_naming_a_version_found_only_among_the_historical_schedules_switches_to_it()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var b13 = Block(13, recorded[2].Id, S0 + 50, "alice", 2); // alice under V2, ours under V1
        var v3 = TestSchedule.Of(3, "alice", "bob", "ours");
        var observation = new ChainObservation(TestChain.ChainId, [b13], new ScheduleReport(v3.ToSchedule()) { Historical = [V2.ToSchedule()] }, ObservedAt);

        Given(FirstRecording(recorded, V1))
            .When(observation)
            .Then(Events([ScheduleChanged(V2, 13, S0 + 3)], SlotRange(S0 + 3, S0 + 49).Select(s => Missed(s, V2.ProducerAt(s), 2, b13)), [Produced(b13, 2)]));
    }

    [Fact]
    public void A_legacy_header_naming_a_version_the_report_does_not_carry_is_a_problem_after_the_blocks_before_it()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var b13 = Block(13, recorded[2].Id, S0 + 3, "alice", 1);
        var b14 = Block(14, b13.Id, S0 + 50, "alice", 3);

        Given(FirstRecording(recorded, V1))
            .When(Observe([b13, b14], V2.ToSchedule()))
            .ThenProblem(["block 14", "v3"], Produced(b13, 1));
    }

    [Fact]
    public void A_legacy_header_naming_an_older_version_than_the_one_in_force_is_a_problem_even_when_that_version_was_recorded()
    {
        // V1 then V2 are recorded; a child of a V2 block naming V1 again cannot be on a valid branch (protocol.md §2.5):
        // charging its empty slots to V1's producers would blame the wrong ones.
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var b13 = Block(13, recorded[2].Id, S0 + 50, "alice", 2);
        var history = Events(FirstRecording(recorded, V1), [ScheduleChanged(V2, 13, S0 + 3)], Extension(S0 + 2, [b13], V2));
        var b14 = Block(14, b13.Id, S0 + 52, V1.ProducerAt(S0 + 52), 1);
        var report = new ChainObservation(TestChain.ChainId, [b14], new ScheduleReport(V2.ToSchedule()) { Historical = [V1.ToSchedule()] }, ObservedAt);

        var spec = Given(history).When(report).ThenProblem(["block 14", "v1", "older than v2"]);

        Assert.Equal(13u, spec.After.Head!.Number);
        Assert.Equal(2u, spec.After.CurrentSchedule!.Schedule.Version);
    }

    [Fact]
    public void A_legacy_block_by_a_producer_its_named_schedule_does_not_give_the_slot_is_a_problem()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 2);
        var b13 = Block(13, recorded[2].Id, S0 + 50, "ours", 2); // ours under V1, alice under V2

        Given(FirstRecording(recorded, V1))
            .When(Observe([b13], V2.ToSchedule()))
            .ThenProblem(["block 13", "ours", "alice"]);
    }

    // ---- schedule changes: Savanna -----------------------------------------------------------------------------

    /// <summary>V2r replaces dave with erin (same position by name): dave's window S0+36..S0+47 becomes erin's.</summary>
    private static readonly TestSchedule V2r = TestSchedule.Of(2, "alice", "bob", "carol", "erin", "ours");

    [Fact]
    public void A_newer_savanna_schedule_takes_effect_at_the_first_window_opening_block_from_which_all_blocks_fit_it()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 28, S0 + 30); // carol
        var b12 = Block(12, recorded[1].Id, S0 + 33, "carol", Savanna);
        var b13 = Block(13, b12.Id, S0 + 38, "erin", Savanna); // opens the window S0+36: dave's under V1, erin's under V2r
        var b14 = Block(14, b13.Id, S0 + 39, "erin", Savanna);

        var spec = Given(FirstRecording(recorded, V1))
            .When(Observe([b12, b13, b14], V2r.ToSchedule()))
            .Then(
                Missed(S0 + 31, "carol", 1, b12),
                Missed(S0 + 32, "carol", 1, b12),
                Produced(b12, 1),
                ScheduleChanged(V2r, 13, S0 + 36),
                Missed(S0 + 34, "carol", 1, b13), // the parent's window stays under the old schedule
                Missed(S0 + 35, "carol", 1, b13),
                Missed(S0 + 36, "erin", 2, b13), // the new window is the new schedule's
                Missed(S0 + 37, "erin", 2, b13),
                Produced(b13, 2),
                Produced(b14, 2));

        Assert.Equal(1u, spec.After.ScheduleAt(S0 + 35)!.Schedule.Version);
        Assert.Equal(2u, spec.After.ScheduleAt(S0 + 36)!.Schedule.Version);
        Assert.Equal(13u, spec.After.CurrentSchedule!.FromBlockNum);
    }

    [Fact]
    public void A_savanna_change_of_keys_only_takes_effect_at_the_first_window_opening_block()
    {
        var v2k = V1.WithKey(2, "ours", "ours-standby");
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 18, S0 + 20); // bob
        var branch = Branch("main", 12, recorded[1].Id, V1, Savanna, S0 + 22, S0 + 25, S0 + 26); // S0+25 opens carol's window

        var spec = Given(FirstRecording(recorded, V1))
            .When(Observe(branch, v2k.ToSchedule()))
            .Then(
                Missed(S0 + 21, "bob", 1, branch[0]),
                Produced(branch[0], 1),
                ScheduleChanged(v2k, 13, S0 + 24),
                Missed(S0 + 23, "bob", 1, branch[1]),
                Missed(S0 + 24, "carol", 2, branch[1]),
                Produced(branch[1], 2),
                Produced(branch[2], 2));

        Assert.Equal(v2k.KeyOf("ours"), spec.After.CurrentSchedule!.Schedule.Find(Name.Parse("ours"))!.Authority.Keys.Single().Key);
        Assert.NotEqual(V1.KeyOf("ours"), v2k.KeyOf("ours"));
    }

    [Fact]
    public void A_newer_savanna_schedule_waits_while_the_branch_opens_no_window_and_takes_effect_at_the_next_opening()
    {
        var v2k = V1.WithKey(2, "ours", "ours-standby");
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 12, S0 + 13); // bob
        var inWindow = Branch("main", 12, recorded[1].Id, V1, Savanna, S0 + 15, S0 + 17);
        var opening = Branch("main", 14, inWindow[1].Id, V1, Savanna, S0 + 25);

        var first = Given(FirstRecording(recorded, V1))
            .When(Observe(inWindow, v2k.ToSchedule()))
            .Then(Extension(S0 + 13, inWindow, V1));

        Given([.. first.History, .. first.Decision.Events])
            .When(Observe(opening, v2k.ToSchedule()))
            .Then(Events(
                [ScheduleChanged(v2k, 14, S0 + 24)],
                SlotRange(S0 + 18, S0 + 23).Select(s => Missed(s, "bob", 1, opening[0])),
                [Missed(S0 + 24, "carol", 2, opening[0]), Produced(opening[0], 2)]));
    }

    [Fact]
    public void A_newer_savanna_schedule_with_another_producer_waits_while_the_blocks_still_fit_the_old_one_in_the_same_window()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 36, S0 + 37); // dave
        var inWindow = Branch("main", 12, recorded[1].Id, V1, Savanna, S0 + 39, S0 + 40);

        Given(FirstRecording(recorded, V1))
            .When(Observe(inWindow, V2r.ToSchedule()))
            .Then(Extension(S0 + 37, inWindow, V1));
    }

    [Fact]
    public void Savanna_blocks_that_fit_neither_the_recorded_nor_the_reported_schedule_are_a_problem_and_record_nothing()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 28, S0 + 30);
        var b12 = Block(12, recorded[1].Id, S0 + 33, "carol", Savanna);
        var b13 = Block(13, b12.Id, S0 + 38, "frank", Savanna); // neither dave (V1) nor erin (V2r)

        Given(FirstRecording(recorded, V1))
            .When(Observe([b12, b13], V2r.ToSchedule()))
            .ThenProblem(["v1", "v2"]);
    }

    [Fact]
    public void Savanna_blocks_of_the_old_producer_after_a_window_opening_while_the_report_is_newer_are_a_problem()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 28, S0 + 30);
        var branch = Branch("main", 12, recorded[1].Id, V1, Savanna, S0 + 33, S0 + 38); // dave at S0+38, but V2r says erin

        Given(FirstRecording(recorded, V1))
            .When(Observe(branch, V2r.ToSchedule()))
            .ThenProblem(["v1", "v2"]);
    }

    [Fact]
    public void A_misfit_savanna_block_without_a_window_opening_while_the_report_is_newer_is_a_problem_and_records_nothing()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 36, S0 + 37); // dave
        var b12 = Block(12, recorded[1].Id, S0 + 38, "dave", Savanna);
        var b13 = Block(13, b12.Id, S0 + 39, "erin", Savanna); // still dave's window: only V1 can schedule it

        Given(FirstRecording(recorded, V1))
            .When(Observe([b12, b13], V2r.ToSchedule()))
            .ThenProblem(["v1", "v2"]);
    }

    [Fact]
    public void A_newer_savanna_schedule_never_takes_effect_in_the_middle_of_a_window()
    {
        // The first block of dave's/erin's window is dave's (V1); the next, in the same window, is erin's (V2r).
        // Savanna switches proposer policies only at a window's first block, so no switch explains this branch.
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 28, S0 + 30);
        var b12 = Block(12, recorded[1].Id, S0 + 37, "dave", Savanna);
        var b13 = Block(13, b12.Id, S0 + 40, "erin", Savanna);

        var spec = Given(FirstRecording(recorded, V1))
            .When(Observe([b12, b13], V2r.ToSchedule()))
            .ThenProblem(["v1", "v2"]);

        Assert.Equal(1u, spec.After.CurrentSchedule!.Schedule.Version);
    }

    [Fact]
    public void A_newer_savanna_schedule_is_not_adopted_when_a_block_before_its_window_fits_neither_schedule()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 28, S0 + 30); // carol
        var b12 = Block(12, recorded[1].Id, S0 + 31, "carol", Savanna);
        var b13 = Block(13, b12.Id, S0 + 33, "erin", Savanna); // carol's slot under both schedules
        var b14 = Block(14, b13.Id, S0 + 38, "erin", Savanna); // opens erin's window under V2r

        var spec = Given(FirstRecording(recorded, V1))
            .When(Observe([b12, b13, b14], V2r.ToSchedule()))
            .ThenProblem(["v1", "v2"]);

        Assert.DoesNotContain(13u, spec.After.Blocks.Keys);
    }

    [Fact]
    public void A_newer_savanna_schedule_is_not_adopted_when_a_block_after_its_window_opening_fits_it_not()
    {
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 28, S0 + 30); // carol
        var b12 = Block(12, recorded[1].Id, S0 + 38, "erin", Savanna); // opens erin's window under V2r
        var b13 = Block(13, b12.Id, S0 + 49, "dave", Savanna); // ours' window under both

        var spec = Given(FirstRecording(recorded, V1))
            .When(Observe([b12, b13], V2r.ToSchedule()))
            .ThenProblem(["v1", "v2"]);

        Assert.Equal(1u, spec.After.CurrentSchedule!.Schedule.Version);
    }

    [Fact]
    public void Deciding_needs_a_state_and_an_observation()
    {
        Assert.Throws<ArgumentNullException>(() => ChainDecider.Decide(null!, Observe([], V1.ToSchedule())));
        Assert.Throws<ArgumentNullException>(() => ChainDecider.Decide(ObservedChain.Empty, null!));
    }

    [Fact]
    public void A_savanna_report_older_than_the_recorded_schedule_changes_nothing()
    {
        var v2k = V1.WithKey(2, "ours", "ours-standby");
        var recorded = Branch("main", 10, Id("before", 9), V1, Savanna, S0 + 10, S0 + 11);
        var history = Events(FirstRecording(recorded, v2k));
        var branch = Branch("main", 12, recorded[1].Id, V1, Savanna, S0 + 12, S0 + 25);

        Given(history).When(Observe(branch, V1.ToSchedule())).Then(Extension(S0 + 11, branch, v2k));
    }
}
