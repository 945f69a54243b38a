using Failover.Domain.Chain;
using Failover.Domain.Events;

namespace Failover.Domain.Tests.Chain;

/// <summary>
/// The fold of one observer's stream. Design §2.1 and §5: a rotation needs finality (the LIB) to advance within
/// <c>MaxLibStall</c>, so <see cref="ObserverState.LibAdvancedAt"/> must move only when the LIB goes beyond any LIB seen.
/// </summary>
public sealed class ObserverStateTests
{
    private static readonly DateTimeOffset T0 = new(2024, 10, 23, 3, 48, 0, TimeSpan.Zero);

    private static ParticipationSampled Sample(uint lib, int secondsAfterT0) => new(
        Support.TestChain.ChainId, "observer-a", T0.AddSeconds(secondsAfterT0), lib + 3, Support.TestChain.Id("main", lib + 3), T0, lib,
        Support.TestChain.Id("main", lib), 1, 21, null, null, [], [], 0);

    private static ObserverState Given(params IObserverEvent[] events) => events.Aggregate(ObserverState.Empty, (view, e) => view.Apply(e));

    [Fact]
    public void A_first_sample_is_the_latest_and_no_lib_advance_has_been_seen_yet()
    {
        var sample = Sample(100, 0);

        var view = Given(sample);

        Assert.Same(sample, view.LatestSample);
        Assert.Null(view.LibAdvancedAt);
        Assert.Equal(1, view.EventCount);
    }

    [Fact]
    public void A_sample_with_a_higher_lib_records_when_the_lib_advanced_and_an_equal_lib_keeps_that_time()
    {
        var advanced = Given(Sample(100, 0)).Apply(Sample(101, 1));
        var stalled = advanced.Apply(Sample(101, 2)).Apply(Sample(101, 3));

        Assert.Equal(T0.AddSeconds(1), advanced.LibAdvancedAt);
        Assert.Equal(T0.AddSeconds(1), stalled.LibAdvancedAt);
        Assert.Equal(T0.AddSeconds(3), stalled.LatestSample!.ObservedAt);
    }

    [Fact]
    public void A_lib_that_only_returns_to_a_level_already_seen_has_not_advanced()
    {
        // Finality is stalled at 100; for one sample the observer followed an endpoint whose LIB lagged at 90 (the
        // observer follows the healthy endpoint with the highest LIB, so this happens when the best one is briefly
        // judged unhealthy). Back at 100, nothing became final that was not final before.
        var view = Given(Sample(100, 0), Sample(101, 1), Sample(90, 2), Sample(101, 3), Sample(101, 30));

        Assert.Equal(T0.AddSeconds(1), view.LibAdvancedAt);
    }

    [Fact]
    public void A_lib_that_was_not_a_block_of_the_recorded_chain_is_recorded_but_neither_advances_the_lib_nor_raises_the_bar()
    {
        // Issue 15, finding 11: one endpoint, followed for one poll, said block 4,000,000,000 was final.
        var inflated = Sample(4_000_000_000, 2) with { LibOnRecordedChain = false };

        var before = Given(Sample(100, 0), Sample(101, 1), inflated);
        var after = before.Apply(Sample(102, 3));

        Assert.Same(inflated, before.LatestSample);
        Assert.Equal((101u, T0.AddSeconds(1)), (before.HighestLib, before.LibAdvancedAt));
        Assert.Equal((102u, T0.AddSeconds(3)), (after.HighestLib, after.LibAdvancedAt));
    }

    [Fact]
    public void In_a_sample_recorded_before_it_was_said_whether_the_lib_is_on_the_recorded_chain_a_lib_above_the_sample_s_head_is_not_accepted()
    {
        var old = Sample(101, 2) with { LastIrreversibleBlockNum = 4_000_000_000, LibOnRecordedChain = null };

        var view = Given(Sample(100, 0), Sample(101, 1), old, Sample(102, 3));

        Assert.True(ObserverState.CountsTowardLibAdvance(Sample(101, 2) with { LibOnRecordedChain = null }));
        Assert.False(ObserverState.CountsTowardLibAdvance(old));
        Assert.Equal(T0.AddSeconds(3), view.LibAdvancedAt);
    }

    [Fact]
    public void The_first_lib_accepted_is_where_the_count_starts_not_an_advance()
    {
        // Right after a first start the LIB may lie below the first recorded block: it cannot be checked, so not accepted.
        var view = Given(Sample(100, 0) with { LibOnRecordedChain = false }, Sample(101, 1) with { LibOnRecordedChain = true });

        Assert.Equal((101u, (DateTimeOffset?)null), (view.HighestLib, view.LibAdvancedAt));
        Assert.Equal(T0.AddSeconds(2), view.Apply(Sample(102, 2) with { LibOnRecordedChain = true }).LibAdvancedAt);
    }

    [Fact]
    public void Each_endpoint_shows_its_latest_judgement()
    {
        var view = Given(
            new EndpointDegraded("observer-a", "https://a.example", "timeout", "no answer in 2 s", T0),
            new EndpointDegraded("observer-a", "https://b.example", "stale", "head 30 s old", T0.AddSeconds(1)),
            new EndpointRecovered("observer-a", "https://a.example", T0.AddSeconds(2)));

        Assert.Equal(new EndpointHealth("https://a.example", true, null, T0.AddSeconds(2)), view.Endpoints["https://a.example"]);
        Assert.Equal(new EndpointHealth("https://b.example", false, "stale", T0.AddSeconds(1)), view.Endpoints["https://b.example"]);
        Assert.Equal(2, view.Endpoints.Count);
        Assert.Equal(3, view.EventCount);
    }

    [Fact]
    public void In_an_old_sample_a_lib_at_the_sample_s_own_head_is_accepted_and_one_above_it_is_not()
    {
        var sample = Sample(101, 2) with { LibOnRecordedChain = null };

        Assert.True(ObserverState.CountsTowardLibAdvance(sample with { LastIrreversibleBlockNum = sample.HeadBlockNum }));
        Assert.False(ObserverState.CountsTowardLibAdvance(sample with { LastIrreversibleBlockNum = sample.HeadBlockNum + 1 }));
        Assert.Throws<ArgumentNullException>(() => ObserverState.CountsTowardLibAdvance(null!));
    }
}
