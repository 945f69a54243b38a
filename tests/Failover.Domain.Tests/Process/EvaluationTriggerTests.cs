using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;

namespace Failover.Domain.Tests.Process;

/// <summary>EvaluationTrigger: the one rule for when the failover process is evaluated, and at what time.</summary>
public sealed class EvaluationTriggerTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Ours = DecisionFixtures.Producer;

    private static ParticipationSampled Sample(string observer) => new(
        TestChain.ChainId, observer, T, 10, TestChain.Id("main", 10), T, 8, TestChain.Id("main", 8), 1, 21, null, null, [], [], 0);

    [Fact]
    public void A_sample_of_its_own_observer_is_evaluated_at_its_time_another_observer_s_is_not()
    {
        Assert.Equal(T, EvaluationTrigger.At(Sample("obs-1"), "obs-1", Ours));
        Assert.Null(EvaluationTrigger.At(Sample("obs-2"), "obs-1", Ours));
    }

    [Fact]
    public void A_manual_request_a_resume_and_a_re_arm_of_its_own_producer_are_evaluated_at_their_time()
    {
        Assert.Equal(T, EvaluationTrigger.At(ProcessHistory.ManualRequested("dc-b", T), "obs-1", Ours));
        Assert.Equal(T, EvaluationTrigger.At(new AutomationResumed(Ours, "op", "ok", T), "obs-1", Ours));
        Assert.Equal(T, EvaluationTrigger.At(ProcessHistory.Rearmed(T), "obs-1", Ours));
        Assert.Null(EvaluationTrigger.At(new AutomationResumed("someone.else", "op", "ok", T), "obs-1", Ours));
        Assert.Null(EvaluationTrigger.At(new ManualFailoverRequested("someone.else", "dc-b", "op", "x", T), "obs-1", Ours));
        Assert.Null(EvaluationTrigger.At(new AutomationRearmed("someone.else", "op", "x", T), "obs-1", Ours));
    }

    [Fact]
    public void Nothing_else_calls_for_an_evaluation()
    {
        Assert.Null(EvaluationTrigger.At(ProcessHistory.Paused(T), "obs-1", Ours));
        Assert.Null(EvaluationTrigger.At(ProcessHistory.Latched("missed-1", 2, 2, T), "obs-1", Ours));
        Assert.Null(EvaluationTrigger.At(new EndpointRecovered("obs-1", "http://a", T), "obs-1", Ours));
        Assert.Null(EvaluationTrigger.At(ProcessHistory.Triggered("missed-1", T), "obs-1", Ours));
    }
}
