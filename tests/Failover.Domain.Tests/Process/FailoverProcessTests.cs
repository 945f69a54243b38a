using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.ProcessHistory;
using static Failover.Domain.Tests.Support.ProcessSpec;

namespace Failover.Domain.Tests.Process;

/// <summary>
/// The operator's commands on the failover process, the cap of design §2.3 (at most MaxRotationsPer24h automatic
/// rotations in 24 h, then automation latches off until re-armed; manual rotations do not count; a rotation that did
/// not happen no longer counts, but the latch it set stays), and the fold itself (deterministic, counts every event).
/// </summary>
public sealed class FailoverProcessTests
{
    private static readonly FailoverPolicy CapOfTwo = new() { MaxRotationsPer24h = 2 };

    private static string IncidentAt(int n) => MissedIncident(IncidentSlot + (uint)(n * 252));

    private static FailoverCommand.Evaluate Evaluate(Evidence evidence, FailoverPolicy? policy = null) =>
        new(evidence, policy ?? new FailoverPolicy(), new RotationDraft(TestChain.ChainId, TestChain.Id("main", 1001), evidence.EvaluatedAt.AddSeconds(90), Permission, "https://ours.example", 840, SigningAuthority.SingleKey(KeyA)));

    // ---- pause, resume, re-arm ------------------------------------------------------------------------------------

    [Fact]
    public void Pausing_records_who_and_why_and_pauses_automation()
    {
        var spec = Given().When(new FailoverCommand.Pause("alice", "maintenance", T)).Then(new AutomationPaused(Producer, "alice", "maintenance", T));

        Assert.True(spec.After.AutomationPaused);
    }

    [Fact]
    public void Pausing_twice_is_refused()
    {
        Given(Paused(T)).When(new FailoverCommand.Pause("alice", "again", T.AddSeconds(1))).ThenRefused("already paused");
    }

    [Fact]
    public void Resuming_a_paused_process_records_it_and_enables_automation()
    {
        var spec = Given(Paused(T)).When(new FailoverCommand.Resume("bob", "done", T.AddMinutes(1))).Then(new AutomationResumed(Producer, "bob", "done", T.AddMinutes(1)));

        Assert.False(spec.After.AutomationPaused);
    }

    [Fact]
    public void Resuming_when_not_paused_is_refused()
    {
        Given().When(new FailoverCommand.Resume("bob", "done", T)).ThenRefused("not paused");
        Given(Paused(T), Resumed(T.AddSeconds(1))).When(new FailoverCommand.Resume("bob", "done", T.AddSeconds(2))).ThenRefused("not paused");
    }

    [Fact]
    public void Re_arming_with_nothing_to_re_arm_is_refused()
    {
        Given().When(new FailoverCommand.Rearm("carol", "checked", T)).ThenRefused("not latched");
    }

    [Fact]
    public void Re_arming_a_latched_process_records_it_unlatches_and_starts_the_count_afresh()
    {
        IProcessEvent[] history =
        [
            .. CompletedRotation("rotation-1", IncidentAt(0), T.AddHours(-3), CapOfTwo),
            .. Rotation("rotation-2", IncidentAt(1), T.AddHours(-1), CapOfTwo),
            Latched(IncidentAt(1), 2, 2, T.AddHours(-1)),
        ];
        Assert.True(Fold(history).Latched);

        var spec = Given(history).When(new FailoverCommand.Rearm("carol", "checked", T)).Then(new AutomationRearmed(Producer, "carol", "checked", T));

        Assert.False(spec.After.Latched);
        Assert.Empty(spec.After.AutomaticRotations);
    }

    [Fact]
    public void Re_arming_with_rotations_counted_but_no_latch_clears_the_count()
    {
        var spec = Given(CompletedRotation("rotation-1", IncidentAt(0), T.AddHours(-3), CapOfTwo)).When(new FailoverCommand.Rearm("carol", "reset", T)).ThenTypes(typeof(AutomationRearmed));

        Assert.Empty(spec.After.AutomaticRotations);
    }

    // ---- manual requests -----------------------------------------------------------------------------------------

    [Fact]
    public void A_manual_request_is_recorded_and_waits_to_be_decided()
    {
        var spec = Given().When(new FailoverCommand.RequestManualFailover("dc-c", "alice", "drill", T)).Then(ManualRequested("dc-c", T) with { By = "alice" });

        Assert.Equal("dc-c", spec.After.PendingManual?.DataCenter);
    }

    [Fact]
    public void A_manual_request_is_refused_while_another_waits_to_be_decided()
    {
        Given(ManualRequested("dc-c", T)).When(new FailoverCommand.RequestManualFailover("dc-b", "alice", "again", T.AddSeconds(1))).ThenRefused("dc-c");
    }

    [Fact]
    public void A_manual_request_is_refused_while_a_rotation_is_in_flight()
    {
        var request = new FailoverCommand.RequestManualFailover("dc-c", "alice", "drill", T.AddSeconds(30));
        IProcessEvent[] requested = Rotation("rotation-1", IncidentAt(0), T);

        Given(requested).When(request).ThenRefused("rotation-1");
        Given([.. requested, Submitted("rotation-1", T.AddSeconds(1))]).When(request).ThenRefused("rotation-1");
        Given([.. requested, Submitted("rotation-1", T.AddSeconds(1)), Rotated("rotation-1", T.AddSeconds(2))]).When(request).ThenRefused("rotation-1");
    }

    [Fact]
    public void A_manual_request_is_accepted_once_the_rotation_is_active_in_the_schedule()
    {
        IProcessEvent[] activated = [.. Rotation("rotation-1", IncidentAt(0), T), Submitted("rotation-1", T.AddSeconds(1)), Activated("rotation-1", T.AddSeconds(60))];

        Given(activated).When(new FailoverCommand.RequestManualFailover("dc-c", "alice", "back", T.AddSeconds(61))).ThenTypes(typeof(ManualFailoverRequested));
    }

    [Fact]
    public void A_rotation_that_activated_but_never_completed_starts_the_cooldown_at_its_activation()
    {
        IProcessEvent[] activated = [.. Rotation("rotation-1", IncidentAt(0), T), Submitted("rotation-1", T.AddSeconds(1)), Activated("rotation-1", T.AddSeconds(60))];
        Assert.Equal((T.AddSeconds(60), (DateTimeOffset?)null), (Fold(activated).LastTookEffectAt, Fold(activated).LastCompletedAt));
        Assert.Equal(T.AddSeconds(90), Fold([.. activated, Completed("rotation-1", T.AddSeconds(90))]).LastTookEffectAt);

        var flapBack = (Healthy(at: T.AddSeconds(120)) with { Incident = Incident(IncidentSlot + 252, T.AddSeconds(120)) }).WithProcess(p => p with
        {
            LastRotationCompletedAt = EvidenceBuilder.Build(Failover.Antelope.Name.Parse(Producer), ConsensusKind.Savanna, 12, [], Failover.Domain.Chain.ObservedChain.Empty, Failover.Domain.Chain.ObserverState.Empty, Fold(activated), T.AddSeconds(120), null).Process.LastRotationCompletedAt,
        });
        var suppressed = Given(activated).When(Evaluate(flapBack)).Single<FailoverSuppressed>();
        Assert.Contains(ReasonCodes.Cooldown, suppressed.Reasons);
    }

    // ---- the cap ---------------------------------------------------------------------------------------------------

    [Fact]
    public void The_first_of_two_allowed_automatic_rotations_does_not_latch()
    {
        var spec = Given().When(Evaluate(Healthy(), CapOfTwo)).ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));

        Assert.False(spec.After.Latched);
        Assert.Equal([T], spec.After.AutomaticRotations);
    }

    [Fact]
    public void The_rotation_that_reaches_the_cap_latches_automation()
    {
        var spec = Given(CompletedRotation("rotation-1", IncidentAt(-1), T.AddHours(-3), CapOfTwo)).When(Evaluate(Healthy(), CapOfTwo))
            .ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested), typeof(AutomationLatched));

        // The latch is recorded once, by the decider, with the decision that reaches the cap; the fold only reads it.
        var latched = spec.Single<AutomationLatched>();
        Assert.Equal((Producer, spec.Single<FailoverTriggered>().IncidentId, 2, 2, T), (latched.Producer, latched.IncidentId, latched.Rotations, latched.Cap, latched.At));
        Assert.True(spec.After.Latched);
        Assert.Equal([T.AddHours(-3), T], spec.After.AutomaticRotations);
        Assert.False(Fold([.. spec.Stream.Where(e => e is not AutomationLatched)]).Latched);
    }

    [Fact]
    public void A_cap_of_one_latches_at_the_first_automatic_rotation()
    {
        Assert.True(Given().When(Evaluate(Healthy(), new FailoverPolicy { MaxRotationsPer24h = 1 })).After.Latched);
    }

    [Fact]
    public void Rotations_24_hours_old_or_older_do_not_count_towards_the_latch()
    {
        Assert.False(Given(CompletedRotation("rotation-1", IncidentAt(-1), T.AddHours(-24), CapOfTwo)).When(Evaluate(Healthy(), CapOfTwo)).After.Latched);
        Assert.True(Given(CompletedRotation("rotation-1", IncidentAt(-1), T.AddHours(-24).AddTicks(1), CapOfTwo)).When(Evaluate(Healthy(), CapOfTwo)).After.Latched);
    }

    [Fact]
    public void A_latched_process_suppresses_the_next_incident_with_cap_reached_until_re_armed()
    {
        IProcessEvent[] latched =
        [
            .. CompletedRotation("rotation-1", IncidentAt(0), T.AddHours(-3), CapOfTwo),
            .. Rotation("rotation-2", IncidentAt(1), T.AddHours(-1), CapOfTwo),
            Latched(IncidentAt(1), 2, 2, T.AddHours(-1)),
            .. CompletedRotation("rotation-2", IncidentAt(1), T.AddHours(-1), CapOfTwo)[2..],
        ];
        var state = Fold(latched);
        var evidence = Healthy() with
        {
            Incident = Incident(IncidentSlot + (2 * 252)),
            Process = new ProcessEvidence(state.AutomationPaused, state.Latched, null, state.LastCompletedAt, [.. state.AutomaticRotations]),
        };

        var suppressed = Given(latched).When(Evaluate(evidence, CapOfTwo)).Single<FailoverSuppressed>();
        var rearmed = Given([.. latched, Rearmed(T.AddMinutes(-1))]);
        var afterRearm = evidence with { Process = new ProcessEvidence(false, rearmed.Before.Latched, null, rearmed.Before.LastCompletedAt, [.. rearmed.Before.AutomaticRotations]) };

        Assert.True(state.Latched);
        Assert.Equal([ReasonCodes.CapReached], suppressed.Reasons);
        rearmed.When(Evaluate(afterRearm, CapOfTwo)).ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));
    }

    [Theory]
    [InlineData(RotationFailures.Rejected)]
    [InlineData(RotationFailures.Expired)]
    [InlineData(RotationFailures.DryRun)]
    public void A_rotation_that_did_not_happen_no_longer_counts_but_the_latch_it_set_stays(string reason)
    {
        IProcessEvent[] history =
        [
            .. CompletedRotation("rotation-1", IncidentAt(0), T.AddHours(-3), CapOfTwo),
            .. Rotation("rotation-2", IncidentAt(1), T.AddHours(-1), CapOfTwo),
            Latched(IncidentAt(1), 2, 2, T.AddHours(-1)),
            Failed("rotation-2", reason, T.AddHours(-1).AddMinutes(5)),
        ];

        var state = Fold(history);

        Assert.Equal([T.AddHours(-3)], state.AutomaticRotations);
        Assert.Equal(1, state.RotationsWithin24h(T));
        Assert.True(state.Latched);
    }

    [Fact]
    public void After_a_failed_rotation_the_next_one_is_counted_without_it()
    {
        IProcessEvent[] history = [.. Rotation("rotation-1", IncidentAt(-1), T.AddHours(-2), CapOfTwo), Failed("rotation-1", RotationFailures.Rejected, T.AddHours(-2).AddSeconds(1))];

        var spec = Given(history).When(Evaluate(Healthy(), CapOfTwo)).ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));

        Assert.False(spec.After.Latched);
        Assert.Equal([T], spec.After.AutomaticRotations);
    }

    [Fact]
    public void Manual_rotations_do_not_count_towards_the_cap()
    {
        var capOfOne = new FailoverPolicy { MaxRotationsPer24h = 1 };
        var manual = Given(ManualRequested("dc-c", T.AddSeconds(-5))).When(Evaluate(Healthy().WithManual("dc-c") with { Incident = null }, capOfOne));

        Assert.False(manual.After.Latched);
        Assert.Empty(manual.After.AutomaticRotations);
        Assert.Equal(1, manual.After.RotationsRequested);
        Assert.Equal(0, manual.After.RotationsWithin24h(T));
    }

    [Fact]
    public void A_failed_manual_rotation_leaves_the_automatic_count_alone()
    {
        // An automatic rotation completed; a manual one requested at the very same instant is rejected: the automatic
        // one still counts.
        var at = T.AddHours(-2);
        IProcessEvent[] history =
        [
            .. CompletedRotation("rotation-1", IncidentAt(0), at, CapOfTwo),
            ManualRequested("dc-c", at),
            Triggered("manual-7", at, target: "dc-c", manualTo: "dc-c"),
            Requested("rotation-m", "manual-7", at, target: "dc-c"),
            Failed("rotation-m", RotationFailures.Rejected, at.AddSeconds(1)),
        ];

        Assert.Equal([at], Fold(history).AutomaticRotations);
    }

    [Fact]
    public void Rotations_within_24_hours_counts_only_those_less_than_24_hours_before()
    {
        IProcessEvent[] history =
        [
            .. CompletedRotation("rotation-1", IncidentAt(0), T.AddHours(-30)),
            .. CompletedRotation("rotation-2", IncidentAt(1), T.AddHours(-24)),
            .. CompletedRotation("rotation-3", IncidentAt(2), T.AddHours(-23)),
        ];

        var state = Fold(history);

        Assert.Equal(1, state.RotationsWithin24h(T));
        Assert.Equal(3, state.RotationsWithin24h(T.AddHours(-20)));
    }

    // ---- the fold ---------------------------------------------------------------------------------------------------

    /// <summary>Events of one stream's possible history, including ones for rotations that are not current.</summary>
    private static readonly IProcessEvent[] Pool =
    [
        .. Rotation("rotation-1", IncidentAt(0), T, CapOfTwo),
        .. Rotation("rotation-2", IncidentAt(1), T.AddHours(1), CapOfTwo),
        Submitted("rotation-1", T.AddSeconds(1)),
        Submitted("rotation-2", T.AddHours(1).AddSeconds(1)),
        Failed("rotation-1", RotationFailures.Expired, T.AddMinutes(5)),
        Failed("rotation-2", RotationFailures.Rejected, T.AddHours(1).AddSeconds(2)),
        Rotated("rotation-1", T.AddSeconds(3)),
        Activated("rotation-1", T.AddSeconds(60)),
        Completed("rotation-1", T.AddSeconds(70)),
        Completed("rotation-2", T.AddHours(1).AddSeconds(70)),
        Paused(T.AddMinutes(1)),
        Resumed(T.AddMinutes(2)),
        Rearmed(T.AddMinutes(3)),
        ManualRequested("dc-c", T.AddMinutes(4)),
        Triggered("manual-3", T.AddMinutes(4), manualTo: "dc-c", target: "dc-c"),
        new FailoverSuppressed(Producer, IncidentAt(0), [ReasonCodes.StaleHead], new Decision(DecisionOutcome.Suppress, [ReasonCodes.StaleHead], null, [], CapOfTwo.Hash()), Healthy(), CapOfTwo, T),
    ];

    private static string Describe(FailoverProcess p) => string.Join(
        " | ",
        p.Phase.GetType().Name,
        p.CurrentRotation?.ToString() ?? "-",
        (p.Phase as Phase.Submitted)?.Outcome ?? "-",
        p.AutomationPaused,
        p.Latched,
        string.Join(",", p.AutomaticRotations.Select(t => t.ToUnixTimeMilliseconds())),
        p.LastCompletedAt?.ToUnixTimeMilliseconds() ?? -1,
        p.HandledIncident ?? "-",
        p.SuppressedIncident ?? "-",
        string.Join(",", p.SuppressedReasons.Order(StringComparer.Ordinal)),
        p.PendingManual?.ToString() ?? "-",
        p.PendingManualIncident ?? "-",
        p.RotationsRequested,
        p.EventCount);

    private static Arbitrary<IProcessEvent[]> Histories() =>
        Gen.Elements(Pool).ListOf().Select(l => l.ToArray()).ToArbitrary();

    [Property(MaxTest = 200)]
    public Property Folding_the_same_events_twice_gives_the_same_state() =>
        Prop.ForAll(Histories(), events => Describe(Fold(events)) == Describe(Fold(events)));

    [Property(MaxTest = 200)]
    public Property Every_event_counts_towards_the_stream_version() =>
        Prop.ForAll(Histories(), events => Fold(events).EventCount == events.Length);

    [Property(MaxTest = 200)]
    public Property Deciding_is_a_function_of_the_state_and_the_command() =>
        Prop.ForAll(Histories(), events =>
        {
            var state = Fold(events);
            FailoverCommand[] commands =
            [
                Evaluate(Healthy()),
                new FailoverCommand.ObserveOurBlock(2000, TestChain.Id("main", 2000), KeyB, T.AddMinutes(2)),
                new FailoverCommand.ObserveFinality(T.AddHours(2), SigningAuthority.SingleKey(KeyA), T.AddHours(2)),
                new FailoverCommand.Pause("alice", "x", T),
                new FailoverCommand.RequestManualFailover("dc-c", "alice", "x", T),
            ];
            return commands.All(c =>
                Canonical(FailoverDecider.Decide(c, state, Producer).Events).SequenceEqual(Canonical(FailoverDecider.Decide(c, Fold(events), Producer).Events)));
        });

    [Fact]
    public void An_event_for_a_rotation_that_is_not_current_changes_only_the_event_count()
    {
        var before = Fold(Rotation("rotation-1", IncidentAt(0), T));

        foreach (var e in new IProcessEvent[] { Submitted("rotation-9", T), Failed("rotation-9", RotationFailures.Rejected, T), Rotated("rotation-9", T), Activated("rotation-9", T), Completed("rotation-9", T) })
        {
            var after = before.Apply(e);

            Assert.Equal(before.EventCount + 1, after.EventCount);
            Assert.Equal(Describe(before with { EventCount = after.EventCount }), Describe(after));
        }
    }

    [Fact]
    public void Steps_out_of_order_do_not_move_the_phase_back()
    {
        IProcessEvent[] activated = [.. Rotation("rotation-1", IncidentAt(0), T), Submitted("rotation-1", T.AddSeconds(1)), Activated("rotation-1", T.AddSeconds(60))];
        var state = Fold(activated);

        Assert.IsType<Phase.Activated>(state.Apply(Rotated("rotation-1", T.AddSeconds(61))).Phase);
        Assert.IsType<Phase.Activated>(state.Apply(Submitted("rotation-1", T.AddSeconds(61))).Phase);
        Assert.IsType<Phase.Activated>(state.Apply(Activated("rotation-1", T.AddSeconds(61))).Phase);
        Assert.IsType<Phase.Submitted>(Fold([.. Rotation("rotation-1", IncidentAt(0), T), Submitted("rotation-1", T.AddSeconds(1)), Submitted("rotation-1", T.AddSeconds(2))]).Phase);
    }

    [Fact]
    public void A_submission_keeps_the_outcome_of_the_push()
    {
        var state = Fold([.. Rotation("rotation-1", IncidentAt(0), T), Submitted("rotation-1", T.AddSeconds(1), PushOutcomes.Unknown)]);

        Assert.Equal(PushOutcomes.Unknown, Assert.IsType<Phase.Submitted>(state.Phase).Outcome);
        Assert.Equal("rotation-1", state.CurrentRotation?.RotationId);
    }

    [Fact]
    public void A_suppression_of_another_incident_replaces_the_reasons_remembered()
    {
        var first = new FailoverSuppressed(Producer, IncidentAt(0), [ReasonCodes.StaleHead, ReasonCodes.LibStalled], new Decision(DecisionOutcome.Suppress, [], null, [], ""), Healthy(), new FailoverPolicy(), T);
        var second = first with { IncidentId = IncidentAt(1), Reasons = [ReasonCodes.Cooldown] };
        var same = first with { Reasons = [ReasonCodes.Cooldown] };

        Assert.Equal([ReasonCodes.Cooldown], Fold([first, second]).SuppressedReasons);
        Assert.Equal([ReasonCodes.Cooldown, ReasonCodes.LibStalled, ReasonCodes.StaleHead], Fold([first, same]).SuppressedReasons.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_automatic_suppression_or_trigger_leaves_a_pending_manual_request_pending()
    {
        var automatic = new FailoverSuppressed(Producer, IncidentAt(0), [ReasonCodes.StaleHead], new Decision(DecisionOutcome.Suppress, [], null, [], ""), Healthy(), new FailoverPolicy(), T);

        Assert.Equal(("dc-c", "manual-0"), (Fold([ManualRequested("dc-c", T), automatic]).PendingManual?.DataCenter, Fold([ManualRequested("dc-c", T), automatic]).PendingManualIncident));
        Assert.Equal(("dc-c", "manual-0"), (Fold([ManualRequested("dc-c", T), Triggered(IncidentAt(0), T)]).PendingManual?.DataCenter, Fold([ManualRequested("dc-c", T), Triggered(IncidentAt(0), T)]).PendingManualIncident));
        var decided = Fold([ManualRequested("dc-c", T), Triggered("manual-0", T, manualTo: "dc-c", target: "dc-c")]);
        Assert.Equal((null, null), (decided.PendingManual, decided.PendingManualIncident));
    }

    [Fact]
    public void A_manual_request_is_its_own_incident_named_by_its_place_in_the_stream()
    {
        Assert.Equal("manual-0", Fold([ManualRequested("dc-c", T)]).PendingManualIncident);
        Assert.Equal("manual-2", Fold([Paused(T), Resumed(T), ManualRequested("dc-c", T)]).PendingManualIncident);
    }

    [Fact]
    public void Apply_and_decide_refuse_null()
    {
        Assert.Throws<ArgumentNullException>(() => FailoverProcess.Initial.Apply(null!));
        Assert.Throws<ArgumentNullException>(() => FailoverDecider.Decide(null!, FailoverProcess.Initial, Producer));
        Assert.Throws<ArgumentNullException>(() => FailoverDecider.Decide(new FailoverCommand.Pause("a", "b", T), null!, Producer));
    }
}
