using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;

namespace Failover.Domain.Tests.Process;

/// <summary>RotationFollowUp: a transaction's lifetime, the takeover of a request left without its push, and what each sample does for the rotation under way.</summary>
public sealed class RotationFollowUpTests
{
    private static readonly DateTimeOffset T = DecisionFixtures.T;

    private static readonly string[] Endpoints = ["api1", "api2"];

    /// <summary>Rotation 1 requested at T (expiring at T + 5 min), then pushed as <paramref name="pushes"/> say.</summary>
    private static FailoverProcess Pushed(params (string Endpoint, string Outcome, double AtSeconds)[] pushes) =>
        ProcessHistory.Fold([
            .. ProcessHistory.Rotation("rotation-1", "missed-1", T, expiration: T.AddMinutes(5)),
            .. pushes.Select(p => ProcessHistory.Submitted("rotation-1", T.AddSeconds(p.AtSeconds), p.Outcome, p.Endpoint))]);

    [Fact]
    public void A_push_refused_for_a_passing_cause_goes_at_once_to_the_next_agreeing_endpoint()
    {
        var process = Pushed(("api1", PushOutcomes.NotApplied, 1));

        Assert.Equal(new PushPlan("api2", T.AddSeconds(1)), RotationFollowUp.NextPush(process, Endpoints));
        Assert.Equal(RotationStep.Push, RotationFollowUp.At(process, T.AddSeconds(1), Endpoints));
    }

    [Fact]
    public void Rounds_over_the_agreeing_endpoints_wait_one_two_four_seconds_and_at_most_fifteen()
    {
        Assert.Equal(new PushPlan("api1", T.AddSeconds(3)), RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.NotApplied, 1), ("api2", PushOutcomes.NotApplied, 2)), Endpoints));
        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(Pushed(("api1", PushOutcomes.NotApplied, 1), ("api2", PushOutcomes.NotApplied, 2)), T.AddSeconds(3).AddTicks(-1), Endpoints));
        Assert.Equal(new PushPlan("api1", T.AddSeconds(6)), RotationFollowUp.NextPush(
            Pushed(("api1", PushOutcomes.NotApplied, 1), ("api2", PushOutcomes.NotApplied, 2), ("api1", PushOutcomes.NotApplied, 3), ("api2", PushOutcomes.NotApplied, 4)), Endpoints));
        var many = Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? "api1" : "api2", PushOutcomes.NotApplied, (double)i)).ToArray();
        Assert.Equal(new PushPlan("api1", T.AddSeconds(9 + 15)), RotationFollowUp.NextPush(Pushed(many), Endpoints));
        Assert.Equal(new PushPlan("api1", T.AddSeconds(7 + 8)), RotationFollowUp.NextPush(Pushed(many[..8]), Endpoints));
    }

    [Fact]
    public void A_lost_answer_is_followed_by_the_same_bytes_three_seconds_later()
    {
        var process = Pushed(("api1", PushOutcomes.Unknown, 1));

        Assert.Equal(new PushPlan("api2", T.AddSeconds(4)), RotationFollowUp.NextPush(process, Endpoints));
        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(process, T.AddSeconds(4).AddTicks(-1), Endpoints));
        Assert.Equal(RotationStep.Push, RotationFollowUp.At(process, T.AddSeconds(4), Endpoints));
        Assert.Equal(new PushPlan("api1", T.AddSeconds(5)), RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.NotApplied, 1), ("api2", PushOutcomes.Unknown, 2)), Endpoints));
        Assert.Equal(new PushPlan("api1", T.AddSeconds(4)), RotationFollowUp.NextPush(process, ["api1"]));
    }

    [Fact]
    public void Bytes_a_node_took_are_not_pushed_again()
    {
        Assert.Null(RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.Accepted, 1)), Endpoints));
        Assert.Null(RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.Duplicate, 1)), Endpoints));
        Assert.Null(RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.Accepted, 1), ("api2", PushOutcomes.Unknown, 2)), Endpoints));
        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(Pushed(("api1", PushOutcomes.Accepted, 1)), T.AddMinutes(1), Endpoints));
    }

    [Fact]
    public void Pushes_stop_at_twelve_near_the_expiration_without_an_agreeing_endpoint_and_before_the_first()
    {
        var eleven = Enumerable.Range(0, 11).Select(i => ("api1", PushOutcomes.NotApplied, (double)i)).ToArray();
        Assert.NotNull(RotationFollowUp.NextPush(Pushed(eleven), Endpoints));
        Assert.Null(RotationFollowUp.NextPush(Pushed([.. eleven, ("api2", PushOutcomes.NotApplied, 11)]), Endpoints));
        Assert.Null(RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.Unknown, 287)), Endpoints));
        Assert.Equal(new PushPlan("api2", T.AddSeconds(289)), RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.NotApplied, 289)), Endpoints));
        Assert.Null(RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.NotApplied, 290)), Endpoints));
        Assert.Equal(RotationStep.Push, RotationFollowUp.At(Pushed(("api1", PushOutcomes.Unknown, 1)), T.AddSeconds(290).AddTicks(-1), Endpoints));
        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(Pushed(("api1", PushOutcomes.Unknown, 1)), T.AddSeconds(290), Endpoints));
        Assert.True(RotationFollowUp.CanStillApply(Pushed().CurrentRotation!, T.AddSeconds(290).AddTicks(-1)));
        Assert.False(RotationFollowUp.CanStillApply(Pushed().CurrentRotation!, T.AddSeconds(290)));
        Assert.Throws<ArgumentNullException>(() => RotationFollowUp.CanStillApply(null!, T));
        Assert.Null(RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.NotApplied, 1)), []));
        Assert.Null(RotationFollowUp.NextPush(Pushed(), Endpoints));
        Assert.Equal(new PushPlan("api1", T.AddSeconds(1)), RotationFollowUp.NextPush(Pushed(("gone", PushOutcomes.NotApplied, 1)), Endpoints));
        Assert.Equal(new PushPlan("api1", T.AddSeconds(1)), RotationFollowUp.NextPush(Pushed(("gone", PushOutcomes.NotApplied, 1)), ["api1", "api2", "api3"]));
        Assert.Equal(new PushPlan("api3", T.AddSeconds(2)), RotationFollowUp.NextPush(Pushed(("api1", PushOutcomes.NotApplied, 1), ("api2", PushOutcomes.NotApplied, 2)), ["api1", "api2", "api3"]));
    }

    [Fact]
    public void A_transaction_expires_five_minutes_after_the_head_it_was_built_on_in_whole_seconds()
    {
        Assert.Equal(T.AddMinutes(5), RotationFollowUp.ExpirationAfter(T));
        Assert.Equal(T.AddMinutes(5), RotationFollowUp.ExpirationAfter(T.AddMilliseconds(500)));
        Assert.Equal(T.AddMinutes(5).AddSeconds(1), RotationFollowUp.ExpirationAfter(T.AddMilliseconds(1000)));
    }

    [Fact]
    public void Without_a_rotation_under_way_nothing_is_followed()
    {
        Assert.Equal(RotationStep.None, RotationFollowUp.At(FailoverProcess.Initial, T, Endpoints));
        Assert.Equal(RotationStep.None, RotationFollowUp.At(ProcessHistory.Fold(ProcessHistory.CompletedRotation("rotation-1", "missed-1", T)), T.AddMinutes(2), Endpoints));
        Assert.Equal(RotationStep.None, RotationFollowUp.At(ProcessHistory.Fold([.. ProcessHistory.Rotation("rotation-1", "missed-1", T), ProcessHistory.Failed("rotation-1", "expired", T.AddMinutes(6))]), T.AddMinutes(7), Endpoints));
    }

    [Fact]
    public void A_request_waits_for_its_push_for_thirty_seconds_then_it_is_taken_over()
    {
        var requested = ProcessHistory.Fold(ProcessHistory.Rotation("rotation-1", "missed-1", T));

        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(requested, T, Endpoints));
        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(requested, T.AddSeconds(30).AddTicks(-1), Endpoints));
        Assert.Equal(RotationStep.TakeOver, RotationFollowUp.At(requested, T.AddSeconds(30), Endpoints));
        Assert.Equal(RotationStep.TakeOver, RotationFollowUp.At(requested, T.AddMinutes(3), Endpoints));
    }

    [Fact]
    public void A_submitted_rotation_is_followed_on_the_chain_and_never_taken_over()
    {
        var submitted = ProcessHistory.Fold([.. ProcessHistory.Rotation("rotation-1", "missed-1", T), ProcessHistory.Submitted("rotation-1", T.AddSeconds(1))]);

        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(submitted, T.AddMinutes(3), Endpoints));
    }

    [Fact]
    public void No_process_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => RotationFollowUp.At(null!, T, Endpoints));
        Assert.Throws<ArgumentNullException>(() => RotationFollowUp.NextPush(null!, Endpoints));
        Assert.Throws<ArgumentNullException>(() => RotationFollowUp.NextPush(FailoverProcess.Initial, null!));
    }
}
