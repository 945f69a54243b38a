using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// EvidenceBuilder.Build from hand-built folds. Schedule V1 is alice, bob, carol, dave, ours (60-slot rounds from S0:
/// alice S0..S0+11, bob +12..+23, carol +24..+35, dave +36..+47, ours +48..+59). Design §5: an incident is our
/// producer missing MissedBlocksThreshold consecutive scheduled blocks, and the block that revealed the run's latest
/// miss is the one the evidence after the incident is judged from.
/// </summary>
public sealed class EvidenceBuilderTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly Name Ours = Name.Parse("ours");
    private static readonly DateTimeOffset At = ObservedAt.AddMinutes(5);
    private static readonly string OursKey = V1.KeyOf("ours").ToString();

    private static readonly DataCenterConfig[] DataCenters =
    [
        new("dc-a", 1, OursKey, null, true),
        new("dc-b", 2, DecisionFixtures.KeyB, DecisionFixtures.FinalizerKeyB, true),
        new("dc-c", 3, DecisionFixtures.KeyC, null, false),
    ];

    /// <summary>Blocks 1000… in every slot from S0 to S0+47 (alice to dave), recorded by a first observation.</summary>
    private static List<ObservedBlock> FirstRound() => Branch("main", 1000, Id("before", 999), V1, Savanna, SlotRange(S0, S0 + 47));

    private static ObservedChain Decided(ObservedChain chain, IReadOnlyList<ObservedBlock> blocks, DateTimeOffset at)
    {
        var decision = ChainDecider.Decide(chain, Observe(blocks, V1.ToSchedule(), at: at));
        Assert.Null(decision.Problem);
        return decision.Events.Aggregate(chain, (c, e) => c.Apply(e));
    }

    private static ParticipationSampled Sample(
        DateTimeOffset at,
        uint lib,
        string? libId = null,
        IReadOnlyList<EndpointView>? endpoints = null,
        IReadOnlyList<DataCenterNodeView>? nodes = null) => new(
        ChainId, "observer-a", at, lib + 2, Id("main", lib + 2), at, lib, libId ?? Id("main", lib), 1, 5, null, null,
        endpoints ?? [new EndpointView("https://a.example", true, lib + 2, true)], nodes ?? [], 0);

    private static ObserverState View(params ParticipationSampled[] samples) => samples.Aggregate(ObserverState.Empty, (v, s) => v.Apply(s));

    private static Evidence Build(ObservedChain chain, ObserverState? view = null, FailoverProcess? process = null, int threshold = 12, ManualRequest? manual = null, DateTimeOffset? at = null) =>
        EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, threshold, DataCenters, chain, view ?? View(Sample(At, 1000)), process ?? FailoverProcess.Initial, at ?? At, manual);

    // ---- our authority in the schedule ------------------------------------------------------------------------------

    [Fact]
    public void A_schedule_that_changes_our_authority_is_when_it_last_changed_and_one_that_changes_another_producer_is_not()
    {
        var ourKeyMoved = V1.WithKey(2, "ours", "ours-dc2");
        var othersMoved = ourKeyMoved.WithKey(3, "alice", "alice-new");
        var chain = Fold([
            .. FirstRecording(FirstRound(), V1),
            ScheduleChanged(ourKeyMoved, 1048, S0 + 60),
            ScheduleChanged(othersMoved, 1060, S0 + 72)]);

        Assert.Equal(BlockTimestamp.FromSlot(S0 + 60), Build(chain).Schedule.OurAuthorityChangedAt);
        Assert.Null(Build(Fold(FirstRecording(FirstRound(), V1))).Schedule.OurAuthorityChangedAt);
        Assert.Null(Build(Fold([.. FirstRecording(FirstRound(), V1), ScheduleChanged(V1.WithKey(2, "alice", "alice-new"), 1048, S0 + 60)])).Schedule.OurAuthorityChangedAt);
        var withoutUs = TestSchedule.Of(1, "alice", "bob", "carol", "dave");
        var elected = Fold([.. FirstRecording(Branch("main", 1000, Id("before", 999), withoutUs, Savanna, SlotRange(S0, S0 + 47)), withoutUs), ScheduleChanged(V1 with { Version = 2 }, 1048, S0 + 60)]);
        Assert.Null(Build(elected).Schedule.OurAuthorityChangedAt);
    }

    // ---- the incident --------------------------------------------------------------------------------------------

    [Fact]
    public void Our_whole_missed_window_reaching_the_threshold_opens_an_incident_revealed_by_the_next_block()
    {
        var revealedAt = ObservedAt.AddMinutes(1);
        var chain = Decided(Fold(FirstRecording(FirstRound(), V1)), [Block(1048, Id("main", 1047), S0 + 60, "alice", Savanna)], revealedAt);

        var incident = Build(chain).Incident;

        Assert.NotNull(incident);
        Assert.Equal(
            new IncidentEvidence(S0 + 48, BlockTimestamp.FromSlot(S0 + 48), 12, 1048, Id("main", 1048), revealedAt, IncidentAnchor.LatestMiss, S0 + 59, IncidentKind.MissedRun),
            incident);
    }

    [Fact]
    public void Misses_below_the_threshold_open_no_incident()
    {
        var chain = Decided(Fold(FirstRecording(FirstRound(), V1)), [Block(1048, Id("main", 1047), S0 + 60, "alice", Savanna)], ObservedAt);

        Assert.Null(Build(chain, threshold: 13).Incident);
        Assert.NotNull(Build(chain, threshold: 12).Incident);
    }

    [Fact]
    public void The_incident_is_revealed_by_the_block_that_revealed_the_latest_miss_and_began_at_the_first()
    {
        // ours produces S0+48..S0+50 and misses S0+51..S0+59 (9, revealed by alice's S0+60 at t1), then misses all of
        // S0+108..S0+119 (12 more, revealed by alice's S0+120 at t2). The 12th miss is S0+110, the latest S0+119.
        var t1 = ObservedAt.AddMinutes(1);
        var t2 = ObservedAt.AddMinutes(3);
        var first = Branch("main", 1000, Id("before", 999), V1, Savanna, SlotRange(S0, S0 + 50));
        var chain = Fold(FirstRecording(first, V1));
        var round2 = Branch("main", 1051, first[^1].Id, V1, Savanna, SlotRange(S0 + 60, S0 + 107));
        chain = Decided(chain, round2, t1);
        Assert.Null(Build(chain).Incident);
        var revealing = Block(1051 + (uint)round2.Count, round2[^1].Id, S0 + 120, "alice", Savanna);
        chain = Decided(chain, [revealing], t2);

        var incident = Build(chain).Incident;

        Assert.Equal(new IncidentEvidence(S0 + 51, BlockTimestamp.FromSlot(S0 + 51), 21, revealing.Number, revealing.Id, t2, IncidentAnchor.LatestMiss, S0 + 119, IncidentKind.MissedRun), incident);
        Assert.Equal(incident, Build(chain, threshold: 9).Incident);

        // Anchored as evidence was before: on the threshold-th miss, the 9th (S0+59) revealed at t1 with a threshold of 9.
        var byThreshold = EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 9, DataCenters, chain, View(Sample(At, 1000)), FailoverProcess.Initial, At, anchor: IncidentAnchor.ThresholdMiss).Incident;
        Assert.Equal(new IncidentEvidence(S0 + 51, BlockTimestamp.FromSlot(S0 + 51), 21, round2[0].Number, round2[0].Id, t1, IncidentAnchor.ThresholdMiss, S0 + 59, IncidentKind.MissedRun), byThreshold);
        var byTwelfth = EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 12, DataCenters, chain, View(Sample(At, 1000)), FailoverProcess.Initial, At, anchor: IncidentAnchor.ThresholdMiss);
        Assert.Equal(S0 + 110, byTwelfth.Incident!.AnchorSlot);

        // The windows since the incident: after the first miss's window by the old rule, after the latest miss's by the new.
        Assert.Equal(S0 + 60, byTwelfth.Chain.SinceIncident!.FirstSlot);
        Assert.Equal(S0 + 120, Build(chain).Chain.SinceIncident!.FirstSlot);
    }

    [Fact]
    public void A_block_of_ours_ends_the_run_and_the_incident()
    {
        var chain = Decided(Fold(FirstRecording(FirstRound(), V1)), [Block(1048, Id("main", 1047), S0 + 60, "alice", Savanna)], ObservedAt);
        var later = Branch("main", 1049, Id("main", 1048), V1, Savanna, SlotRange(S0 + 61, S0 + 108));

        Assert.NotNull(Build(chain).Incident);
        Assert.Null(Build(Decided(chain, later, ObservedAt.AddMinutes(1))).Incident);
    }

    [Fact]
    public void The_others_complete_windows_since_the_incident_are_judged_from_the_window_after_ours()
    {
        // alice fills S0+60..S0+71 entirely; bob's block at S0+72 is the head: only alice's window is complete.
        var chain = Decided(Fold(FirstRecording(FirstRound(), V1)), Branch("main", 1048, Id("main", 1047), V1, Savanna, SlotRange(S0 + 60, S0 + 72)), ObservedAt);

        var since = Build(chain).Chain.SinceIncident;

        Assert.NotNull(since);
        Assert.Equal((S0 + 60, S0 + 71, 1, 1), (since.FirstSlot, since.LastSlot, since.OthersScheduled, since.OthersProducing));
        Assert.Null(Build(chain, threshold: 13).Chain.SinceIncident);
    }

    // ---- the chain -----------------------------------------------------------------------------------------------

    [Fact]
    public void The_head_participation_and_endpoints_come_from_the_chain_and_the_latest_sample()
    {
        var chain = Decided(Fold(FirstRecording(FirstRound(), V1)), [Block(1048, Id("main", 1047), S0 + 60, "alice", Savanna)], ObservedAt);
        var view = View(
            Sample(At.AddSeconds(-2), 1040),
            Sample(At.AddSeconds(-1), 1046, endpoints:
            [
                new EndpointView("https://a.example", true, 1048, true),
                new EndpointView("https://b.example", true, 1048, false),
                new EndpointView("https://c.example", false, 1048, true),
            ]));

        var evidence = Build(chain, view);

        Assert.Equal((1048u, Id("main", 1048), BlockTimestamp.FromSlot(S0 + 60)), (evidence.Chain.HeadBlockNum, evidence.Chain.HeadBlockId, evidence.Chain.HeadBlockTime));
        Assert.Equal((1046u, Id("main", 1046), (DateTimeOffset?)At.AddSeconds(-1)), (evidence.Chain.LastIrreversibleBlockNum, evidence.Chain.LastIrreversibleBlockId, evidence.Chain.LibAdvancedAt));
        Assert.Equal((3, 1), (evidence.Chain.EndpointsConfigured, evidence.Chain.EndpointsAgreeing));

        // The last full round S0..S0+59: the four others each produced; ours is never counted.
        Assert.Equal((S0, S0 + 59, 4, 4), (evidence.Chain.LastFullRound!.FirstSlot, evidence.Chain.LastFullRound.LastSlot, evidence.Chain.LastFullRound.OthersScheduled, evidence.Chain.LastFullRound.OthersProducing));

        // The sliding window of 60 slots ending at the head: S0+1..S0+60.
        Assert.Equal((S0 + 1, S0 + 60, 4, 4), (evidence.Chain.SlidingWindow!.FirstSlot, evidence.Chain.SlidingWindow.LastSlot, evidence.Chain.SlidingWindow.OthersScheduled, evidence.Chain.SlidingWindow.OthersProducing));
    }

    [Fact]
    public void The_lib_is_on_the_recorded_chain_only_when_the_samples_lib_id_is_the_recorded_block_at_that_number()
    {
        var chain = Fold(FirstRecording(FirstRound(), V1));

        Assert.True(Build(chain, View(Sample(At, 1010))).Chain.LibOnRecordedChain);
        Assert.False(Build(chain, View(Sample(At, 1010, libId: Id("fork", 1010)))).Chain.LibOnRecordedChain);
        Assert.False(Build(chain, View(Sample(At, 999, libId: Id("before", 999)))).Chain.LibOnRecordedChain); // not recorded
        Assert.False(Build(chain, View(Sample(At, 1100))).Chain.LibOnRecordedChain); // above the head
    }

    [Fact]
    public void Without_a_sample_the_lib_is_unknown_and_no_endpoint_is_counted()
    {
        var chain = Fold(FirstRecording(FirstRound(), V1));

        var evidence = Build(chain, ObserverState.Empty);

        Assert.Equal((0u, string.Empty, false, (DateTimeOffset?)null), (evidence.Chain.LastIrreversibleBlockNum, evidence.Chain.LastIrreversibleBlockId, evidence.Chain.LibOnRecordedChain, evidence.Chain.LibAdvancedAt));
        Assert.Equal((0, 0), (evidence.Chain.EndpointsConfigured, evidence.Chain.EndpointsAgreeing));
    }

    [Fact]
    public void An_empty_chain_gives_no_incident_no_schedule_and_a_head_too_old_to_act_on()
    {
        var evidence = Build(ObservedChain.Empty, ObserverState.Empty);

        Assert.Null(evidence.Incident);
        Assert.Equal((false, 0u, 0), (evidence.Schedule.Scheduled, evidence.Schedule.ActiveVersion, evidence.Schedule.ScheduledProducers));
        Assert.Empty(evidence.Schedule.ActiveKeys);
        Assert.Null(evidence.Schedule.Authority);
        Assert.Equal((0u, string.Empty), (evidence.Chain.HeadBlockNum, evidence.Chain.HeadBlockId));
        Assert.Null(evidence.Chain.LastFullRound);
        Assert.False(Policy.Evaluate(evidence, new FailoverPolicy()).Gates.Single(g => g.Reason == ReasonCodes.StaleHead).Passed);
    }

    // ---- the schedule ------------------------------------------------------------------------------------------------

    [Fact]
    public void Our_keys_in_the_schedule_in_force_are_the_active_keys()
    {
        var chain = Fold(FirstRecording(FirstRound(), V1));

        var schedule = Build(chain).Schedule;

        Assert.Equal((true, 1u, 5), (schedule.Scheduled, schedule.ActiveVersion, schedule.ScheduledProducers));
        Assert.Equal([OursKey], schedule.ActiveKeys);
        Assert.Equal(SigningAuthority.SingleKey(OursKey), schedule.Authority);
    }

    [Fact]
    public void Our_weighted_authority_in_the_schedule_in_force_is_recorded_with_its_threshold_and_weights()
    {
        // Threshold 2 over our key (weight 1) and dc-b's (weight 2): dc-b's key alone is in force, ours is not.
        var events = FirstRecording(FirstRound(), V1).Select(e => e is ProducerScheduleChanged changed
            ? changed with
            {
                Producers = [.. changed.Producers.Select(p => p.Producer == "ours"
                    ? new ScheduleEntry("ours", 2, [new ScheduleKey(OursKey, 1), new ScheduleKey(DecisionFixtures.KeyB, 2)])
                    : p)],
            }
            : e);

        var schedule = Build(Fold(events)).Schedule;

        Assert.Equal([OursKey, DecisionFixtures.KeyB], schedule.ActiveKeys);
        Assert.Equal(new SigningAuthority(2, [new ScheduleKey(OursKey, 1), new ScheduleKey(DecisionFixtures.KeyB, 2)]), schedule.Authority);
        Assert.Equal([false, true, false], DataCenters.Select(d => KeyInForce.IsInForce(schedule, d.SigningKey)));
    }

    [Fact]
    public void A_schedule_without_our_producer_is_not_scheduled_with_no_active_keys()
    {
        var others = TestSchedule.Of(4, "alice", "bob", "carol", "dave");
        var chain = Fold(FirstRecording(Branch("main", 1000, Id("before", 999), others, Savanna, SlotRange(S0, S0 + 5)), others));

        var schedule = Build(chain).Schedule;

        Assert.Equal((false, 4u, 4), (schedule.Scheduled, schedule.ActiveVersion, schedule.ScheduledProducers));
        Assert.Empty(schedule.ActiveKeys);
        Assert.Null(schedule.Authority);
    }

    // ---- the process -----------------------------------------------------------------------------------------------

    [Fact]
    public void Rotations_requested_24_hours_or_more_before_are_not_in_the_last_24_hours()
    {
        var process = ProcessHistory.Fold(
        [
            .. ProcessHistory.CompletedRotation("rotation-1", "missed-1", At.AddHours(-25)),
            .. ProcessHistory.CompletedRotation("rotation-2", "missed-2", At.AddHours(-24)),
            .. ProcessHistory.CompletedRotation("rotation-3", "missed-3", At.AddHours(-24).AddTicks(1)),
            .. ProcessHistory.CompletedRotation("rotation-4", "missed-4", At.AddHours(-1)),
        ]);

        var evidence = Build(Fold(FirstRecording(FirstRound(), V1)), process: process);

        Assert.Equal([At.AddHours(-24).AddTicks(1), At.AddHours(-1)], evidence.Process.RotationsInLast24h);
        Assert.Equal(process.RotationsWithin24h(At), evidence.Process.RotationsInLast24h.Count);
    }

    [Fact]
    public void The_process_switches_the_rotation_in_flight_and_the_last_completion_come_from_the_process()
    {
        var chain = Fold(FirstRecording(FirstRound(), V1));
        IProcessEvent[] completed = ProcessHistory.CompletedRotation("rotation-1", "missed-1", At.AddHours(-2));
        IProcessEvent[] inFlight =
        [
            .. completed, .. ProcessHistory.Rotation("rotation-2", "missed-2", At.AddMinutes(-1)), ProcessHistory.Latched("missed-2", 2, 2, At.AddMinutes(-1)),
            ProcessHistory.Submitted("rotation-2", At.AddSeconds(-50)), ProcessHistory.Paused(At.AddSeconds(-10)),
        ];

        var idle = Build(chain, process: ProcessHistory.Fold(completed)).Process;
        var busy = Build(chain, process: ProcessHistory.Fold(inFlight)).Process;

        Assert.Equal((false, false, (string?)null, (DateTimeOffset?)At.AddHours(-2).AddSeconds(61)), (idle.AutomationPaused, idle.Latched, idle.RotationInFlight, idle.LastRotationCompletedAt));
        Assert.Equal((true, true, "rotation-2"), (busy.AutomationPaused, busy.Latched, busy.RotationInFlight));
    }

    [Fact]
    public void A_rotation_already_active_in_the_schedule_is_not_in_flight()
    {
        var process = ProcessHistory.Fold([.. ProcessHistory.Rotation("rotation-1", "missed-1", At.AddMinutes(-2)), ProcessHistory.Activated("rotation-1", At.AddMinutes(-1))]);

        Assert.Null(Build(Fold(FirstRecording(FirstRound(), V1)), process: process).Process.RotationInFlight);
    }

    // ---- data centers ----------------------------------------------------------------------------------------------

    [Fact]
    public void A_data_center_with_a_node_but_no_sample_of_it_has_a_node_error()
    {
        var chain = Fold(FirstRecording(FirstRound(), V1));
        var headTime = At.AddSeconds(-1);
        var view = View(Sample(At, 1000, nodes: [new DataCenterNodeView("dc-b", 1046, headTime, null)]));

        var dataCenters = Build(chain, view).DataCenters;

        Assert.Equal(["dc-a", "dc-b", "dc-c"], dataCenters.Select(d => d.Name));
        Assert.False(string.IsNullOrWhiteSpace(dataCenters[0].NodeError), "a node never sampled is in error, and the error says why");
        Assert.Null(dataCenters[0].NodeHeadTime);
        Assert.Equal(new DataCenterEvidence("dc-b", 2, DecisionFixtures.KeyB, DecisionFixtures.FinalizerKeyB, true, headTime, null), dataCenters[1]);
        Assert.Equal(new DataCenterEvidence("dc-c", 3, DecisionFixtures.KeyC, null, false, null, null), dataCenters[2]);
    }

    [Fact]
    public void A_node_error_in_the_sample_is_the_data_centers_error_and_without_any_sample_every_node_is_in_error()
    {
        var chain = Fold(FirstRecording(FirstRound(), V1));

        var withError = Build(chain, View(Sample(At, 1000, nodes: [new DataCenterNodeView("dc-b", null, null, "timeout")]))).DataCenters;
        var unsampled = Build(chain, ObserverState.Empty).DataCenters;

        Assert.Equal("timeout", withError[1].NodeError);
        Assert.NotNull(unsampled[0].NodeError);
        Assert.NotNull(unsampled[1].NodeError);
        Assert.Null(unsampled[2].NodeError);
    }

    // ---- the rest ----------------------------------------------------------------------------------------------------

    [Fact]
    public void The_evidence_carries_the_producer_time_consensus_and_manual_request_it_was_built_for()
    {
        var manual = new ManualRequest("dc-c", "alice", "drill", At.AddSeconds(-3));

        var evidence = EvidenceBuilder.Build(Ours, ConsensusKind.Legacy, 12, DataCenters, Fold(FirstRecording(FirstRound(), V1)), View(Sample(At, 1000)), FailoverProcess.Initial, At, manual);

        Assert.Equal(("ours", At, ConsensusKind.Legacy), (evidence.Producer, evidence.EvaluatedAt, evidence.Consensus));
        Assert.Same(manual, evidence.Manual);
    }

    [Fact]
    public void Building_from_the_same_folds_gives_the_same_decision()
    {
        var chain = Decided(Fold(FirstRecording(FirstRound(), V1)), [Block(1048, Id("main", 1047), S0 + 60, "alice", Savanna)], ObservedAt);

        var a = Policy.Evaluate(Build(chain), new FailoverPolicy());
        var b = Policy.Evaluate(Build(chain), new FailoverPolicy());

        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(a, DomainJsonContext.Default.Decision),
            System.Text.Json.JsonSerializer.Serialize(b, DomainJsonContext.Default.Decision));
    }

    [Fact]
    public void Null_folds_are_refused()
    {
        var chain = Fold(FirstRecording(FirstRound(), V1));

        Assert.Equal("dataCenters", Assert.Throws<ArgumentNullException>(() => EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 12, null!, chain, ObserverState.Empty, FailoverProcess.Initial, At)).ParamName);
        Assert.Equal("chain", Assert.Throws<ArgumentNullException>(() => EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 12, DataCenters, null!, ObserverState.Empty, FailoverProcess.Initial, At)).ParamName);
        Assert.Equal("observer", Assert.Throws<ArgumentNullException>(() => EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 12, DataCenters, chain, null!, FailoverProcess.Initial, At)).ParamName);
        Assert.Equal("process", Assert.Throws<ArgumentNullException>(() => EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 12, DataCenters, chain, ObserverState.Empty, null!, At)).ParamName);
    }
}
