using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.ReadModels;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.ReadModelSpec;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.ReadModels;

/// <summary>
/// The chain-health read model as a fold of observation events into documents (design §6). Schedule V1 is alice, bob,
/// carol, dave, ours (60-slot rounds from S0); every expected count is derived in the test from the filled slots and
/// protocol.md §2.2's formula.
/// </summary>
public sealed class ChainHealthReadModelTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly TestSchedule V2 = TestSchedule.Of(2, "alice", "bob", "carol", "ours");

    private static List<ObservedBlock> Blocks(uint first, uint last, Func<uint, bool> filled, TestSchedule? schedule = null, uint header = 1, uint firstNumber = 1000) =>
        Branch("main", firstNumber, Id("before", firstNumber - 1), schedule ?? V1, header, [.. SlotRange(first, last).Where(s => s == first || s == last || filled(s))]);

    /// <summary>(producer, produced, missed) per producer over [first, last], by the formula, in name order.</summary>
    private static List<(string, int, int)> ExpectedCounts(uint first, uint last, Func<uint, bool> filled, TestSchedule schedule) =>
        [.. SlotRange(first, last)
            .GroupBy(schedule.ProducerAt)
            .OrderBy(g => Name.Parse(g.Key).Value)
            .Select(g => (g.Key, g.Count(s => filled(s)), g.Count(s => !filled(s))))];

    private static ParticipationSampled Sample(ObservedBlock head, uint lib, DateTimeOffset at, double? lastFullRound = null, int ourMissed = 0) => new(
        TestChain.ChainId, "observer-a", at, head.Number, head.Id, head.Timestamp, lib, Id("main", lib), 1, 5,
        lastFullRound is { } rate ? new ParticipationFigures(S0, S0 + 59, 4, (int)(rate * 4), [], 60, 50) : null,
        new ParticipationFigures(S0 + 1, S0 + 60, 4, 4, [], 60, 55),
        [new EndpointView("https://a.example", true, head.Number, true)],
        [new DataCenterNodeView("dc1", head.Number, head.Timestamp, null)],
        ourMissed);

    // ---- rounds ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Each_round_counts_every_producers_produced_and_missed_slots_and_the_participation_of_the_others()
    {
        // bob misses S0+14 and S0+15; carol misses her whole window; ours misses S0+54..S0+59; alice opens the next round.
        bool Filled(uint s) => s != S0 + 14 && s != S0 + 15 && V1.ProducerAt(s) != "carol" && !(s >= S0 + 54 && s <= S0 + 59);
        var blocks = Blocks(S0, S0 + 60, Filled);

        var view = await Given(FirstRecording(blocks, V1)).Then();

        var round = view.Round(S0);
        Assert.Equal((S0, S0 + 59, 60, 5), (round.RoundStart, round.RoundEnd, round.Slots, round.ScheduledProducers));
        Assert.Equal(BlockTimestamp.FromSlot(S0), round.StartsAt);
        Assert.Equal([1u], round.ScheduleVersions);
        Assert.Equal(ExpectedCounts(S0, S0 + 59, Filled, V1), ReadModelView.Counts(round));
        Assert.Equal([("alice", 12, 0), ("bob", 10, 2), ("carol", 0, 12), ("dave", 12, 0), ("ours", 6, 6)], ReadModelView.Counts(round));
        Assert.Equal((4, 3, 0.75), (round.OthersScheduled, round.OthersProducing, round.Participation));
        Assert.Equal(60, round.ObservedSlots);
        Assert.Equal(OurRoundStatus.MissedSome, round.OurStatus);

        var next = view.Round(S0 + 60);
        Assert.Equal([("alice", 1, 0)], ReadModelView.Counts(next));
        Assert.Equal(OurRoundStatus.NotScheduled, next.OurStatus);
        Assert.Equal([S0, S0 + 60], view.RoundStarts);
    }

    [Fact]
    public async Task Our_status_in_a_round_is_produced_missed_all_or_not_scheduled()
    {
        var all = await Given(FirstRecording(Blocks(S0, S0 + 60, _ => true), V1)).Then();
        var none = await Given(FirstRecording(Blocks(S0, S0 + 60, s => V1.ProducerAt(s) != "ours"), V1)).Then();
        var unscheduled = await Given(FirstRecording(Blocks(S0, S0 + 60, _ => true, TestSchedule.Of(1, "alice", "bob", "carol", "dave", "erin")), TestSchedule.Of(1, "alice", "bob", "carol", "dave", "erin"))).Then();

        Assert.Equal(OurRoundStatus.Produced, all.Round(S0).OurStatus);
        Assert.Equal(OurRoundStatus.MissedAll, none.Round(S0).OurStatus);
        Assert.Equal(("ours", 0, 12), ReadModelView.Counts(none.Round(S0)).Single(c => c.Item1 == "ours"));
        Assert.Equal(1.0, none.Round(S0).Participation);
        Assert.Equal(OurRoundStatus.NotScheduled, unscheduled.Round(S0).OurStatus);
        Assert.Null(unscheduled.Round(S0).Ours);
    }

    [Fact]
    public async Task Slots_after_a_mid_round_change_to_another_producer_count_go_to_the_round_of_the_new_schedule()
    {
        // V1 (5 producers) up to S0+62; a legacy block under V2 (4 producers) at S0+70 switches from S0+63.
        var before = Blocks(S0 + 55, S0 + 62, _ => true);
        var changed = Block(before[^1].Number + 1, before[^1].Id, S0 + 70, V2.ProducerAt(S0 + 70), 2);

        var view = await Given(FirstRecording(before, V1))
            .When([ScheduleChanged(V2, changed.Number, S0 + 63), .. Extension(S0 + 62, [changed], V2)])
            .Then();

        // By hand: under V1 rounds start at multiples of 60 (S0, S0+60); under V2 at multiples of 48, and
        // S0+63 − ((S0+63) mod 48) = S0+48 because S0 is a multiple of 48. V2 gives S0+60..S0+71 to bob.
        Assert.Equal([S0, S0 + 48, S0 + 60], view.RoundStarts);
        Assert.Equal([("ours", 5, 0)], ReadModelView.Counts(view.Round(S0)));
        Assert.Equal([("alice", 3, 0)], ReadModelView.Counts(view.Round(S0 + 60)));
        var v2Round = view.Round(S0 + 48);
        Assert.Equal([("bob", 1, 7)], ReadModelView.Counts(v2Round));
        Assert.Equal((4, S0 + 95, 48), (v2Round.ScheduledProducers, v2Round.RoundEnd, v2Round.Slots));
        Assert.Equal([2u], v2Round.ScheduleVersions);
        Assert.Equal([1u], view.Round(S0 + 60).ScheduleVersions);
    }

    // ---- forks -------------------------------------------------------------------------------------------------

    /// <summary>
    /// Recorded: 10 @S0, 11 @S0+1, 12 @S0+3, 13 @S0+5, 14 @S0+6, 15 @S0+9 (all alice); the endpoint's branch leaves it
    /// after 12: 13' @S0+6, 14' @S0+7, 15' @S0+8 (alice), 16' @S0+12 (bob).
    /// </summary>
    private static (List<IChainEvent> WithFork, List<IChainEvent> Clean) ForkHistories()
    {
        var old = Branch("main", 10, Id("before", 9), V1, 1, S0, S0 + 1, S0 + 3, S0 + 5, S0 + 6, S0 + 9);
        var fork = Branch("fork", 13, old[2].Id, V1, 1, S0 + 6, S0 + 7, S0 + 8, S0 + 12);
        var forkSwitched = new ForkSwitched(
            TestChain.ChainId, 12, old[2].Id, 15, old[5].Id, 16, fork[3].Id,
            [.. old[3..].Select(b => new OrphanedBlock(b.Number, b.Id, b.Producer.ToString(), b.Slot, 1))],
            [new OrphanedMiss(S0 + 4, "alice", 1), new OrphanedMiss(S0 + 7, "alice", 1), new OrphanedMiss(S0 + 8, "alice", 1)],
            ObservedAt.AddSeconds(5));
        return (
            [.. FirstRecording(old, V1), forkSwitched, .. Extension(S0 + 3, fork, V1)],
            [.. FirstRecording(old[..3], V1), .. Extension(S0 + 3, fork, V1)]);
    }

    [Fact]
    public async Task A_fork_switch_takes_back_exactly_the_orphaned_blocks_and_misses_and_the_new_branch_counts_again()
    {
        var (withFork, clean) = ForkHistories();

        var forked = await Given(withFork).Then();
        var expected = await Given(clean).Then();

        // By hand: alice keeps 10, 11, 12 and gets 13', 14', 15' (6 produced); her empty slots are S0+2, S0+4, S0+5,
        // S0+9, S0+10, S0+11 (6 missed); bob has 16'. The old branch's S0+7, S0+8 misses and its three blocks are gone.
        Assert.Equal([("alice", 6, 6), ("bob", 1, 0)], ReadModelView.Counts(forked.Round(S0)));
        Assert.Equal(ReadModelView.Counts(expected.Round(S0)), ReadModelView.Counts(forked.Round(S0)));
        Assert.Equal((6L, 6L), (forked.Producer("alice").Produced, forked.Producer("alice").Missed));
        Assert.Equal(expected.Producer("alice").RecentRounds, forked.Producer("alice").RecentRounds);
        Assert.Equal(expected.Producer("bob").RecentRounds, forked.Producer("bob").RecentRounds);
        Assert.Equal(expected.RoundStarts, forked.RoundStarts);
        Assert.Equal((16u, Id("fork", 16), "bob"), (forked.Status.HeadBlockNum, forked.Status.HeadBlockId, forked.Status.HeadProducer));
        Assert.Equal((1L, ObservedAt.AddSeconds(5)), (forked.Status.ForkSwitches, forked.Status.LastForkAt));
    }

    [Fact]
    public async Task A_fork_switch_forgets_a_producers_last_block_and_last_miss_when_they_were_orphaned()
    {
        var (withFork, _) = ForkHistories();
        var beforeFork = withFork.TakeWhile(e => e is not ForkSwitched).ToList();

        var view = await Given(beforeFork).When(withFork[beforeFork.Count]).Then();

        var alice = view.Producer("alice");
        Assert.Equal((3L, 1L), (alice.Produced, alice.Missed)); // 10, 11, 12 and the miss S0+2 remain
        Assert.Null(alice.LastProducedBlockNum); // it was 15, orphaned
        Assert.Null(alice.LastMissedSlot); // it was S0+8, orphaned
        Assert.Equal([new RoundSlots(S0, 3, 1)], alice.RecentRounds);
        Assert.Equal([("alice", 3, 1)], ReadModelView.Counts(view.Round(S0)));
        Assert.Equal(12u, view.Status.HeadBlockNum);
    }

    [Fact]
    public async Task A_fork_that_orphans_a_schedule_change_leaves_the_round_documents_as_if_the_orphaned_branch_had_never_been_seen()
    {
        // Recorded: 10 @S0+1, 11 @S0+2 under V1; 12 @S0+50 under V2 (legacy, switching from S0+3; S0+3..S0+49 missed
        // under V2). The endpoint's branch replaces 12 with 12' @S0+3 under V1.
        var recorded = Branch("main", 10, Id("before", 9), V1, 1, S0 + 1, S0 + 2);
        var changed = Block(12, recorded[1].Id, S0 + 50, V2.ProducerAt(S0 + 50), 2);
        var replacement = Block(12, recorded[1].Id, S0 + 3, V1.ProducerAt(S0 + 3), 1, tag: "fork");
        var forkSwitched = new ForkSwitched(
            TestChain.ChainId, 11, recorded[1].Id, 12, changed.Id, 12, replacement.Id,
            [new OrphanedBlock(12, changed.Id, changed.Producer.ToString(), S0 + 50, 2)],
            [.. SlotRange(S0 + 3, S0 + 49).Select(s => new OrphanedMiss(s, V2.ProducerAt(s), 2))],
            ObservedAt);

        var forked = await Given(FirstRecording(recorded, V1))
            .When([ScheduleChanged(V2, 12, S0 + 3), .. Extension(S0 + 2, [changed], V2), forkSwitched, .. Extension(S0 + 2, [replacement], V1)])
            .Then();
        var clean = await Given(FirstRecording(recorded, V1)).When(Extension(S0 + 2, [replacement], V1)).Then();

        Assert.Equal(clean.RoundStarts, forked.RoundStarts);
        Assert.Equal(clean.Round(S0).ScheduleVersions, forked.Round(S0).ScheduleVersions);
        Assert.Equal(clean.Session.Text(RoundHealth.DocumentId(S0)), forked.Session.Text(RoundHealth.DocumentId(S0)));
    }

    // ---- producer health ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Producer_health_keeps_totals_since_observation_began_and_the_last_ten_rounds()
    {
        // alice and ours (24-slot rounds from S0). In round k (k = 0..11) ours misses the last k slots of its window.
        var pair = TestSchedule.Of(1, "alice", "ours");
        bool Filled(uint s) => !(pair.ProducerAt(s) == "ours" && (s - S0) % 24 >= 24 - ((s - S0) / 24));
        var blocks = Blocks(S0, S0 + (12 * 24), Filled, pair);

        var view = await Given(FirstRecording(blocks, pair)).Then();

        var ours = view.Producer("ours");
        var perRound = Enumerable.Range(0, 12).Select(k => new RoundSlots(S0 + (uint)(24 * k), 12 - k, k)).ToList();
        Assert.Equal((perRound.Sum(r => (long)r.Produced), perRound.Sum(r => (long)r.Missed)), (ours.Produced, ours.Missed));
        Assert.Equal((78L, 66L), (ours.Produced, ours.Missed));
        Assert.Equal(perRound.Skip(2), ours.RecentRounds);
        Assert.Equal(Math.Round(66.0 / 144, 6), ours.MissRate);
        var lastOurs = blocks.Last(b => b.Producer == Name.Parse("ours"));
        Assert.Equal(S0 + (24 * 11) + 12, lastOurs.Slot);
        Assert.Equal((lastOurs.Number, lastOurs.Timestamp), (ours.LastProducedBlockNum!.Value, ours.LastProducedAt!.Value));
        Assert.Equal((S0 + (24 * 11) + 23, BlockTimestamp.FromSlot(S0 + (24 * 11) + 23)), (ours.LastMissedSlot!.Value, ours.LastMissedAt!.Value));

        var alice = view.Producer("alice");
        Assert.Equal((12L * 12 + 1, 0L), (alice.Produced, alice.Missed));
        Assert.Equal(ProducerHealth.RecentRoundsKept, alice.RecentRounds.Count);
        Assert.Equal(new RoundSlots(S0 + (24 * 12), 1, 0), alice.RecentRounds[^1]);
    }

    // ---- status ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_status_shows_head_lib_the_schedule_our_keys_participation_and_every_endpoints_latest_health()
    {
        var blocks = Blocks(S0 + 5, S0 + 6, _ => true);
        var sampledAt = ObservedAt.AddSeconds(1);
        var degradedAt = ObservedAt.AddSeconds(2);
        var recoveredAt = ObservedAt.AddSeconds(3);

        var view = await Given(FirstRecording(blocks, V1))
            .When(
                Sample(blocks[^1], blocks[^1].Number - 2, sampledAt, lastFullRound: 0.75, ourMissed: 3),
                new EndpointDegraded("observer-b", "https://c.example", "timeout", "no answer in 2 s", degradedAt),
                new EndpointDegraded("observer-a", "https://b.example", "timeout", "no answer in 2 s", degradedAt),
                new EndpointDegraded("observer-a", "https://a.example", "stale", "head 30 s old", degradedAt),
                new EndpointRecovered("observer-a", "https://b.example", recoveredAt))
            .Then();

        var status = view.Status;
        Assert.Equal((TestChain.ChainId, ReadModelSpec.OurProducer), (status.ChainId, status.OurProducer));
        Assert.Equal((blocks[^1].Number, blocks[^1].Id, blocks[^1].Timestamp, "alice"), (status.HeadBlockNum!.Value, status.HeadBlockId, status.HeadBlockTime!.Value, status.HeadProducer));
        Assert.Equal((blocks[^1].Number - 2, 2u), (status.LastIrreversibleBlockNum!.Value, status.LibLag!.Value));
        Assert.Equal((1u, 5, true), (status.ScheduleVersion!.Value, status.ScheduledProducers, status.OurProducerScheduled));
        Assert.Equal([V1.KeyOf("ours")], status.OurKeys.Select(PublicKey.Parse));
        Assert.Equal(SigningAuthority.SingleKey(V1.KeyOf("ours").ToString()), status.OurAuthority);
        Assert.Equal((0.75, 1.0, 3), (status.LastFullRoundParticipation!.Value, status.SlidingWindowParticipation!.Value, status.OurConsecutiveMissed));
        Assert.Equal(sampledAt, status.LastObservedAt);
        Assert.Equal((0L, (DateTimeOffset?)null), (status.ForkSwitches, status.LastForkAt));
        Assert.Equal(
            [
                new EndpointStatus("observer-a", "https://a.example", false, "stale", "head 30 s old", degradedAt),
                new EndpointStatus("observer-a", "https://b.example", true, null, null, recoveredAt),
                new EndpointStatus("observer-b", "https://c.example", false, "timeout", "no answer in 2 s", degradedAt),
            ],
            status.Endpoints);
    }

    [Fact]
    public async Task The_status_follows_our_key_through_schedule_changes_and_notices_when_we_leave_the_schedule()
    {
        var blocks = Blocks(S0 + 5, S0 + 6, _ => true);
        var standby = V1.WithKey(2, "ours", "ours-standby");
        var without = TestSchedule.Of(3, "alice", "bob", "carol", "dave");

        var rotated = await Given(FirstRecording(blocks, V1)).When(ScheduleChanged(standby, 1002, S0 + 12)).Then();
        var dropped = await Given(FirstRecording(blocks, V1)).When(ScheduleChanged(without, 1002, S0 + 12)).Then();

        Assert.Equal([standby.KeyOf("ours")], rotated.Status.OurKeys.Select(PublicKey.Parse));
        Assert.Equal((2u, true), (rotated.Status.ScheduleVersion!.Value, rotated.Status.OurProducerScheduled));
        Assert.Empty(dropped.Status.OurKeys);
        Assert.Null(dropped.Status.OurAuthority);
        Assert.Equal((3u, 4, false), (dropped.Status.ScheduleVersion!.Value, dropped.Status.ScheduledProducers, dropped.Status.OurProducerScheduled));
    }

    [Fact]
    public async Task The_status_keeps_our_authority_with_its_threshold_and_weights()
    {
        var blocks = Blocks(S0 + 5, S0 + 6, _ => true);
        var primary = V1.KeyOf("ours").ToString();
        var standby = TestKeys.Derive("ours-standby").ToString();
        var changed = ScheduleChanged(V1 with { Version = 2 }, 1002, S0 + 12);
        var weighted = changed with
        {
            Producers = [.. changed.Producers.Select(p => p.Producer == OurProducer
                ? new ScheduleEntry(OurProducer, 2, [new ScheduleKey(primary, 1), new ScheduleKey(standby, 2)])
                : p)],
        };

        var view = await Given(FirstRecording(blocks, V1)).When(weighted).Then();

        Assert.Equal([primary, standby], view.Status.OurKeys);
        Assert.Equal(new SigningAuthority(2, [new ScheduleKey(primary, 1), new ScheduleKey(standby, 2)]), view.Status.OurAuthority);
    }

    [Fact]
    public async Task A_participation_sample_sets_the_lib_lag_of_the_round_holding_its_head()
    {
        var blocks = Blocks(S0, S0 + 70, _ => true);
        var head = blocks[^1];

        var view = await Given(FirstRecording(blocks, V1)).When(Sample(head, head.Number - 5, ObservedAt)).Then();

        Assert.Equal((5u, head.Number - 5), (view.Round(S0 + 60).LibLag!.Value, view.Round(S0 + 60).LastIrreversibleBlockNum!.Value));
        Assert.Null(view.Round(S0).LibLag);
        Assert.Null(view.Round(S0).LastIrreversibleBlockNum);
        Assert.Null(view.Status.LastFullRoundParticipation);
    }

    [Fact]
    public async Task A_participation_sample_before_any_schedule_only_updates_the_status()
    {
        var head = Block(1000, Id("before", 999), S0, "alice", 1);

        var view = await Given().When(Sample(head, 990, ObservedAt)).Then();

        Assert.Empty(view.Rounds);
        Assert.Equal((990u, 10u), (view.Status.LastIrreversibleBlockNum!.Value, view.Status.LibLag!.Value));
    }

    // ---- determinism -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Applying_the_same_events_twice_from_scratch_gives_byte_identical_documents()
    {
        var (withFork, _) = ForkHistories();
        var blocks = Blocks(S0 + 13, S0 + 130, s => V1.ProducerAt(s) != "carol", firstNumber: 17);
        var more = Extension(S0 + 12, [blocks[0] with { Previous = Id("fork", 16) }, .. blocks[1..]], V1);
        object[] events =
        [
            .. withFork,
            .. more,
            Sample(blocks[0], 14, ObservedAt, lastFullRound: 1.0, ourMissed: 0),
            new EndpointDegraded("observer-a", "https://a.example", "stale", "head 30 s old", ObservedAt),
            new EndpointRecovered("observer-a", "https://a.example", ObservedAt.AddSeconds(1)),
        ];

        var first = await Given(events).Then();
        var second = await Given(events).Then();

        Assert.NotEmpty(first.Session.Documents);
        Assert.Equal(first.Session.Documents.Keys, second.Session.Documents.Keys);
        Assert.All(first.Session.Documents, d => Assert.Equal(d.Value, second.Session.Documents[d.Key]));
    }

    [Fact]
    public void The_read_model_has_a_stable_name()
    {
        Assert.Equal("chain-health", new ChainHealthReadModel("ours").Name);
        Assert.Equal(ChainHealthReadModel.ProjectionName, new ChainHealthReadModel("ours").Name);
    }
}
