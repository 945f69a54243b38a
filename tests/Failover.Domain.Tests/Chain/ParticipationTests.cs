using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Chain;

/// <summary>
/// Participation and our missed run, computed from the chain fold. Schedule: alice, bob, carol, dave, ours (60-slot
/// rounds from S0: alice S0..S0+11, bob +12..+23, carol +24..+35, dave +36..+47, ours +48..+59). Design §2.1: the
/// participation of the <em>other</em> producers — ours never counts.
/// </summary>
public sealed class ParticipationTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly Name Ours = Name.Parse("ours");

    /// <summary>The chain observed from <paramref name="first"/> to <paramref name="last"/>, blocks in every slot <paramref name="filled"/> keeps.</summary>
    private static ObservedChain Observed(uint first, uint last, Func<uint, bool>? filled = null)
    {
        var slots = SlotRange(first, last).Where(s => s == first || s == last || (filled?.Invoke(s) ?? true)).ToArray();
        return Fold(FirstRecording(Branch("main", 1000, Id("before", 999), V1, Savanna, slots), V1));
    }

    private static bool InWindowOf(string producer, uint slot) => V1.ProducerAt(slot) == producer;

    private static void AssertFigures(ParticipationFigures? figures, uint first, uint last, int scheduled, int producing, string[] missing, int slots, int blocks)
    {
        Assert.NotNull(figures);
        Assert.Equal((first, last), (figures.FirstSlot, figures.LastSlot));
        Assert.Equal((scheduled, producing), (figures.OthersScheduled, figures.OthersProducing));
        Assert.Equal(missing, figures.OthersMissing);
        Assert.Equal((slots, blocks), (figures.Slots, figures.BlocksProduced));
        Assert.Equal(scheduled == 0 ? 0 : (double)producing / scheduled, figures.Rate);
    }

    // ---- participation never counts ours -----------------------------------------------------------------------

    [Fact]
    public void Our_producer_missing_its_whole_window_does_not_lower_the_participation_of_the_others()
    {
        // Round S0+60..S0+119 complete; ours misses S0+108..S0+119; the head is alice's block at S0+120.
        var chain = Observed(S0 + 60, S0 + 120, s => !(s >= S0 + 108 && s <= S0 + 119));

        AssertFigures(Participation.LastFullRound(chain, Ours), S0 + 60, S0 + 119, scheduled: 4, producing: 4, missing: [], slots: 60, blocks: 48);
        Assert.Equal(1.0, Participation.LastFullRound(chain, Ours)!.Rate);
    }

    [Fact]
    public void Our_producer_producing_does_not_raise_the_participation_of_the_others()
    {
        // bob misses his whole window S0+72..S0+83; ours produces all of S0+108..S0+119.
        var chain = Observed(S0 + 60, S0 + 120, s => !(s >= S0 + 72 && s <= S0 + 83));

        AssertFigures(Participation.LastFullRound(chain, Ours), S0 + 60, S0 + 119, scheduled: 4, producing: 3, missing: ["bob"], slots: 60, blocks: 48);
        Assert.Equal(0.75, Participation.LastFullRound(chain, Ours)!.Rate);
    }

    [Fact]
    public void A_producer_with_one_block_in_its_window_participates_and_the_missing_are_listed_in_name_order()
    {
        // dave and carol miss all; bob produces one block (S0+80) of his window; the head is S0+130 in the next round.
        var chain = Observed(S0 + 60, S0 + 130, s => !(InWindowOf("carol", s) || InWindowOf("dave", s) || (InWindowOf("bob", s) && s != S0 + 80)));

        AssertFigures(Participation.LastFullRound(chain, Ours), S0 + 60, S0 + 119, scheduled: 4, producing: 2, missing: ["carol", "dave"], slots: 60, blocks: 12 + 1 + 12);
        AssertFigures(Participation.Over(chain, Name.Parse("nobody"), S0 + 60, S0 + 119), S0 + 60, S0 + 119, scheduled: 5, producing: 3, missing: ["carol", "dave"], slots: 60, blocks: 25);
    }

    // ---- last full round ---------------------------------------------------------------------------------------

    [Fact]
    public void The_last_full_round_is_the_round_ending_at_the_head_when_the_head_is_its_last_slot()
    {
        var chain = Observed(S0, S0 + 119);

        AssertFigures(Participation.LastFullRound(chain, Ours), S0 + 60, S0 + 119, 4, 4, [], 60, 60);
    }

    [Fact]
    public void The_last_full_round_is_the_round_before_the_head_when_the_head_is_inside_a_round()
    {
        var chain = Observed(S0, S0 + 118);

        AssertFigures(Participation.LastFullRound(chain, Ours), S0, S0 + 59, 4, 4, [], 60, 60);
    }

    [Fact]
    public void The_last_full_round_is_judged_only_when_observed_from_its_first_slot()
    {
        Assert.NotNull(Participation.LastFullRound(Observed(S0 + 60, S0 + 119), Ours));
        Assert.Null(Participation.LastFullRound(Observed(S0 + 61, S0 + 119), Ours));
        Assert.Null(Participation.LastFullRound(Observed(S0 + 61, S0 + 150), Ours));
        Assert.NotNull(Participation.LastFullRound(Observed(S0 + 61, S0 + 180), Ours));
        Assert.Null(Participation.LastFullRound(ObservedChain.Empty, Ours));
    }

    // ---- sliding window ----------------------------------------------------------------------------------------

    [Fact]
    public void The_sliding_window_covers_exactly_the_last_n_times_12_slots_ending_at_the_head()
    {
        // head S0+130: window S0+71..S0+130 — alice's S0+71, bob … ours, then alice S0+120..S0+130.
        var chain = Observed(S0 + 60, S0 + 130, s => s != S0 + 71);

        AssertFigures(Participation.SlidingWindow(chain, Ours), S0 + 71, S0 + 130, 4, 4, [], 60, 59);
        Assert.NotNull(Participation.SlidingWindow(Observed(S0 + 71, S0 + 130), Ours));
        Assert.Null(Participation.SlidingWindow(Observed(S0 + 72, S0 + 130), Ours));
        Assert.Null(Participation.SlidingWindow(ObservedChain.Empty, Ours));
    }

    [Fact]
    public void The_sliding_window_is_judged_from_the_first_slot_of_the_chain_once_a_whole_round_exists()
    {
        AssertFigures(Participation.SlidingWindow(Observed(0, 59), Ours), 0, 59, 4, 4, [], 60, 60);
        AssertFigures(Participation.SlidingWindow(Observed(0, 60), Ours), 1, 60, 4, 4, [], 60, 60);
        Assert.Null(Participation.SlidingWindow(Observed(0, 58), Ours));
    }

    [Fact]
    public void Health_needs_a_chain()
    {
        Assert.Throws<ArgumentNullException>(() => Participation.Outcomes(null!, S0, S0 + 1));
        Assert.Throws<ArgumentNullException>(() => Participation.Over(null!, Ours, S0, S0 + 1));
        Assert.Throws<ArgumentNullException>(() => Participation.LastFullRound(null!, Ours));
        Assert.Throws<ArgumentNullException>(() => Participation.SlidingWindow(null!, Ours));
        Assert.Throws<ArgumentNullException>(() => Participation.CompleteWindowsSince(null!, Ours, S0));
        Assert.Throws<ArgumentNullException>(() => Participation.CurrentMissedRun(null!, Ours, 12));
    }

    // ---- complete windows since an incident --------------------------------------------------------------------

    [Fact]
    public void Only_the_complete_windows_after_the_incidents_window_count()
    {
        // Incident in our window (S0+50). alice's next window S0+60..S0+71 is complete once the head reaches S0+71.
        var midWindow = Observed(S0, S0 + 80);
        AssertFigures(Participation.CompleteWindowsSince(midWindow, Ours, S0 + 50), S0 + 60, S0 + 71, 1, 1, [], 12, 12);

        var atWindowEnd = Observed(S0, S0 + 83);
        AssertFigures(Participation.CompleteWindowsSince(atWindowEnd, Ours, S0 + 50), S0 + 60, S0 + 83, 2, 2, [], 24, 24);

        var atAlicesLastSlot = Observed(S0, S0 + 71);
        AssertFigures(Participation.CompleteWindowsSince(atAlicesLastSlot, Ours, S0 + 50), S0 + 60, S0 + 71, 1, 1, [], 12, 12);

        // No complete window yet: nobody counted, and the range is empty, not inverted.
        foreach (var head in new[] { S0 + 70, S0 + 59, S0 + 50 })
        {
            var none = Participation.CompleteWindowsSince(Observed(S0, head), Ours, S0 + 50)!;
            Assert.Equal((0, 0, 0, 0), (none.OthersScheduled, none.OthersProducing, none.Slots, none.BlocksProduced));
            Assert.Equal(S0 + 60, none.FirstSlot);
            Assert.True(none.LastSlot >= none.FirstSlot, $"[{none.FirstSlot}, {none.LastSlot}]");
        }
        Assert.Null(Participation.CompleteWindowsSince(ObservedChain.Empty, Ours, S0 + 50));
    }

    [Fact]
    public void Complete_windows_since_an_incident_never_count_our_next_window_and_report_who_missed_theirs()
    {
        // Incident at S0+48; the next round: alice produced, bob missed all, carol and dave produced, ours missed all again.
        var chain = Observed(S0, S0 + 120, s => s < S0 + 60 ? !InWindowOf("ours", s) : !(InWindowOf("bob", s) || InWindowOf("ours", s)));

        var figures = Participation.CompleteWindowsSince(chain, Ours, S0 + 48);

        AssertFigures(figures, S0 + 60, S0 + 119, scheduled: 4, producing: 3, missing: ["bob"], slots: 60, blocks: 36);
    }

    [Fact]
    public void A_producer_swapped_out_mid_incident_does_not_stand_in_for_its_successor_among_the_windows_since_the_incident()
    {
        // Incident at S0+48 (ours misses S0+48..S0+59); alice, bob, carol and dave produce their next windows under V1;
        // from S0+108 the schedule in force is V2, erin in dave's place; ours misses again; alice produces at S0+120.
        var v2 = TestSchedule.Of(2, "alice", "bob", "carol", "erin", "ours");
        var underV1 = Branch("main", 1000, Id("before", 999), V1, Savanna, [.. SlotRange(S0, S0 + 107).Where(s => !(s >= S0 + 48 && s <= S0 + 59))]);
        var underV2 = Branch("main", 1000 + (uint)underV1.Count, underV1[^1].Id, v2, Savanna, S0 + 120);
        var chain = Fold([
            .. FirstRecording(underV1, V1),
            ScheduleChanged(v2, underV2[0].Number, S0 + 108),
            .. Extension(S0 + 107, underV2, v2)]);

        var figures = Participation.CompleteWindowsSince(chain, Ours, S0 + 48);

        // dave's window S0+96..S0+107 is over but dave is no longer scheduled; erin has had none: 3 of the 4 others
        // (the slots are theirs and our 12 missed ones).
        AssertFigures(figures, S0 + 60, S0 + 119, scheduled: 3, producing: 3, missing: [], slots: 48, blocks: 36);
        Assert.Equal(4, chain.CurrentSchedule!.Schedule.Producers.Count - 1);
    }

    // ---- our missed run ----------------------------------------------------------------------------------------

    [Fact]
    public void Our_missed_run_counts_our_consecutive_missed_slots_after_our_last_block_and_gives_the_threshold_th_and_the_latest_miss()
    {
        // ours produced S0+48..S0+50 and then missed S0+51..S0+59 (9) and its whole next window S0+108..S0+119 (12).
        var chain = Observed(S0, S0 + 125, s => !(s >= S0 + 51 && s <= S0 + 59) && !(s >= S0 + 108 && s <= S0 + 119));

        var run = Participation.CurrentMissedRun(chain, Ours, 12);

        Assert.NotNull(run);
        Assert.Equal(21, run.Missed);
        Assert.Equal(S0 + 51, run.FirstMissedSlot);
        Assert.NotNull(run.ThresholdMiss);
        Assert.Equal(S0 + 110, run.ThresholdMiss.Slot); // 9 in the first window, then S0+108, S0+109, S0+110
        Assert.Equal(chain.Blocks.Values.Single(b => b.Slot == S0 + 120).Number, run.ThresholdMiss.RevealedByBlockNum);
        Assert.Equal(chain.Blocks.Values.Single(b => b.Slot == S0 + 120).Id, run.ThresholdMiss.RevealedById);
        Assert.Equal(Ours, run.ThresholdMiss.Producer);
        Assert.Equal(chain.Misses[S0 + 119], run.LatestMiss);
        Assert.Equal(chain.Blocks.Values.Single(b => b.Slot == S0 + 120).Number, run.LatestMiss.RevealedByBlockNum);

        var first = Participation.CurrentMissedRun(chain, Ours, 1)!.ThresholdMiss!;
        Assert.Equal(S0 + 51, first.Slot);
        Assert.Equal(chain.Blocks.Values.Single(b => b.Slot == S0 + 60).Number, first.RevealedByBlockNum);
        Assert.Null(Participation.CurrentMissedRun(chain, Ours, 22)!.ThresholdMiss);
        Assert.Equal(S0 + 119, Participation.CurrentMissedRun(chain, Ours, 22)!.LatestMiss.Slot);
        Assert.Equal(S0 + 119, Participation.CurrentMissedRun(chain, Ours, 21)!.ThresholdMiss!.Slot);
    }

    [Fact]
    public void Our_missed_run_ends_with_our_next_block_and_ignores_the_others_misses()
    {
        // ours missed S0+51..S0+59, produced again in S0+108..; bob missed his whole window S0+72..S0+83.
        var chain = Observed(S0, S0 + 125, s => !(s >= S0 + 51 && s <= S0 + 59) && !(s >= S0 + 72 && s <= S0 + 83));

        Assert.Null(Participation.CurrentMissedRun(chain, Ours, 12));
        Assert.Equal(12, Participation.CurrentMissedRun(chain, Name.Parse("bob"), 12)!.Missed);
    }

    [Fact]
    public void Our_missed_run_starts_at_the_first_observed_slot_when_we_never_produced()
    {
        var chain = Observed(S0 + 40, S0 + 70, s => !InWindowOf("ours", s));

        var run = Participation.CurrentMissedRun(chain, Ours, 12);

        Assert.Equal((12, S0 + 48), (run!.Missed, run.FirstMissedSlot));
        Assert.Equal(S0 + 59, run.ThresholdMiss!.Slot);
    }

    [Fact]
    public void Outcomes_list_every_known_slot_of_a_range_in_order_with_who_was_scheduled_and_whether_it_was_filled()
    {
        var chain = Observed(S0 + 10, S0 + 14, s => s != S0 + 12);

        Assert.Equal(
            [new SlotOutcome(S0 + 10, Name.Parse("alice"), true), new SlotOutcome(S0 + 11, Name.Parse("alice"), true), new SlotOutcome(S0 + 12, Name.Parse("bob"), false), new SlotOutcome(S0 + 13, Name.Parse("bob"), true)],
            Participation.Outcomes(chain, S0 + 9, S0 + 13));
    }
}
