using Failover.Domain.Decisions;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.PolicySpec;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// Gates together (design §5: "all required"): every failing gate is a reason, in the order of
/// <see cref="ReasonCodes.All"/>; a gate still waiting never hides a failing one; only when every gate holds does the
/// policy trigger. An operator's request overrides the gates that judge the chain and automation (recorded, not
/// blocking) but never not-scheduled, rotation-in-flight or no-ready-standby.
/// </summary>
public sealed class PolicyCombinationTests
{
    /// <summary>Gates an operator's request may override (design §7 "failover switch --to").</summary>
    private static readonly string[] Overridable =
    [
        ReasonCodes.AutomationPaused, ReasonCodes.CapReached, ReasonCodes.Cooldown, ReasonCodes.LowParticipation,
        ReasonCodes.StaleHead, ReasonCodes.LibStalled, ReasonCodes.EndpointsDisagree,
    ];

    /// <summary>For each reason code, a change of the healthy evidence that makes exactly that gate fail.</summary>
    private static readonly Dictionary<string, Func<Evidence, Evidence>> Break = new()
    {
        [ReasonCodes.NotScheduled] = e => e.NotScheduled(),
        [ReasonCodes.AutomationPaused] = e => e.WithProcess(p => p with { AutomationPaused = true }),
        [ReasonCodes.CapReached] = e => e.WithProcess(p => p with { Latched = true }),
        [ReasonCodes.Cooldown] = e => e.WithProcess(p => p with { LastRotationCompletedAt = T.AddMinutes(-1) }),
        [ReasonCodes.RotationInFlight] = e => e.WithProcess(p => p with { RotationInFlight = "rotation-9" }),
        [ReasonCodes.LowParticipation] = e => e.WithChain(c => c with { LastFullRound = Figures(20, 10) }),
        [ReasonCodes.StaleHead] = e => e.WithChain(c => c with { HeadBlockTime = T.AddMinutes(-1) }),
        [ReasonCodes.LibStalled] = e => e.WithChain(c => c with { LibAdvancedAt = null }),
        [ReasonCodes.EndpointsDisagree] = e => e.WithChain(c => c with { EndpointsAgreeing = 1 }),
        [ReasonCodes.ConsensusMismatch] = e => e with { ChainConsensus = ConsensusKind.Legacy },
        [ReasonCodes.NoReadyStandby] = e => e.WithDataCenters(DcA),
    };

    private static Evidence Breaking(Evidence evidence, IEnumerable<string> reasons) => reasons.Aggregate(evidence, (e, r) => Break[r](e));

    [Fact]
    public void Each_broken_gate_alone_suppresses_with_its_reason_only()
    {
        foreach (var reason in ReasonCodes.All)
        {
            Given(Breaking(Healthy(), [reason])).When().ThenSuppress(reason);
        }
    }

    [Fact]
    public void Several_failing_gates_give_every_reason_in_the_order_of_the_reason_codes()
    {
        Given(Breaking(Healthy(), [ReasonCodes.EndpointsDisagree, ReasonCodes.StaleHead, ReasonCodes.AutomationPaused]))
            .When()
            .ThenSuppress(ReasonCodes.AutomationPaused, ReasonCodes.StaleHead, ReasonCodes.EndpointsDisagree);
    }

    [Fact]
    public void Every_gate_failing_gives_all_eleven_reasons()
    {
        Given(Breaking(Healthy(), ReasonCodes.All.Reverse())).When().ThenSuppress([.. ReasonCodes.All]);
    }

    [Fact]
    public void Any_set_of_failing_gates_is_exactly_the_reasons_and_only_the_empty_set_triggers()
    {
        // All 2^11 subsets of the gates.
        var all = ReasonCodes.All;
        for (var mask = 0; mask < 1 << all.Count; mask++)
        {
            var broken = all.Where((_, i) => (mask & (1 << i)) != 0).ToArray();
            var decision = Policy.Evaluate(Breaking(Healthy(), broken), new FailoverPolicy());

            Assert.Equal(broken, decision.Reasons);
            Assert.Equal(broken.Length == 0 ? DecisionOutcome.Trigger : DecisionOutcome.Suppress, decision.Outcome);
            Assert.Equal(broken.Length == 0 ? "dc-b" : null, decision.TargetDataCenter);
            Assert.Equal(all.Where(r => !broken.Contains(r)), decision.Gates.Where(g => g.Passed).Select(g => g.Reason));
        }
    }

    [Fact]
    public void A_failing_gate_and_a_pending_one_suppress_with_only_the_failing_reason()
    {
        var savanna = Healthy().RevealingBlockNotFinal().WithChain(c => c with { EndpointsAgreeing = 1 });
        var legacy = Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = null, HeadBlockTime = T.AddMinutes(-1) });

        Given(savanna).When().ThenSuppress(ReasonCodes.EndpointsDisagree).ThenGatePending(ReasonCodes.LibStalled);
        Given(legacy).When().ThenSuppress(ReasonCodes.StaleHead).ThenGatePending(ReasonCodes.LowParticipation);
    }

    // ---- manual requests ----------------------------------------------------------------------------------------

    [Fact]
    public void A_manual_request_on_healthy_evidence_triggers_to_the_named_data_center_and_overrides_nothing()
    {
        var spec = Given(Healthy().WithManual("dc-c")).When().ThenTrigger("dc-c");

        Assert.DoesNotContain(spec.Decision.Gates, g => g.Overridden);
    }

    [Fact]
    public void A_manual_request_overrides_each_chain_and_automation_gate_alone_and_records_it()
    {
        foreach (var reason in Overridable)
        {
            Given(Breaking(Healthy(), [reason]).WithManual("dc-b"))
                .When()
                .ThenTrigger("dc-b")
                .ThenGateOverridden(reason)
                .ThenDetailMentions(reason, "overridden by the operator's request");
        }
    }

    [Fact]
    public void A_manual_request_overrides_all_chain_and_automation_gates_at_once()
    {
        var spec = Given(Breaking(Healthy(), Overridable).WithManual("dc-c")).When().ThenTrigger("dc-c");

        Assert.Equal(Overridable, spec.Decision.Gates.Where(g => g.Overridden).Select(g => g.Reason));
        Assert.All(spec.Decision.Gates.Where(g => g.Overridden), g => Assert.False(g.Passed));
    }

    [Theory]
    [InlineData(ReasonCodes.NotScheduled)]
    [InlineData(ReasonCodes.RotationInFlight)]
    [InlineData(ReasonCodes.ConsensusMismatch)]
    [InlineData(ReasonCodes.NoReadyStandby)]
    public void A_manual_request_does_not_override_the_gates_that_make_a_rotation_impossible_or_a_second_one(string reason)
    {
        Given(Breaking(Healthy(), [reason]).WithManual("dc-b")).When().ThenSuppress(reason);
    }

    [Fact]
    public void A_manual_request_blocked_by_one_gate_still_records_the_others_it_overrides()
    {
        Given(Breaking(Healthy(), [ReasonCodes.RotationInFlight, ReasonCodes.StaleHead, ReasonCodes.Cooldown]).WithManual("dc-b"))
            .When()
            .ThenSuppress(ReasonCodes.RotationInFlight)
            .ThenGateOverridden(ReasonCodes.StaleHead)
            .ThenGateOverridden(ReasonCodes.Cooldown);
    }

    [Fact]
    public void Any_set_of_failing_gates_under_a_manual_request_blocks_only_by_the_four_it_cannot_override()
    {
        var all = ReasonCodes.All;
        for (var mask = 0; mask < 1 << all.Count; mask++)
        {
            var broken = all.Where((_, i) => (mask & (1 << i)) != 0).ToArray();
            var decision = Policy.Evaluate(Breaking(Healthy(), broken).WithManual("dc-b"), new FailoverPolicy());
            var blocking = broken.Where(r => !Overridable.Contains(r)).ToArray();

            Assert.Equal(blocking, decision.Reasons);
            Assert.Equal(blocking.Length == 0 ? DecisionOutcome.Trigger : DecisionOutcome.Suppress, decision.Outcome);
            Assert.Equal(broken.Where(Overridable.Contains), decision.Gates.Where(g => g.Overridden).Select(g => g.Reason));
        }
    }

    [Fact]
    public void A_manual_request_to_the_data_center_holding_the_key_finds_no_ready_standby()
    {
        Given(Healthy().WithManual("dc-a"))
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-a holds the key in force");
    }

    [Fact]
    public void A_manual_request_to_an_unknown_data_center_finds_no_ready_standby()
    {
        Given(Healthy().WithManual("dc-z"))
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "no data center is named dc-z");
    }

    [Fact]
    public void A_manual_request_to_a_standby_whose_node_is_stale_is_not_redirected_to_another()
    {
        Given(Healthy().WithDataCenters(DcA, DcB with { NodeHeadTime = T.AddMinutes(-1) }, DcC).WithManual("dc-b"))
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby);
    }

    [Fact]
    public void A_manual_request_does_not_wait_for_evidence_after_the_incident()
    {
        Given(Healthy().RevealingBlockNotFinal().WithManual("dc-b"))
            .When()
            .ThenTrigger("dc-b")
            .ThenGateOverridden(ReasonCodes.LibStalled);
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = null }).WithManual("dc-b"))
            .When()
            .ThenTrigger("dc-b")
            .ThenGateOverridden(ReasonCodes.LowParticipation);
    }

    [Theory]
    [InlineData(ConsensusKind.Savanna)]
    [InlineData(ConsensusKind.Legacy)]
    public void A_manual_request_without_an_incident_is_judged_on_the_chain_as_it_is(ConsensusKind consensus)
    {
        var spec = Given(Healthy(consensus).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = null }).WithManual("dc-b") with { Incident = null })
            .When()
            .ThenTrigger("dc-b");

        Assert.DoesNotContain(spec.Decision.Gates, g => g.Overridden || g.Pending);
    }
}
