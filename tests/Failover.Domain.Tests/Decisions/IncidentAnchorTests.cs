using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// Issue 15, finding 11: the evidence from after an incident is judged from the block that revealed our LATEST miss, not
/// the threshold-th one. Schedule V1 is alice, bob, carol, dave, ours (60-slot rounds from S0: alice S0..S0+11, …, ours
/// S0+48..S0+59). Ours is down from S0+48 on and every other producer fills every slot for two hours (an outage kept
/// suppressed all that time, e.g. by an operator's pause) — until round R, when the network splits right after dave's
/// window: the observer is left with alice alone. Alice's next window reveals our latest missed window; the others'
/// windows stay empty on this side. Every block is observed a little after its slot.
/// </summary>
public sealed class IncidentAnchorTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly Name Ours = Name.Parse("ours");

    /// <summary>Two hours of 30-second rounds before the split.</summary>
    private const uint Rounds = 240;

    /// <summary>The first slot of the round in which the network splits (right after dave's window, before ours).</summary>
    private const uint SR = S0 + (Rounds * 60);

    private static readonly DataCenterConfig[] DataCenters =
    [
        new("dc-a", 1, V1.KeyOf("ours").ToString(), null, false),
        new("dc-c", 2, DecisionFixtures.KeyC, null, false),
    ];

    private static readonly FailoverPolicy SavannaPolicy = new();

    /// <summary>A legacy chain's configuration: its LIB trails the head by minutes.</summary>
    private static readonly FailoverPolicy LegacyPolicy = new() { MaxLibStall = TimeSpan.FromMinutes(3) };

    private static readonly Lazy<List<ObservedBlock>> HealthyThenSplit = new(() => Blocks(S0 + 8, SR + 71, slot => V1.ProducerAt(slot) != "ours" && (slot < SR + 48 || V1.ProducerAt(slot) == "alice")));

    private static DateTimeOffset Seen(uint slot) => BlockTimestamp.FromSlot(slot).AddMilliseconds(200);

    private static List<ObservedBlock> Blocks(uint first, uint last, Func<uint, bool> produced) =>
        Branch("main", 1000, Id("before", 999), V1, Savanna, [.. SlotRange(first, last).Where(produced)]);

    /// <summary>What the chain stream records of <paramref name="blocks"/> up to the block in <paramref name="headSlot"/>, each block and the misses it reveals when it is seen.</summary>
    private static ObservedChain Recorded(IReadOnlyList<ObservedBlock> blocks, uint headSlot)
    {
        var upTo = blocks.TakeWhile(b => b.Slot <= headSlot).ToList();
        var chain = Fold([ScheduleChanged(V1, upTo[0].Number, upTo[0].Slot, Seen(upTo[0].Slot)), Produced(upTo[0], V1.Version, Seen(upTo[0].Slot))]);
        for (var i = 1; i < upTo.Count; i++)
        {
            chain = Extension(upTo[i - 1].Slot, [upTo[i]], V1, Seen(upTo[i].Slot)).Aggregate(chain, (c, e) => c.Apply(e));
        }

        return chain;
    }

    private static readonly Lazy<ObservedChain> SplitChain = new(() => Recorded(HealthyThenSplit.Value, SR + 61));

    private static RecordedBlock At(ObservedChain chain, uint slot) => chain.Blocks.Values.Single(b => b.Slot == slot);

    /// <summary>
    /// The observer's samples: the LIB at block <paramref name="lastLib"/> seen advancing at <paramref name="libAdvancedAt"/>
    /// (from one below it), then a sample at <paramref name="at"/> with the LIB where it stopped.
    /// </summary>
    private static ObserverState Sampled(ObservedChain chain, RecordedBlock lastLib, DateTimeOffset libAdvancedAt, DateTimeOffset at)
    {
        ParticipationSampled Sample(DateTimeOffset when, RecordedBlock lib) => new(
            ChainId, "observer-a", when, chain.Head!.Number, chain.Head.Id, BlockTimestamp.FromSlot(chain.Head.Slot), lib.Number, lib.Id, 1, 5, null, null,
            [new EndpointView("https://a.example", true, chain.Head.Number, true)], [], 0, true);
        var before = chain.Blocks[lastLib.Number - 1];
        return new[] { Sample(libAdvancedAt.AddSeconds(-1), before), Sample(libAdvancedAt, lastLib), Sample(at, lastLib) }
            .Aggregate(ObserverState.Empty, (state, sample) => state.Apply(sample));
    }

    private static Evidence Build(ConsensusKind consensus, ObservedChain chain, ObserverState observer, DateTimeOffset at) =>
        EvidenceBuilder.Build(Ours, consensus, 12, DataCenters, chain, observer, FailoverProcess.Initial, at);

    private static GateResult GateOf(Decision decision, string reason) => decision.Gates.Single(g => g.Reason == reason);

    // ---- Savanna ------------------------------------------------------------------------------------------------

    [Fact]
    public void After_a_long_suppressed_outage_a_savanna_observer_cut_off_into_a_minority_waits_for_the_block_that_revealed_our_latest_miss_to_become_final_instead_of_triggering()
    {
        // Finality stopped with the split: the LIB is dave's block at SR+45, seen final at SR+47. Alice's SR+60 revealed
        // our window SR+48..SR+59; the head is her SR+61. Every figure of the last round still looks healthy, and the
        // block that revealed our 12th miss (two hours ago) is long final.
        var chain = SplitChain.Value;
        var at = Seen(SR + 61).AddMilliseconds(100);
        var evidence = Build(ConsensusKind.Savanna, chain, Sampled(chain, At(chain, SR + 45), Seen(SR + 47), at), at);
        Assert.True(evidence.Chain.LastFullRound!.Rate > 0.8 && evidence.Chain.SlidingWindow!.Rate > 0.8, "the round before the split looks healthy");

        var decision = Policy.Evaluate(evidence, SavannaPolicy);

        Assert.Equal(DecisionOutcome.Wait, decision.Outcome);
        var finality = GateOf(decision, ReasonCodes.LibStalled);
        Assert.True(finality.Pending, finality.Detail);
        Assert.Equal(At(chain, SR + 60).Number, evidence.Incident!.RevealedByBlockNum);
        Assert.Contains($"waiting for the block {At(chain, SR + 60).Number} that revealed our latest miss (slot {SR + 59}) to become final", finality.Detail);

        // Past MaxLibStall of that revealing, with the LIB still where the split left it: suppressed.
        var later = Seen(SR + 60).AddSeconds(10);
        var stalled = Policy.Evaluate(Build(ConsensusKind.Savanna, chain, Sampled(chain, At(chain, SR + 45), Seen(SR + 47), later), later), SavannaPolicy);
        Assert.Equal(DecisionOutcome.Suppress, stalled.Outcome);
        Assert.Contains(ReasonCodes.LibStalled, stalled.Reasons);
    }

    [Fact]
    public void After_a_long_suppressed_outage_a_savanna_observer_rotates_once_the_block_that_revealed_our_latest_miss_is_final()
    {
        // The same chain without the split for finality: the LIB reached alice's SR+60 just now.
        var chain = SplitChain.Value;
        var at = Seen(SR + 61).AddMilliseconds(100);
        var evidence = Build(ConsensusKind.Savanna, chain, Sampled(chain, At(chain, SR + 60), Seen(SR + 61), at), at);

        var decision = Policy.Evaluate(evidence, SavannaPolicy);

        Assert.Equal(DecisionOutcome.Trigger, decision.Outcome);
        Assert.Equal($"LIB {At(chain, SR + 60).Number} advanced 0.1 s ago; the block {At(chain, SR + 60).Number} that revealed our latest miss (slot {SR + 59}) is final", GateOf(decision, ReasonCodes.LibStalled).Detail);
    }

    // ---- legacy -------------------------------------------------------------------------------------------------

    [Fact]
    public void After_a_long_suppressed_outage_a_legacy_observer_cut_off_into_a_minority_does_not_take_the_long_irreversible_block_that_revealed_our_twelfth_miss_for_fresh_evidence()
    {
        // The minority's LIB creeps on for a while: it is dave's SR+40, advancing a second ago. The block that revealed
        // our 12th miss two hours ago is irreversible; the one that revealed our latest miss (alice's SR+60) is not, and
        // none of the other producers' windows since our latest missed window is complete yet.
        var chain = SplitChain.Value;
        var at = Seen(SR + 61).AddMilliseconds(100);
        var evidence = Build(ConsensusKind.Legacy, chain, Sampled(chain, At(chain, SR + 40), at.AddSeconds(-1), at), at);

        var decision = Policy.Evaluate(evidence, LegacyPolicy);

        Assert.Equal(DecisionOutcome.Wait, decision.Outcome);
        var participation = GateOf(decision, ReasonCodes.LowParticipation);
        Assert.True(participation.Pending, participation.Detail);
        Assert.Contains("waiting until all 4 other producers had a window since our latest missed window, or the block that revealed our latest miss is irreversible", participation.Detail);
    }

    [Fact]
    public void A_legacy_observer_in_a_minority_keeps_waiting_while_the_other_producers_windows_since_our_latest_missed_window_are_empty()
    {
        // Alice's whole window SR+60..SR+71 is complete; bob's, carol's and dave's are not on this side.
        var chain = Recorded(HealthyThenSplit.Value, SR + 71);
        var at = Seen(SR + 71).AddMilliseconds(100);
        var evidence = Build(ConsensusKind.Legacy, chain, Sampled(chain, At(chain, SR + 40), at.AddSeconds(-1), at), at);

        var decision = Policy.Evaluate(evidence, LegacyPolicy);

        Assert.Equal((SR + 60, SR + 71, 1, 1), (evidence.Chain.SinceIncident!.FirstSlot, evidence.Chain.SinceIncident.LastSlot, evidence.Chain.SinceIncident.OthersScheduled, evidence.Chain.SinceIncident.OthersProducing));
        Assert.Equal(DecisionOutcome.Wait, decision.Outcome);
        Assert.True(GateOf(decision, ReasonCodes.LowParticipation).Pending);
    }

    [Fact]
    public void On_a_legacy_chain_with_no_irreversible_revealing_block_to_go_by_the_windows_judged_are_those_since_our_latest_missed_window_not_the_hours_since_the_run_began()
    {
        // The followed endpoint's LIB is not a block of the recorded branch, so no revealing block is irreversible: the
        // windows since the incident decide. Two hours of them, all filled, would say the others are producing.
        var chain = SplitChain.Value;
        var at = Seen(SR + 61).AddMilliseconds(100);
        var observer = Sampled(chain, At(chain, SR + 40), at.AddSeconds(-1), at);
        var offBranch = observer with { LatestSample = observer.LatestSample! with { LastIrreversibleBlockId = Id("other", At(chain, SR + 40).Number) } };
        var evidence = Build(ConsensusKind.Legacy, chain, offBranch, at);
        Assert.False(evidence.Chain.LibOnRecordedChain);

        var decision = Policy.Evaluate(evidence, LegacyPolicy);

        Assert.Equal(DecisionOutcome.Wait, decision.Outcome);
        Assert.Equal(SR + 60, evidence.Chain.SinceIncident!.FirstSlot);
        Assert.Equal(0, evidence.Chain.SinceIncident.OthersScheduled);
        Assert.True(GateOf(decision, ReasonCodes.LowParticipation).Pending);
    }

    [Fact]
    public void A_fresh_legacy_incident_that_began_mid_window_is_not_judged_by_the_round_before_the_split_that_followed_its_first_miss()
    {
        // Ours produced S0+48..S0+53 and died: 6 misses, then its whole next window S0+108..S0+119 (the 12th miss S0+113).
        // The split comes just before that window; alice's S0+120 reveals it. The others' windows between our two missed
        // windows are all after the first miss — and all from before the split.
        var blocks = Blocks(S0 + 8, S0 + 121, slot => (V1.ProducerAt(slot) != "ours" || slot < S0 + 54) && (slot < S0 + 108 || V1.ProducerAt(slot) == "alice"));
        var chain = Recorded(blocks, S0 + 121);
        var at = Seen(S0 + 121).AddMilliseconds(100);
        var evidence = Build(ConsensusKind.Legacy, chain, Sampled(chain, At(chain, S0 + 70), at.AddSeconds(-1), at), at);

        var decision = Policy.Evaluate(evidence, LegacyPolicy);

        Assert.Equal(DecisionOutcome.Wait, decision.Outcome);
        Assert.Equal((S0 + 54, 18, S0 + 120), (evidence.Incident!.FirstMissedSlot, evidence.Incident.ConsecutiveMissed, evidence.Chain.SinceIncident!.FirstSlot));
    }

    [Fact]
    public void On_a_legacy_chain_every_other_producer_filling_its_window_since_our_latest_missed_window_is_enough_to_rotate()
    {
        // No split: bob, carol and dave fill their windows after alice's; the head is dave's last block before our
        // next window. The LIB (dave's SR+40) is below the block that revealed our latest miss.
        var blocks = Blocks(S0 + 8, SR + 107, slot => V1.ProducerAt(slot) != "ours");
        var chain = Recorded(blocks, SR + 107);
        var at = Seen(SR + 107).AddMilliseconds(100);
        var evidence = Build(ConsensusKind.Legacy, chain, Sampled(chain, At(chain, SR + 40), at.AddSeconds(-1), at), at);

        var decision = Policy.Evaluate(evidence, LegacyPolicy);

        Assert.Equal((SR + 60, SR + 107, 4, 4), (evidence.Chain.SinceIncident!.FirstSlot, evidence.Chain.SinceIncident.LastSlot, evidence.Chain.SinceIncident.OthersScheduled, evidence.Chain.SinceIncident.OthersProducing));
        Assert.Equal(DecisionOutcome.Trigger, decision.Outcome);
        Assert.StartsWith("last full round: 4/4 others produced", GateOf(decision, ReasonCodes.LowParticipation).Detail);
        Assert.Contains("windows since our latest missed window: 4/4 others produced", GateOf(decision, ReasonCodes.LowParticipation).Detail);
    }

    // ---- the evidence ---------------------------------------------------------------------------------------------

    [Fact]
    public void A_two_hour_run_keeps_its_first_slot_and_count_and_is_anchored_on_its_latest_miss_though_the_misses_between_were_dropped()
    {
        var chain = SplitChain.Value;
        Assert.True(chain.DroppedRunMisses.GetValueOrDefault(Ours) > 0, "the run is longer than the kept history");

        var incident = Build(ConsensusKind.Savanna, chain, ObserverState.Empty, Seen(SR + 61)).Incident!;

        Assert.Equal((S0 + 48, BlockTimestamp.FromSlot(S0 + 48), (int)(Rounds + 1) * 12), (incident.FirstMissedSlot, incident.BeganAt, incident.ConsecutiveMissed));
        var revealing = At(chain, SR + 60);
        Assert.Equal((revealing.Number, revealing.Id, Seen(SR + 60)), (incident.RevealedByBlockNum, incident.RevealedByBlockId, incident.RevealedAt));
        Assert.Equal((IncidentAnchor.LatestMiss, (uint?)(SR + 59)), (incident.Anchor, incident.AnchorSlot));
    }

    [Fact]
    public void The_threshold_miss_anchor_of_evidence_written_before_reproduces_it_the_revealer_of_the_threshold_th_miss_and_the_windows_since_the_first()
    {
        var chain = SplitChain.Value;

        var evidence = EvidenceBuilder.Build(Ours, ConsensusKind.Legacy, 12, DataCenters, chain, ObserverState.Empty, FailoverProcess.Initial, Seen(SR + 61), anchor: IncidentAnchor.ThresholdMiss);

        var incident = evidence.Incident!;
        Assert.Equal((S0 + 48, (int)(Rounds + 1) * 12), (incident.FirstMissedSlot, incident.ConsecutiveMissed));
        Assert.Equal((IncidentAnchor.ThresholdMiss, (uint?)(S0 + 59)), (incident.Anchor, incident.AnchorSlot));
        Assert.Equal(Seen(S0 + 60), incident.RevealedAt);
        Assert.Equal(Id("main", incident.RevealedByBlockNum), incident.RevealedByBlockId);
        Assert.Equal(S0 + 60, evidence.Chain.SinceIncident!.FirstSlot);
        Assert.Equal(4, evidence.Chain.SinceIncident.OthersScheduled);
    }
}
