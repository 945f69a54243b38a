using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;

namespace Failover.Domain.Tests.Process;

/// <summary>FailoverInputs: the one fold of the three streams the failover process is decided from.</summary>
public sealed class FailoverInputsTests
{
    private const string Ours = DecisionFixtures.Producer;
    private static readonly DateTimeOffset T = DecisionFixtures.T;
    private static readonly FailoverScope Scope = new(Ours, "obs-1");
    private static readonly string ChainStream = Streams.Chain(TestChain.ChainId);

    private static ParticipationSampled Sample(string observer, uint head = 10) => new(
        TestChain.ChainId, observer, T, head, TestChain.Id("main", head), T, 8, TestChain.Id("main", 8), 1, 21, null, null, [], [], 0);

    private static BlockProduced Block(uint number, string chainId = TestChain.ChainId) =>
        new(chainId, number, TestChain.Id("main", number), TestChain.Id("main", number - 1), "alice", T, 100 + number, 1, T);

    [Fact]
    public void Each_stream_folds_into_its_part_from_its_first_version_on()
    {
        var inputs = FailoverInputs.Initial
            .Apply(Scope, ChainStream, 0, Block(2))
            .Apply(Scope, Scope.ObserverStream, 0, Sample("obs-1"))
            .Apply(Scope, Scope.ProcessStream, 0, ProcessHistory.Paused(T))
            .Apply(Scope, ChainStream, 1, Block(3));

        Assert.Equal((2L, 1L, 1L), (inputs.Chain.EventCount, inputs.Observer.EventCount, inputs.Process.EventCount));
        Assert.Equal(3u, inputs.Chain.Head!.Number);
        Assert.Equal(TestChain.ChainId, inputs.Chain.ChainId);
        Assert.Equal(10u, inputs.Observer.LatestSample!.HeadBlockNum);
        Assert.True(inputs.Process.AutomationPaused);
    }

    [Fact]
    public void An_event_at_a_version_already_folded_is_skipped_the_writer_folded_it_ahead()
    {
        var inputs = FailoverInputs.Initial.Apply(Scope, Scope.ProcessStream, 0, ProcessHistory.Paused(T));

        var again = inputs.Apply(Scope, Scope.ProcessStream, 0, ProcessHistory.Paused(T));

        Assert.Same(inputs, again);
        Assert.Equal(1, again.Process.EventCount);
    }

    [Fact]
    public void A_process_event_past_the_next_version_is_not_folded_a_gap_in_the_process_is_never_papered_over()
    {
        Assert.Same(FailoverInputs.Initial, FailoverInputs.Initial.Apply(Scope, Scope.ProcessStream, 1, ProcessHistory.Paused(T)));
    }

    /// <summary>Issue 18.6: compaction deletes old chain and observer events, so their streams' versions have holes.</summary>
    [Fact]
    public void A_chain_or_observer_event_past_the_next_version_is_folded_and_the_next_version_follows_it()
    {
        var chain = FailoverInputs.Initial.Apply(Scope, ChainStream, 7, Block(2));
        var observed = FailoverInputs.Initial.Apply(Scope, Scope.ObserverStream, 4, Sample("obs-1"));

        Assert.Equal((8L, 2u), (chain.Chain.EventCount, chain.Chain.Head!.Number));
        Assert.Equal(5L, observed.Observer.EventCount);
        Assert.Same(chain, chain.Apply(Scope, ChainStream, 6, Block(3)));
    }

    [Fact]
    public void Another_observer_s_and_another_producer_s_streams_are_not_read()
    {
        var otherProducer = new FailoverScope("someone.else", "obs-1");
        var inputs = FailoverInputs.Initial
            .Apply(Scope, Streams.Observer("obs-2"), 0, Sample("obs-2"))
            .Apply(Scope, otherProducer.ProcessStream, 0, ProcessHistory.Paused(T));

        Assert.Same(FailoverInputs.Initial, inputs);
    }

    [Fact]
    public void The_first_chain_followed_is_kept_and_a_configured_chain_is_the_only_one_followed()
    {
        var first = FailoverInputs.Initial.Apply(Scope, Streams.Chain("first"), 0, Block(2, "first"));
        Assert.Equal("first", first.Chain.ChainId);
        Assert.Same(first, first.Apply(Scope, ChainStream, 0, Block(2)));

        var configured = new FailoverScope(Ours, "obs-1", TestChain.ChainId);
        Assert.Same(FailoverInputs.Initial, FailoverInputs.Initial.Apply(configured, Streams.Chain("first"), 0, Block(2, "first")));
        Assert.Equal(1, FailoverInputs.Initial.Apply(configured, ChainStream, 0, Block(2)).Chain.EventCount);
    }

    [Fact]
    public void A_chain_event_is_read_only_from_the_stream_of_its_chain()
    {
        Assert.Same(FailoverInputs.Initial, FailoverInputs.Initial.Apply(Scope, Scope.ObserverStream, 0, Block(2)));
    }

    [Fact]
    public void The_scope_evaluates_at_its_own_observer_s_samples_and_its_own_producer_s_commands()
    {
        Assert.Equal(T, Scope.EvaluationAt(Sample("obs-1")));
        Assert.Null(Scope.EvaluationAt(Sample("obs-2")));
        Assert.Equal(T, Scope.EvaluationAt(ProcessHistory.ManualRequested("dc-b", T)));
        Assert.Equal(("failover-" + Ours, "observer-obs-1"), (Scope.ProcessStream, Scope.ObserverStream));
    }

    [Fact]
    public void A_fold_without_a_scope_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => FailoverInputs.Initial.Apply(null!, ChainStream, 0, Block(2)));
    }
}
