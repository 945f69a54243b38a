using Failover.Domain.Chain;
using Failover.Domain.Events;

namespace Failover.Domain.Tests.Chain;

/// <summary>EndpointJudgement: how the observer judges an endpoint at each poll, and what its stream records of it.</summary>
public sealed class EndpointJudgementTests
{
    private const string Chain = "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906";
    private const string Api = "http://a";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(15);

    private static EndpointCheck Fresh(bool? followed = null, bool? agrees = null, double ageSeconds = 1) =>
        EndpointCheck.Answered(Api, Chain, 1000, Now - TimeSpan.FromSeconds(ageSeconds), 990) with { Followed = followed, Agrees = agrees };

    private static EndpointHealth Was(string? reason) => new(Api, reason is null, reason, Now - TimeSpan.FromMinutes(1));

    private static string? Judge(EndpointCheck check, EndpointHealth? previous = null) =>
        EndpointJudgement.Judge(check, previous, Chain, Now, StaleAfter).Reason;

    [Fact]
    public void A_failed_read_is_judged_by_its_reason_and_detail_before_anything_else()
    {
        var verdict = EndpointJudgement.Judge(EndpointCheck.Failed(Api, EndpointReasons.Timeout, "no answer in 2 s"), Was(EndpointReasons.Inconsistent), Chain, Now, StaleAfter);
        Assert.Equal((EndpointReasons.Timeout, "no answer in 2 s", false), (verdict.Reason, verdict.Detail, verdict.Healthy));
        Assert.Equal(EndpointReasons.Malformed, EndpointJudgement.Judge(EndpointCheck.Failed(Api, EndpointReasons.Malformed, null), null, Chain, Now, StaleAfter).Detail);
    }

    [Fact]
    public void Another_chain_is_wrong_chain_even_when_it_is_stale_and_was_followed()
    {
        var check = Fresh(followed: true, agrees: true, ageSeconds: 100) with { ChainId = "00" + Chain[2..] };
        var verdict = EndpointJudgement.Judge(check, null, Chain, Now, StaleAfter);
        Assert.Equal(EndpointReasons.WrongChain, verdict.Reason);
        Assert.Equal($"serves chain 00{Chain[2..]}, not {Chain}", verdict.Detail);
        Assert.Equal(EndpointReasons.Stale, EndpointJudgement.Judge(check, null, chainId: null, Now, StaleAfter).Reason); // chain not learnt yet
    }

    [Theory]
    [InlineData(15.0, null)]
    [InlineData(15.001, EndpointReasons.Stale)]
    public void A_head_older_than_StaleAfter_is_stale_before_the_branch_is_judged(double age, string? expected)
    {
        Assert.Equal(expected ?? EndpointReasons.Inconsistent, Judge(Fresh(followed: false, ageSeconds: age)));
        Assert.Equal(expected, Judge(Fresh(followed: true, ageSeconds: age)));
        Assert.Equal("head 1000 is 15.0 s old", EndpointJudgement.Judge(Fresh(ageSeconds: 15.04), null, Chain, Now, TimeSpan.FromSeconds(15.01)).Detail);
    }

    [Fact]
    public void A_branch_that_could_not_be_recorded_this_poll_is_inconsistent_whatever_the_comparison_says()
    {
        var verdict = EndpointJudgement.Judge(Fresh(followed: false, agrees: true), null, Chain, Now, StaleAfter);
        Assert.Equal((EndpointReasons.Inconsistent, "served blocks that do not fit the schedule or do not link"), (verdict.Reason, verdict.Detail));
    }

    [Fact]
    public void Another_block_at_the_shared_height_is_disagrees()
    {
        var verdict = EndpointJudgement.Judge(Fresh(agrees: false), null, Chain, Now, StaleAfter);
        Assert.Equal((EndpointReasons.Disagrees, "its block at the height it shares with the followed branch is another block"), (verdict.Reason, verdict.Detail));
    }

    [Theory]
    [InlineData(EndpointReasons.Inconsistent)]
    [InlineData(EndpointReasons.Disagrees)]
    public void Inconsistent_or_disagreeing_is_held_while_the_endpoint_is_neither_followed_nor_compared(string reason)
    {
        var verdict = EndpointJudgement.Judge(Fresh(), Was(reason), Chain, Now, StaleAfter);
        Assert.Equal((reason, reason), (verdict.Reason, verdict.Detail));
    }

    [Theory]
    [InlineData(EndpointReasons.Inconsistent, true, null)]
    [InlineData(EndpointReasons.Inconsistent, null, true)]
    [InlineData(EndpointReasons.Disagrees, true, null)]
    [InlineData(EndpointReasons.Disagrees, null, true)]
    public void Inconsistent_or_disagreeing_ends_as_soon_as_the_endpoint_is_followed_or_found_to_agree(string reason, bool? followed, bool? agrees)
    {
        Assert.Null(Judge(Fresh(followed, agrees), Was(reason)));
    }

    [Theory]
    [InlineData(EndpointReasons.Stale)]
    [InlineData(EndpointReasons.Timeout)]
    [InlineData(null)]
    public void Other_judgements_are_not_held_a_fresh_answer_is_trusted(string? reason)
    {
        Assert.Null(Judge(Fresh(), reason is null ? null : Was(reason)));
    }

    [Fact]
    public void Changes_records_a_degradation_once_a_new_reason_again_and_a_recovery_once()
    {
        var view = ObserverState.Empty;
        var timeout = new EndpointVerdict(Api, EndpointReasons.Timeout, "slow");
        var first = EndpointJudgement.Changes("obs", [timeout], view, Now);
        Assert.Equal([new EndpointDegraded("obs", Api, EndpointReasons.Timeout, "slow", Now)], first);

        view = first.Aggregate(view, (v, e) => v.Apply(e));
        Assert.Empty(EndpointJudgement.Changes("obs", [timeout with { Detail = "slower" }], view, Now));

        var inconsistent = EndpointJudgement.Changes("obs", [new EndpointVerdict(Api, EndpointReasons.Inconsistent, "x")], view, Now);
        Assert.Equal([new EndpointDegraded("obs", Api, EndpointReasons.Inconsistent, "x", Now)], inconsistent);

        var recovered = EndpointJudgement.Changes("obs", [new EndpointVerdict(Api, null, null)], view, Now);
        Assert.Equal([new EndpointRecovered("obs", Api, Now)], recovered);
        view = recovered.Aggregate(view, (v, e) => v.Apply(e));
        Assert.Empty(EndpointJudgement.Changes("obs", [new EndpointVerdict(Api, null, null)], view, Now));
        Assert.Empty(EndpointJudgement.Changes("obs", [new EndpointVerdict("http://never-degraded", null, null)], view, Now));
    }

    [Fact]
    public void Only_an_endpoint_last_judged_inconsistent_is_tried_last()
    {
        var view = ObserverState.Empty.Apply(new EndpointDegraded("obs", Api, EndpointReasons.Inconsistent, "x", Now))
            .Apply(new EndpointDegraded("obs", "http://b", EndpointReasons.Disagrees, "y", Now));
        Assert.True(EndpointJudgement.IsInconsistent(view, Api));
        Assert.False(EndpointJudgement.IsInconsistent(view, "http://b"));
        Assert.False(EndpointJudgement.IsInconsistent(view, "http://c"));
        Assert.False(EndpointJudgement.IsInconsistent(view.Apply(new EndpointRecovered("obs", Api, Now)), Api));
    }

    private static ObserverState Sampled(params EndpointView[] endpoints) => ObserverState.Empty.Apply(new ParticipationSampled(
        Chain, "obs", Now, 100, "id", Now, 98, "lib", 1, 21, null, null, endpoints, [], 0));

    [Fact]
    public void Below_majority_names_every_endpoint_that_does_not_count_with_its_reason()
    {
        string[] configured = ["http://a", "http://b", "http://c"];
        Assert.Empty(EndpointJudgement.BelowMajority(ObserverState.Empty, configured));
        Assert.Empty(EndpointJudgement.BelowMajority(Sampled(new("http://a", true, 1, true), new("http://b", true, 1, true), new("http://c", false, null, false)), configured));

        var view = Sampled(new("http://a", true, 1, true), new("http://b", false, null, false), new("http://c", true, 1, false))
            .Apply(new EndpointDegraded("obs", "http://b", EndpointReasons.Unreachable, "refused", Now));
        Assert.Equal([$"http://b (unreachable since {Now:O})", "http://c (does not agree)"], EndpointJudgement.BelowMajority(view, configured));
    }

    [Fact]
    public void Below_majority_counts_the_configured_endpoints_only_and_half_is_not_a_majority()
    {
        var view = Sampled(new("http://a", true, 1, true), new("http://old", true, 1, true));
        Assert.Equal(["http://b (does not agree)"], EndpointJudgement.BelowMajority(view, ["http://a", "http://b"]));
        Assert.Empty(EndpointJudgement.BelowMajority(view, ["http://a"]));
    }

    [Fact]
    public void An_endpoint_agreed_at_the_latest_sample_when_it_was_healthy_and_its_block_the_recorded_one()
    {
        var view = Sampled(new("http://a", true, 1, true), new("http://b", false, null, false), new("http://c", true, 1, false), new("http://d", false, 1, true));

        Assert.True(EndpointJudgement.AgreedAtLatestSample(view, "http://a"));
        Assert.False(EndpointJudgement.AgreedAtLatestSample(view, "http://b"));
        Assert.False(EndpointJudgement.AgreedAtLatestSample(view, "http://c"));
        Assert.False(EndpointJudgement.AgreedAtLatestSample(view, "http://d"));
        Assert.False(EndpointJudgement.AgreedAtLatestSample(view, "http://not-sampled"));
        Assert.False(EndpointJudgement.AgreedAtLatestSample(ObserverState.Empty, "http://a"));
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => EndpointJudgement.AgreedAtLatestSample(null!, Api));
        Assert.Throws<ArgumentNullException>(() => EndpointJudgement.Judge(null!, null, Chain, Now, StaleAfter));
        Assert.Throws<ArgumentNullException>(() => EndpointJudgement.Changes("obs", null!, ObserverState.Empty, Now));
        Assert.Throws<ArgumentNullException>(() => EndpointJudgement.Changes("obs", [], null!, Now));
        Assert.Throws<ArgumentNullException>(() => EndpointJudgement.IsInconsistent(null!, Api));
        Assert.Throws<ArgumentNullException>(() => EndpointJudgement.BelowMajority(null!, []));
        Assert.Throws<ArgumentNullException>(() => EndpointJudgement.BelowMajority(ObserverState.Empty, null!));
    }
}
