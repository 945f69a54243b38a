using System.Globalization;
using Failover.Domain.Decisions;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.PolicySpec;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// What each gate says (design §2.4 and §9: the decision and its evidence are the audit trail an operator reads, and
/// the audit tool shows them). A detail states the facts the gate judged — the figures, times and names — and says
/// nothing that is not so (no "skipped" when nothing was skipped, no missing producers when none is missing).
/// Percentages and seconds are written with the invariant culture.
/// </summary>
public sealed class PolicyDetailTests
{
    private static string Percent(double rate, string format) => rate.ToString(format, CultureInfo.InvariantCulture);

    [Fact]
    public void The_schedule_gate_says_whether_our_producer_is_in_the_schedule_and_which_version()
    {
        Given(Healthy()).When().ThenDetailMentions(ReasonCodes.NotScheduled, "ours is in the active schedule v7");
        Given(Healthy().NotScheduled())
            .When()
            .ThenDetailMentions(ReasonCodes.NotScheduled, "ours is not in the active schedule v7");
    }

    [Fact]
    public void Gates_that_hold_say_so()
    {
        Given(Healthy())
            .When()
            .ThenDetailMentions(ReasonCodes.AutomationPaused, "automation is enabled")
            .ThenDetailMentions(ReasonCodes.Cooldown, "no earlier rotation")
            .ThenDetailMentions(ReasonCodes.RotationInFlight, "no rotation in flight")
            .ThenDetailMentions(ReasonCodes.CapReached, "0 of at most 2");
    }

    [Fact]
    public void The_cooldown_gate_says_how_long_ago_the_last_rotation_took_effect_and_the_cooldown()
    {
        Given(Healthy().WithProcess(p => p with { LastRotationCompletedAt = T.AddSeconds(-90) }))
            .When()
            .ThenDetailMentions(ReasonCodes.Cooldown, "took effect 90.0 s ago", "cooldown 600.0 s");
    }

    [Fact]
    public void The_participation_gate_states_both_figures_and_the_threshold_and_names_no_one_missing_when_all_produced()
    {
        var spec = Given(Healthy()).When();

        Assert.Equal(
            $"last full round: 20/20 others produced ({Percent(1, "P1")}); sliding window: 20/20 others produced ({Percent(1, "P1")}) (must be above {Percent(0.8, "P0")})",
            spec.Gate(ReasonCodes.LowParticipation).Detail);
    }

    [Fact]
    public void The_participation_gate_names_the_others_missing_in_each_figure()
    {
        var spec = Given(Healthy().WithChain(c => c with { LastFullRound = Figures(20, 18), SlidingWindow = null })).When();

        Assert.Equal(
            $"last full round: 18/20 others produced ({Percent(0.9, "P1")}), missing other0, other1; sliding window: not observed (must be above {Percent(0.8, "P0")})",
            spec.Gate(ReasonCodes.LowParticipation).Detail);
    }

    [Fact]
    public void Legacy_the_participation_gate_adds_the_windows_since_the_incident_in_the_words_of_evidence_recorded_before_the_anchor_was_named()
    {
        var round = $"last full round: 20/20 others produced ({Percent(1, "P1")}); sliding window: 20/20 others produced ({Percent(1, "P1")})";

        Assert.Equal(
            $"{round}; windows since the incident: 19/19 others produced ({Percent(1, "P1")}); waiting until all 20 other producers had a window since the incident, or the revealing block is irreversible",
            Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(19, 19) })).When().Gate(ReasonCodes.LowParticipation).Detail);
        Assert.Equal(
            $"{round}; windows since the incident: 16/20 others produced ({Percent(0.8, "P1")}), missing other0, other1, other2, other3 (must be above {Percent(0.8, "P0")})",
            Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(20, 16) })).When().Gate(ReasonCodes.LowParticipation).Detail);
        Assert.Equal(
            $"{round}; windows since the incident: not observed; the revealing block 1000 is irreversible",
            Given(Healthy(ConsensusKind.Legacy).WithChain(c => c with { SinceIncident = null })).When().Gate(ReasonCodes.LowParticipation).Detail);
    }

    [Fact]
    public void Evidence_anchored_on_our_latest_miss_names_the_block_that_revealed_it_and_the_windows_since_its_window()
    {
        // Evidence recorded before the anchor was named keeps its wording (above): the audit compares details.
        var latest = Incident() with { Anchor = IncidentAnchor.LatestMiss, AnchorSlot = IncidentSlot + 11 };
        var round = $"last full round: 20/20 others produced ({Percent(1, "P1")}); sliding window: 20/20 others produced ({Percent(1, "P1")})";
        var legacy = Healthy(ConsensusKind.Legacy) with { Incident = latest };

        Assert.Equal(
            $"{round}; windows since our latest missed window: 19/19 others produced ({Percent(1, "P1")}); waiting until all 20 other producers had a window since our latest missed window, or the block that revealed our latest miss is irreversible",
            Given(legacy.RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(19, 19) })).When().Gate(ReasonCodes.LowParticipation).Detail);
        Assert.Equal(
            $"{round}; windows since our latest missed window: not observed; the block 1000 that revealed our latest miss (slot {IncidentSlot + 11}) is irreversible",
            Given(legacy.WithChain(c => c with { SinceIncident = null })).When().Gate(ReasonCodes.LowParticipation).Detail);

        var savanna = Healthy() with { Incident = latest };
        Assert.Equal(
            $"LIB 1001 advanced 1.0 s ago; the block 1000 that revealed our latest miss (slot {IncidentSlot + 11}) is final",
            Given(savanna).When().Gate(ReasonCodes.LibStalled).Detail);
        Assert.Equal(
            $"LIB 999 advanced 1.0 s ago; waiting for the block 1000 that revealed our latest miss (slot {IncidentSlot + 11}) to become final (2.0 s so far)",
            Given(savanna.RevealingBlockNotFinal()).When().Gate(ReasonCodes.LibStalled).Detail);
        Assert.Equal(
            $"the block 1000 that revealed our latest miss (slot {IncidentSlot + 11}) did not become final within 10.0 s (LIB 999)",
            Given(savanna.RevealingBlockNotFinal() with { Incident = latest with { RevealedAt = T.AddSeconds(-11) } }).When().Gate(ReasonCodes.LibStalled).Detail);
    }

    [Fact]
    public void The_lib_gate_says_when_the_lib_last_advanced()
    {
        Given(Healthy(ConsensusKind.Legacy)).When().ThenDetailMentions(ReasonCodes.LibStalled, "LIB 1001 advanced 1.0 s ago");
        Given(Healthy().WithChain(c => c with { LibAdvancedAt = T.AddSeconds(-12) }))
            .When()
            .ThenDetailMentions(ReasonCodes.LibStalled, "LIB 1001 last advanced 12.0 s ago (at most 10.0 s)");
    }

    [Fact]
    public void The_lib_gate_says_a_revealing_block_was_not_final_in_time_and_the_lib_it_saw()
    {
        var spec = Given(Healthy().RevealingBlockNotFinal() with { Incident = Incident() with { RevealedAt = T.AddSeconds(-11) } }).When();

        Assert.Equal("the revealing block 1000 did not become final within 10.0 s (LIB 999)", spec.Gate(ReasonCodes.LibStalled).Detail);
    }

    [Fact]
    public void The_target_detail_names_the_target_and_mentions_no_skipped_data_center_when_none_was_skipped()
    {
        var spec = Given(Healthy().WithDataCenters(DcB, DcC)).When().ThenTrigger("dc-b");

        Assert.Equal($"target dc-b (priority 2, key {KeyB})", spec.Gate(ReasonCodes.NoReadyStandby).Detail);
    }

    [Fact]
    public void The_target_detail_lists_every_data_center_skipped_and_why()
    {
        var spec = Given(Healthy().WithDataCenters(DcA, DcB with { NodeError = "down" }, DcC)).When().ThenTrigger("dc-c");

        Assert.Equal($"target dc-c (priority 3, key {KeyC}); skipped: dc-a holds the key in force; dc-b's node fails: down", spec.Gate(ReasonCodes.NoReadyStandby).Detail);
    }

    [Fact]
    public void Without_a_ready_standby_the_detail_lists_every_data_center_and_why()
    {
        var spec = Given(Healthy().WithDataCenters(DcA, DcB with { NodeError = "down" }, DcC with { HasNode = true })).When();

        Assert.Equal(
            "no ready standby: dc-a holds the key in force; dc-b's node fails: down; dc-c's node head is unknown",
            spec.Gate(ReasonCodes.NoReadyStandby).Detail);
    }

    [Fact]
    public void A_manual_request_to_a_known_data_center_does_not_say_it_is_unknown()
    {
        var spec = Given(Healthy().WithManual("dc-a")).When();

        Assert.Equal("no ready standby: dc-a holds the key in force", spec.Gate(ReasonCodes.NoReadyStandby).Detail);
    }

    [Fact]
    public void The_policy_refuses_null_evidence_or_policy()
    {
        Assert.Equal("evidence", Assert.Throws<ArgumentNullException>(() => Policy.Evaluate(null!, new FailoverPolicy())).ParamName);
        Assert.Equal("policy", Assert.Throws<ArgumentNullException>(() => Policy.Evaluate(Healthy(), null!)).ParamName);
    }
}
