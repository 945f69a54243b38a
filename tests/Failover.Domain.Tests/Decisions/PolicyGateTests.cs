using Failover.Domain.Decisions;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.PolicySpec;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// Policy.Evaluate, one gate at a time (design §2 and §5). The evidence starts from <see cref="Support.DecisionFixtures.Healthy"/>
/// (every gate holds; dc-b is the standby) and each test breaks or moves one thing. Defaults of §5: MinParticipation
/// 0.80 (strictly above), MaxHeadAge 3 s, MaxLibStall 10 s, Cooldown 10 min, MaxRotationsPer24h 2.
/// </summary>
public sealed class PolicyGateTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Theory]
    [InlineData(ConsensusKind.Savanna)]
    [InlineData(ConsensusKind.Legacy)]
    public void Healthy_evidence_triggers_a_rotation_to_the_first_ready_standby(ConsensusKind consensus)
    {
        Given(Healthy(consensus)).When().ThenTrigger("dc-b");
    }

    [Fact]
    public void Every_decision_judges_every_gate_once_in_the_order_of_the_reason_codes()
    {
        var spec = Given(Healthy()).When();

        Assert.Equal(ReasonCodes.All, spec.Decision.Gates.Select(g => g.Reason));
        Assert.Equal(11, ReasonCodes.All.Distinct().Count());
    }

    [Fact]
    public void The_decision_records_the_hash_of_the_policy_it_was_taken_under()
    {
        var strict = new FailoverPolicy { MinParticipation = 0.9 };

        var spec = Given(Healthy()).When(strict);

        Assert.Equal(strict.Hash(), spec.Decision.PolicyHash);
        Assert.NotEqual(new FailoverPolicy().Hash(), spec.Decision.PolicyHash);
    }

    // ---- not scheduled ------------------------------------------------------------------------------------------

    [Fact]
    public void A_producer_not_in_the_active_schedule_is_suppressed_as_not_scheduled()
    {
        Given(Healthy().NotScheduled())
            .When()
            .ThenSuppress(ReasonCodes.NotScheduled);
    }

    // ---- automation paused --------------------------------------------------------------------------------------

    [Fact]
    public void Automation_paused_by_an_operator_suppresses_the_rotation()
    {
        Given(Healthy().WithProcess(p => p with { AutomationPaused = true }))
            .When()
            .ThenSuppress(ReasonCodes.AutomationPaused)
            .ThenDetailMentions(ReasonCodes.AutomationPaused, "paused");
    }

    // ---- cap ----------------------------------------------------------------------------------------------------

    [Fact]
    public void One_rotation_in_the_last_24_hours_is_below_the_default_cap_of_two()
    {
        Given(Healthy().WithProcess(p => p with { RotationsInLast24h = [T.AddHours(-5)] }))
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.CapReached, "1 of at most 2");
    }

    [Fact]
    public void As_many_rotations_in_the_last_24_hours_as_the_cap_suppress_with_cap_reached()
    {
        Given(Healthy().WithProcess(p => p with { RotationsInLast24h = [T.AddHours(-5), T.AddHours(-1)] }))
            .When()
            .ThenSuppress(ReasonCodes.CapReached)
            .ThenDetailMentions(ReasonCodes.CapReached, "2 of at most 2");
    }

    [Fact]
    public void The_cap_is_the_policys_so_a_higher_cap_lets_the_same_count_through()
    {
        var evidence = Healthy().WithProcess(p => p with { RotationsInLast24h = [T.AddHours(-5), T.AddHours(-1)] });

        Given(evidence).When(new FailoverPolicy { MaxRotationsPer24h = 3 }).ThenTrigger("dc-b");
        Given(evidence.WithProcess(p => p with { RotationsInLast24h = [.. p.RotationsInLast24h, T.AddMinutes(-30)] }))
            .When(new FailoverPolicy { MaxRotationsPer24h = 3 })
            .ThenSuppress(ReasonCodes.CapReached);
    }

    [Fact]
    public void A_latched_process_is_suppressed_with_cap_reached_even_with_no_rotation_counted()
    {
        Given(Healthy().WithProcess(p => p with { Latched = true, RotationsInLast24h = [] }))
            .When()
            .ThenSuppress(ReasonCodes.CapReached)
            .ThenDetailMentions(ReasonCodes.CapReached, "re-arm");
    }

    // ---- cooldown -----------------------------------------------------------------------------------------------

    [Fact]
    public void No_earlier_rotation_means_no_cooldown()
    {
        Given(Healthy()).When().ThenGatePassed(ReasonCodes.Cooldown);
    }

    [Fact]
    public void A_rotation_completed_less_than_the_cooldown_ago_suppresses_with_cooldown()
    {
        Given(Healthy().WithProcess(p => p with { LastRotationCompletedAt = T - TimeSpan.FromMinutes(10) + Tick }))
            .When()
            .ThenSuppress(ReasonCodes.Cooldown);
    }

    [Fact]
    public void A_rotation_completed_exactly_the_cooldown_ago_has_served_its_cooldown()
    {
        Given(Healthy().WithProcess(p => p with { LastRotationCompletedAt = T - TimeSpan.FromMinutes(10) }))
            .When()
            .ThenTrigger("dc-b");
    }

    [Fact]
    public void The_cooldown_is_the_policys()
    {
        var evidence = Healthy().WithProcess(p => p with { LastRotationCompletedAt = T.AddMinutes(-15) });

        Given(evidence).When().ThenTrigger("dc-b");
        Given(evidence).When(new FailoverPolicy { Cooldown = TimeSpan.FromMinutes(20) }).ThenSuppress(ReasonCodes.Cooldown);
    }

    // ---- rotation in flight -------------------------------------------------------------------------------------

    [Fact]
    public void A_rotation_in_flight_suppresses_a_new_one_and_is_named()
    {
        Given(Healthy().WithProcess(p => p with { RotationInFlight = "rotation-7" }))
            .When()
            .ThenSuppress(ReasonCodes.RotationInFlight)
            .ThenDetailMentions(ReasonCodes.RotationInFlight, "rotation-7");
    }

    [Fact]
    public void A_change_of_our_authority_in_the_schedule_by_anyone_starts_the_cooldown_too()
    {
        Given(Healthy().WithSchedule(s => s with { OurAuthorityChangedAt = T.AddMinutes(-5) }))
            .When()
            .ThenSuppress(ReasonCodes.Cooldown)
            .ThenDetailMentions(ReasonCodes.Cooldown, "our signing authority last changed in the schedule 300.0 s ago");
        Given(Healthy().WithSchedule(s => s with { OurAuthorityChangedAt = T.AddMinutes(-10) })).When().ThenTrigger("dc-b");
        Given(Healthy().WithSchedule(s => s with { OurAuthorityChangedAt = T.AddMinutes(-20) }).WithProcess(p => p with { LastRotationCompletedAt = T.AddMinutes(-5) }))
            .When()
            .ThenSuppress(ReasonCodes.Cooldown)
            .ThenDetailMentions(ReasonCodes.Cooldown, "last rotation took effect 300.0 s ago");
        Given(Healthy().WithSchedule(s => s with { OurAuthorityChangedAt = T.AddMinutes(-5) }).WithProcess(p => p with { LastRotationCompletedAt = T.AddMinutes(-20) }))
            .When()
            .ThenSuppress(ReasonCodes.Cooldown)
            .ThenDetailMentions(ReasonCodes.Cooldown, "our signing authority last changed");
        Given(Healthy().WithSchedule(s => s with { OurAuthorityChangedAt = T.AddMinutes(-20) }).WithProcess(p => p with { LastRotationCompletedAt = T.AddMinutes(-20) }))
            .When()
            .ThenTrigger("dc-b");
    }

    [Fact]
    public void A_key_registered_on_chain_but_not_yet_in_the_schedule_is_a_rotation_in_flight_whoever_sent_it()
    {
        Given(Healthy() with { RegisteredKey = KeyC })
            .When()
            .ThenSuppress(ReasonCodes.RotationInFlight)
            .ThenDetailMentions(ReasonCodes.RotationInFlight, KeyC, "on its way");
        Given(Healthy() with { RegisteredKey = KeyA }).When().ThenGatePassed(ReasonCodes.RotationInFlight);
        Given(Healthy() with { RegisteredKey = Failover.Antelope.PublicKey.Parse(KeyA).ToLegacyString() }).When().ThenGatePassed(ReasonCodes.RotationInFlight);
        Given(Healthy()).When().ThenGatePassed(ReasonCodes.RotationInFlight);
        Given(Healthy().NotScheduled() with { RegisteredKey = KeyC }).When().ThenGatePassed(ReasonCodes.RotationInFlight);
    }

    // ---- participation (design §2.1: strictly above MinParticipation) -------------------------------------------

    [Theory]
    [InlineData(ConsensusKind.Savanna)]
    [InlineData(ConsensusKind.Legacy)]
    public void Exactly_eighty_percent_of_the_others_in_the_last_full_round_is_not_enough(ConsensusKind consensus)
    {
        // 16 of 20 = 0.80, which is not above 0.80.
        Given(Healthy(consensus).WithChain(c => c with { LastFullRound = Figures(20, 16) }))
            .When()
            .ThenSuppress(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void Seventeen_of_twenty_others_in_the_last_full_round_is_enough()
    {
        Given(Healthy().WithChain(c => c with { LastFullRound = Figures(20, 17), SlidingWindow = Figures(20, 17) }))
            .When()
            .ThenTrigger("dc-b");
    }

    [Fact]
    public void Exactly_eighty_percent_in_the_sliding_window_alone_is_not_enough()
    {
        Given(Healthy().WithChain(c => c with { SlidingWindow = Figures(20, 16) }))
            .When()
            .ThenSuppress(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void A_last_full_round_not_observed_fails_closed()
    {
        Given(Healthy().WithChain(c => c with { LastFullRound = null }))
            .When()
            .ThenSuppress(ReasonCodes.LowParticipation)
            .ThenDetailMentions(ReasonCodes.LowParticipation, "not observed");
    }

    [Fact]
    public void A_sliding_window_not_observed_fails_closed()
    {
        Given(Healthy().WithChain(c => c with { SlidingWindow = null }))
            .When()
            .ThenSuppress(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void A_round_in_which_no_other_producer_was_scheduled_fails_closed()
    {
        Given(Healthy().WithChain(c => c with { LastFullRound = Figures(0, 0) }))
            .When()
            .ThenSuppress(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void The_participation_threshold_is_the_policys()
    {
        var evidence = Healthy().WithChain(c => c with { LastFullRound = Figures(20, 18), SlidingWindow = Figures(20, 19) });

        Given(evidence).When(new FailoverPolicy { MinParticipation = 0.85 }).ThenTrigger("dc-b");
        Given(evidence).When(new FailoverPolicy { MinParticipation = 0.9 }).ThenSuppress(ReasonCodes.LowParticipation); // 18/20 = 0.9
    }

    [Fact]
    public void The_participation_detail_names_the_figures_and_the_producers_missing()
    {
        Given(Healthy().WithChain(c => c with { LastFullRound = Figures(20, 15) }))
            .When()
            .ThenDetailMentions(ReasonCodes.LowParticipation, "15/20", "other0", "other4");
    }

    [Fact]
    public void Under_savanna_the_figures_since_the_incident_are_not_judged()
    {
        Given(Healthy().RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(20, 1), LibAdvancedAt = T }) with
            {
                Incident = Incident() with { RevealedAt = T.AddSeconds(-1) },
            })
            .When()
            .ThenGatePassed(ReasonCodes.LowParticipation)
            .ThenWait(ReasonCodes.LibStalled);
        Given(Healthy().WithChain(c => c with { SinceIncident = null })).When().ThenTrigger("dc-b");
    }

    // ---- participation after the incident on a legacy chain -----------------------------------------------------

    [Fact]
    public void Legacy_the_revealing_block_being_irreversible_is_enough_after_the_incident()
    {
        Given(Healthy(ConsensusKind.Legacy).WithChain(c => c with { SinceIncident = null }))
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.LowParticipation, "irreversible");
    }

    [Fact]
    public void Legacy_every_other_producer_having_filled_a_window_since_the_incident_is_enough()
    {
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(20, 20) }))
            .When()
            .ThenTrigger("dc-b");
    }

    [Fact]
    public void Legacy_while_not_every_other_producer_had_a_window_since_the_incident_the_decision_waits()
    {
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(19, 19) }))
            .When()
            .ThenWait(ReasonCodes.LowParticipation)
            .ThenDetailMentions(ReasonCodes.LowParticipation, "20 other producers");
    }

    [Fact]
    public void Legacy_with_no_window_since_the_incident_the_decision_waits()
    {
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = null }))
            .When()
            .ThenWait(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void Legacy_exactly_eighty_percent_of_the_others_since_the_incident_is_not_enough()
    {
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(20, 16) }))
            .When()
            .ThenSuppress(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void Legacy_seventeen_of_twenty_others_since_the_incident_is_enough()
    {
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(20, 17) }))
            .When()
            .ThenTrigger("dc-b");
    }

    [Fact]
    public void Legacy_a_lib_above_the_revealing_block_on_another_branch_is_not_its_irreversibility()
    {
        Given(Healthy(ConsensusKind.Legacy).WithChain(c => c with { LastIrreversibleBlockNum = 1500, LibOnRecordedChain = false, SinceIncident = Figures(10, 10) }))
            .When()
            .ThenWait(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void Legacy_a_lib_exactly_at_the_revealing_block_is_its_irreversibility()
    {
        Given(Healthy(ConsensusKind.Legacy).WithChain(c => c with { LastIrreversibleBlockNum = RevealingBlock, SinceIncident = null }))
            .When()
            .ThenTrigger("dc-b");
    }

    [Fact]
    public void Legacy_an_irreversible_revealing_block_does_not_excuse_a_low_last_round()
    {
        Given(Healthy(ConsensusKind.Legacy).WithChain(c => c with { LastFullRound = Figures(20, 10) }))
            .When()
            .ThenSuppress(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void Legacy_the_since_incident_count_is_judged_against_the_size_of_the_schedule()
    {
        // A 6-producer schedule has 5 others: 5 of 5 since the incident covers them all.
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal()
                .WithSchedule(s => s with { ScheduledProducers = 6 })
                .WithChain(c => c with { LastFullRound = Figures(5, 5), SlidingWindow = Figures(5, 5), SinceIncident = Figures(5, 5) }))
            .When()
            .ThenTrigger("dc-b");
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal()
                .WithSchedule(s => s with { ScheduledProducers = 7 })
                .WithChain(c => c with { LastFullRound = Figures(6, 6), SlidingWindow = Figures(6, 6), SinceIncident = Figures(5, 5) }))
            .When()
            .ThenWait(ReasonCodes.LowParticipation);
    }

    [Fact]
    public void Legacy_the_lib_gate_asks_only_that_the_lib_moves()
    {
        Given(Healthy(ConsensusKind.Legacy).RevealingBlockNotFinal().WithChain(c => c with { SinceIncident = Figures(20, 20) }) with
            {
                Incident = Incident() with { RevealedAt = T.AddMinutes(-5) },
            })
            .When()
            .ThenGatePassed(ReasonCodes.LibStalled)
            .ThenTrigger("dc-b");
    }

    // ---- stale head ---------------------------------------------------------------------------------------------

    [Fact]
    public void A_head_exactly_max_head_age_old_is_fresh()
    {
        Given(Healthy().WithChain(c => c with { HeadBlockTime = T.AddSeconds(-3) })).When().ThenTrigger("dc-b");
    }

    [Fact]
    public void A_head_older_than_max_head_age_suppresses_with_stale_head()
    {
        Given(Healthy().WithChain(c => c with { HeadBlockTime = T.AddSeconds(-3) - Tick }))
            .When()
            .ThenSuppress(ReasonCodes.StaleHead)
            .ThenDetailMentions(ReasonCodes.StaleHead, "head 1003");
    }

    [Fact]
    public void A_head_more_than_max_head_age_after_the_evaluation_suppresses_since_the_evaluation_s_clock_is_behind_the_chain()
    {
        Given(Healthy().WithChain(c => c with { HeadBlockTime = T.AddSeconds(3) })).When().ThenTrigger("dc-b");
        Given(Healthy().WithChain(c => c with { HeadBlockTime = T.AddSeconds(3) + Tick }))
            .When()
            .ThenSuppress(ReasonCodes.StaleHead)
            .ThenDetailMentions(ReasonCodes.StaleHead, "head 1003", "ahead of the evaluation's time", "behind the chain");
        Given(Healthy().WithChain(c => c with { HeadBlockTime = T.AddSeconds(5) }))
            .When()
            .ThenDetailMentions(ReasonCodes.StaleHead, "head 1003 is 5.0 s ahead of the evaluation's time");
    }

    [Fact]
    public void The_max_head_age_is_the_policys()
    {
        var evidence = Healthy().WithChain(c => c with { HeadBlockTime = T.AddSeconds(-4) });

        Given(evidence).When().ThenSuppress(ReasonCodes.StaleHead);
        Given(evidence).When(new FailoverPolicy { MaxHeadAge = TimeSpan.FromSeconds(5) }).ThenTrigger("dc-b");
    }

    // ---- lib stalled --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(ConsensusKind.Savanna)]
    [InlineData(ConsensusKind.Legacy)]
    public void A_lib_never_seen_advancing_suppresses_with_lib_stalled(ConsensusKind consensus)
    {
        Given(Healthy(consensus).WithChain(c => c with { LibAdvancedAt = null }))
            .When()
            .ThenSuppress(ReasonCodes.LibStalled)
            .ThenDetailMentions(ReasonCodes.LibStalled, "LIB 1001");
    }

    [Theory]
    [InlineData(ConsensusKind.Savanna)]
    [InlineData(ConsensusKind.Legacy)]
    public void A_lib_that_last_advanced_more_than_max_lib_stall_ago_suppresses_with_lib_stalled(ConsensusKind consensus)
    {
        Given(Healthy(consensus).WithChain(c => c with { LibAdvancedAt = T.AddSeconds(-10) - Tick }))
            .When()
            .ThenSuppress(ReasonCodes.LibStalled);
    }

    [Fact]
    public void A_lib_that_advanced_exactly_max_lib_stall_ago_advanced_within_it()
    {
        Given(Healthy().WithChain(c => c with { LibAdvancedAt = T.AddSeconds(-10) })).When().ThenTrigger("dc-b");
    }

    [Fact]
    public void The_max_lib_stall_is_the_policys()
    {
        var evidence = Healthy(ConsensusKind.Legacy).WithChain(c => c with { LibAdvancedAt = T.AddSeconds(-60) });

        Given(evidence).When().ThenSuppress(ReasonCodes.LibStalled);
        Given(evidence).When(new FailoverPolicy { MaxLibStall = TimeSpan.FromMinutes(5) }).ThenTrigger("dc-b");
    }

    [Fact]
    public void Savanna_while_the_revealing_block_is_not_final_within_max_lib_stall_of_being_revealed_the_decision_waits()
    {
        Given(Healthy().RevealingBlockNotFinal() with { Incident = Incident() with { RevealedAt = T.AddSeconds(-10) + Tick } })
            .When()
            .ThenWait(ReasonCodes.LibStalled)
            .ThenDetailMentions(ReasonCodes.LibStalled, "1000");
    }

    [Fact]
    public void Savanna_a_revealing_block_not_final_max_lib_stall_after_it_was_revealed_suppresses_with_lib_stalled()
    {
        // The evidence at revealed + MaxLibStall shows the whole interval: it did not become final within it.
        Given(Healthy().RevealingBlockNotFinal() with { Incident = Incident() with { RevealedAt = T.AddSeconds(-10) } })
            .When()
            .ThenSuppress(ReasonCodes.LibStalled)
            .ThenDetailMentions(ReasonCodes.LibStalled, "did not become final");
    }

    [Fact]
    public void Savanna_a_lib_at_the_revealing_block_on_the_recorded_chain_makes_it_final()
    {
        Given(Healthy().WithChain(c => c with { LastIrreversibleBlockNum = RevealingBlock }))
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.LibStalled, "final");
    }

    [Fact]
    public void Savanna_a_lib_number_past_the_revealing_block_but_not_on_the_recorded_chain_is_not_finality()
    {
        var offBranch = Healthy().WithChain(c => c with { LastIrreversibleBlockNum = 1500, LibOnRecordedChain = false });

        Given(offBranch with { Incident = Incident() with { RevealedAt = T.AddSeconds(-2) } }).When().ThenWait(ReasonCodes.LibStalled);
        Given(offBranch with { Incident = Incident() with { RevealedAt = T.AddSeconds(-11) } })
            .When()
            .ThenSuppress(ReasonCodes.LibStalled)
            .ThenDetailMentions(ReasonCodes.LibStalled, "not on the followed branch");
    }

    [Fact]
    public void Savanna_a_final_revealing_block_does_not_excuse_a_lib_that_stopped()
    {
        Given(Healthy().WithChain(c => c with { LibAdvancedAt = T.AddSeconds(-30) }))
            .When()
            .ThenSuppress(ReasonCodes.LibStalled);
    }

    [Fact]
    public void The_wait_for_finality_is_measured_with_the_policys_max_lib_stall()
    {
        var evidence = Healthy().RevealingBlockNotFinal() with { Incident = Incident() with { RevealedAt = T.AddSeconds(-20) } };

        Given(evidence).When().ThenSuppress(ReasonCodes.LibStalled);
        Given(evidence).When(new FailoverPolicy { MaxLibStall = TimeSpan.FromSeconds(30) }).ThenWait(ReasonCodes.LibStalled);
    }

    // ---- endpoints ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(2, 1, false)]
    [InlineData(2, 2, true)]
    [InlineData(3, 1, false)]
    [InlineData(3, 2, true)]
    [InlineData(4, 2, false)]
    [InlineData(4, 3, true)]
    [InlineData(0, 0, false)]
    public void Endpoints_agree_only_by_a_strict_majority_of_those_configured(int configured, int agreeing, bool passes)
    {
        var spec = Given(Healthy().WithChain(c => c with { EndpointsConfigured = configured, EndpointsAgreeing = agreeing })).When();

        if (passes)
        {
            spec.ThenTrigger("dc-b");
        }
        else
        {
            spec.ThenSuppress(ReasonCodes.EndpointsDisagree).ThenDetailMentions(ReasonCodes.EndpointsDisagree, $"{agreeing} of {configured}");
        }
    }
}
