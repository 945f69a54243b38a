using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Chain;

/// <summary>
/// ObserverDecider: the observer stream's rules — which endpoint is followed first, when a sample is due, and what a
/// poll appends. Schedule V1 is alice, bob, carol, dave, ours (60-slot rounds from S0); the chain below is recorded from
/// S0 to S0 + 70 with every slot produced except ours (S0 + 48 … S0 + 59), so our missed run is 12.
/// </summary>
public sealed class ObserverDeciderTests
{
    private static readonly Support.TestSchedule V1 = Support.TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly Name Ours = Name.Parse("ours");
    private static readonly ObserverRules Rules = new("obs", Ours, 12, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(15));
    private static readonly DateTimeOffset Now = BlockTimestamp.FromSlot(S0 + 70);

    private static ObservedChain ChainUpTo(uint lastSlot, Func<uint, bool>? produced = null)
    {
        var slots = Enumerable.Range(0, (int)(lastSlot - S0 + 1)).Select(i => S0 + (uint)i).Where(produced ?? (s => V1.ProducerAt(s) != "ours")).ToArray();
        return Fold(FirstRecording(Branch("main", 100, Id("none", 99), V1, Savanna, slots), V1));
    }

    private static readonly ObservedChain Chain = ChainUpTo(S0 + 70);

    private static ParticipationSampled Sample(ObservedChain chain, DateTimeOffset at, uint lib) => new(
        ChainId, "obs", at, chain.Head!.Number, chain.Head.Id, BlockTimestamp.FromSlot(chain.Head.Slot), lib, Id("main", lib), 1, 5, null, null, [], [], 0);

    private static ObserverState Given(params IObserverEvent[] events) => events.Aggregate(ObserverState.Empty, (view, e) => view.Apply(e));

    private static EndpointCheck Answered(string name, uint head = 160, uint lib = 150, double ageSeconds = 0.5) =>
        EndpointCheck.Answered(name, ChainId, head, Now - TimeSpan.FromSeconds(ageSeconds), lib);

    // ---- ranking ----------------------------------------------------------------------------------------------

    [Fact]
    public void Rank_follows_the_highest_lib_a_majority_corroborates_then_the_highest_head_then_configuration_order_and_leaves_out_what_cannot_be_followed()
    {
        EndpointCheck[] endpoints =
        [
            Answered("a", head: 160, lib: 150),
            Answered("b", head: 161, lib: 151),
            Answered("c", head: 150, lib: 149),
            Answered("d", head: 161, lib: 151),
            EndpointCheck.Failed("e", EndpointReasons.Timeout, "slow", 170),
            Answered("f", head: 170, lib: 160) with { ChainId = "another" },
        ];

        Assert.Equal(["b", "d", "a", "c"], ObserverDecider.Rank(ObserverState.Empty, ChainId, endpoints).Select(e => e.Endpoint));
    }

    /// <summary>Issue 17.3: an endpoint claiming a LIB the others do not reach is ranked by what they corroborate, not by its claim.</summary>
    [Fact]
    public void An_endpoint_claiming_a_higher_lib_than_the_others_does_not_win_the_ranking_alone()
    {
        EndpointCheck[] endpoints = [Answered("honest-1", head: 200, lib: 198), Answered("liar", head: 199, lib: 700), Answered("honest-2", head: 200, lib: 198)];

        Assert.Equal(["honest-1", "honest-2", "liar"], ObserverDecider.Rank(ObserverState.Empty, ChainId, endpoints).Select(e => e.Endpoint));
    }

    [Theory]
    [InlineData(new uint[0], 0u)]
    [InlineData(new uint[] { 7 }, 7u)]
    [InlineData(new uint[] { 9, 3 }, 3u)]
    [InlineData(new uint[] { 5, 900, 6 }, 6u)]
    [InlineData(new uint[] { 1, 4, 3, 2 }, 2u)]
    [InlineData(new uint[] { 8, 8, 1, 8, 1 }, 8u)]
    public void The_corroborated_lib_is_the_highest_a_majority_reaches(uint[] libs, uint expected) =>
        Assert.Equal(expected, ObserverDecider.CorroboratedLib(libs));

    /// <summary>An endpoint that failed, or that serves another chain, is not one of the majority the LIB is corroborated by.</summary>
    [Fact]
    public void Only_endpoints_answering_with_the_chain_count_toward_the_corroborated_lib()
    {
        EndpointCheck[] endpoints =
        [
            Answered("a", lib: 150),
            Answered("b", lib: 140),
            EndpointCheck.Answered("c", "another-chain", 999, Now, 999),
            EndpointCheck.Answered("d", "another-chain", 998, Now, 998),
            EndpointCheck.Failed("e", EndpointReasons.Timeout, "no answer"),
        ];

        Assert.Equal(140u, ObserverDecider.CorroboratedLib(ChainId, endpoints));
        Assert.Equal(0u, ObserverDecider.CorroboratedLib("unknown-chain", endpoints));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.CorroboratedLib(ChainId, null!));
    }

    [Fact]
    public void Rank_tries_an_endpoint_last_judged_inconsistent_after_every_other()
    {
        var view = Given(new EndpointDegraded("obs", "c", EndpointReasons.Inconsistent, "x", Now), new EndpointDegraded("obs", "a", EndpointReasons.Disagrees, "y", Now));

        var ranked = ObserverDecider.Rank(view, ChainId, [Answered("a", lib: 150), Answered("b", lib: 140), Answered("c", lib: 151)]);

        Assert.Equal(["a", "b", "c"], ranked.Select(e => e.Endpoint));
    }

    // ---- sample cadence ---------------------------------------------------------------------------------------

    [Fact]
    public void Nothing_is_sampled_before_the_chain_stream_holds_a_head_and_the_first_sample_is_due_at_once()
    {
        Assert.False(ObserverDecider.IsSampleDue(ObserverState.Empty, ObservedChain.Empty, 10, Now, Rules));
        Assert.True(ObserverDecider.IsSampleDue(ObserverState.Empty, Chain, 10, Now, Rules));
    }

    [Theory]
    [InlineData(5.999, false)]
    [InlineData(6.0, true)]
    public void A_sample_is_due_once_the_last_is_SampleInterval_old(double secondsSince, bool due)
    {
        var chain = ChainUpTo(S0 + 20); // inside bob's window; nobody is missing blocks
        var view = Given(Sample(chain, Now - TimeSpan.FromSeconds(secondsSince), 110));

        Assert.Equal(due, ObserverDecider.IsSampleDue(view, ChainUpTo(S0 + 22), 111, Now, Rules));
    }

    [Fact]
    public void A_sample_is_due_when_the_head_enters_another_window_than_the_last_sample_s()
    {
        var view = Given(Sample(ChainUpTo(S0 + 23), Now - TimeSpan.FromSeconds(1), 110));

        Assert.False(ObserverDecider.IsSampleDue(view, ChainUpTo(S0 + 23), 110, Now, Rules));
        Assert.True(ObserverDecider.IsSampleDue(view, ChainUpTo(S0 + 24), 110, Now, Rules));
    }

    [Fact]
    public void While_our_producer_misses_blocks_a_moved_head_or_lib_is_sampled_at_once_and_otherwise_not()
    {
        var sampled = ChainUpTo(S0 + 61);
        var view = Given(Sample(sampled, Now - TimeSpan.FromSeconds(1), 150));
        Assert.NotNull(Participation.CurrentMissedRun(sampled, Ours, 12));

        Assert.False(ObserverDecider.IsSampleDue(view, sampled, 150, Now, Rules));
        Assert.True(ObserverDecider.IsSampleDue(view, sampled, 151, Now, Rules));
        Assert.True(ObserverDecider.IsSampleDue(view, ChainUpTo(S0 + 62), 150, Now, Rules));

        var healthy = ChainUpTo(S0 + 62, _ => true);
        var healthyView = Given(Sample(ChainUpTo(S0 + 61, _ => true), Now - TimeSpan.FromSeconds(1), 150));
        Assert.False(ObserverDecider.IsSampleDue(healthyView, healthy, 151, Now, Rules));
    }

    // ---- decisions --------------------------------------------------------------------------------------------

    [Fact]
    public void A_poll_that_follows_and_samples_appends_the_judgements_that_changed_then_the_sample()
    {
        var given = Given(new EndpointDegraded("obs", "b", EndpointReasons.Inconsistent, "x", Now - TimeSpan.FromMinutes(1)));
        var followed = new FollowedEndpoint("a", 160, Id("main", 160));
        DataCenterNodeView[] nodes = [new("dc1", null, null, "unreachable: refused")];
        var poll = new ObserverPoll(Now, ChainId,
        [
            Answered("a") with { Followed = true, Agrees = true },
            Answered("b") with { Agrees = true },
            Answered("c", ageSeconds: 20) with { Agrees = true },
            EndpointCheck.Failed("d", EndpointReasons.HttpError, "500", 158),
            Answered("e") with { Agrees = false },
        ], followed, nodes);

        var events = ObserverDecider.Decide(given, Chain, poll, Rules);

        Assert.Equal(
            [
                new EndpointRecovered("obs", "b", Now),
                new EndpointDegraded("obs", "c", EndpointReasons.Stale, "head 160 is 20.0 s old", Now),
                new EndpointDegraded("obs", "d", EndpointReasons.HttpError, "500", Now),
                new EndpointDegraded("obs", "e", EndpointReasons.Disagrees, "its block at the height it shares with the followed branch is another block", Now),
            ],
            events.Take(4));
        var sample = Assert.IsType<ParticipationSampled>(events[4]);
        Assert.Equal(5, events.Count);
        var head = Chain.Head!;
        Assert.Equal(
            (ChainId, "obs", Now, head.Number, head.Id, BlockTimestamp.FromSlot(head.Slot), 160u, Id("main", 160), 1u, 5),
            (sample.ChainId, sample.ObserverId, sample.ObservedAt, sample.HeadBlockNum, sample.HeadBlockId, sample.HeadBlockTime,
                sample.LastIrreversibleBlockNum, sample.LastIrreversibleBlockId, sample.ScheduleVersion, sample.ScheduledProducers));
        Assert.Equal(
            [new("a", true, 160, true), new("b", true, 160, true), new("c", false, 160, true), new("d", false, 158, false), new("e", false, 160, false)],
            sample.Endpoints);
        Assert.Same(nodes, sample.DataCenterNodes);
        Assert.Equal(Participation.LastFullRound(Chain, Ours), sample.LastFullRound, FiguresComparer.Instance);
        Assert.Equal(Participation.SlidingWindow(Chain, Ours), sample.SlidingWindow, FiguresComparer.Instance);
        Assert.Equal(12, sample.OurConsecutiveMissed);
        Assert.Equal(2, sample.EndpointsAgreeing); // the stale "c" agrees at its head but does not count
    }

    [Fact]
    public void A_stale_endpoint_that_agrees_at_its_own_old_head_is_listed_as_not_healthy_and_does_not_count_toward_a_majority()
    {
        // Issue 15, finding 5: "b" halted at block 120 a minute ago. Compared at its own head, it agrees with every
        // branch that extends block 120 — the followed one and any other — so it says nothing about which branch is
        // the chain. "c" is on another fork. Counting "b" made 2 of 3.
        var followed = new FollowedEndpoint("a", 150, Id("main", 150));
        var poll = new ObserverPoll(Now, ChainId,
        [
            Answered("a") with { Followed = true, Agrees = true },
            Answered("b", head: 120, lib: 110, ageSeconds: 60) with { Agrees = true },
            Answered("c") with { Agrees = false },
        ], followed, []);

        var events = ObserverDecider.Decide(ObserverState.Empty, Chain, poll, Rules);

        var sample = Assert.IsType<ParticipationSampled>(events[^1]);
        Assert.Equal([new("a", true, 160, true), new("b", false, 120, true), new("c", false, 160, false)], sample.Endpoints);
        Assert.Equal(1, sample.EndpointsAgreeing);
        var state = events.Aggregate(ObserverState.Empty, (view, e) => view.Apply(e));
        Assert.False(EndpointJudgement.AgreedAtLatestSample(state, "b"));
        Assert.Equal(
            [$"b (stale since {Now:O})", $"c (disagrees since {Now:O})"],
            EndpointJudgement.BelowMajority(state, ["a", "b", "c"]));
    }

    [Fact]
    public void A_poll_without_a_followed_endpoint_or_without_the_nodes_read_or_with_no_sample_due_judges_endpoints_only()
    {
        var followed = new FollowedEndpoint("a", 160, Id("main", 160));
        EndpointCheck[] endpoints = [Answered("a") with { Followed = true, Agrees = true }, EndpointCheck.Failed("b", EndpointReasons.Timeout, "slow")];
        var degraded = new EndpointDegraded("obs", "b", EndpointReasons.Timeout, "slow", Now);

        Assert.Equal([degraded], ObserverDecider.Decide(ObserverState.Empty, Chain, new ObserverPoll(Now, ChainId, endpoints, null, []), Rules));
        Assert.Equal([degraded], ObserverDecider.Decide(ObserverState.Empty, Chain, new ObserverPoll(Now, ChainId, endpoints, followed), Rules));
        Assert.Equal([degraded], ObserverDecider.Decide(ObserverState.Empty, Chain, new ObserverPoll(Now, null, endpoints, followed, []), Rules));

        var recent = Given(Sample(Chain, Now - TimeSpan.FromSeconds(1), 160), degraded);
        Assert.Empty(ObserverDecider.Decide(recent, Chain, new ObserverPoll(Now, ChainId, endpoints, followed, []), Rules));
    }

    [Fact]
    public void A_poll_that_changes_nothing_appends_nothing_even_with_a_lying_chain_id_unknown_yet()
    {
        var poll = new ObserverPoll(Now, null, [Answered("a") with { ChainId = "another" }]);
        Assert.Empty(ObserverDecider.Decide(ObserverState.Empty, ObservedChain.Empty, poll, Rules));
        var known = poll with { ChainId = ChainId };
        Assert.Equal(
            [new EndpointDegraded("obs", "a", EndpointReasons.WrongChain, $"serves chain another, not {ChainId}", Now)],
            ObserverDecider.Decide(ObserverState.Empty, ObservedChain.Empty, known, Rules));
    }

    // ---- the LIB ----------------------------------------------------------------------------------------------

    /// <summary>One poll that follows "a", whose get_info reported <paramref name="lib"/>, decided and folded.</summary>
    private static ObserverState Polled(ObserverState state, DateTimeOffset at, uint lib, string? libId = null)
    {
        var poll = new ObserverPoll(at, ChainId, [Answered("a", lib: lib) with { HeadBlockTime = at, Followed = true, Agrees = true }], new FollowedEndpoint("a", lib, libId ?? Id("main", lib)), []);
        var events = ObserverDecider.Decide(state, Chain, poll, Rules);
        Assert.IsType<ParticipationSampled>(Assert.Single(events));
        return events.Aggregate(state, (view, e) => view.Apply(e));
    }

    [Fact]
    public void One_inflated_lib_reading_does_not_freeze_when_the_lib_last_advanced_and_the_honest_lib_advancing_later_passes_the_lib_gate()
    {
        // Issue 15, finding 11: a buggy or malicious endpoint, followed for one poll, reports a LIB far above anything
        // recorded (the recorded head is 158). Honest readings follow, and the honest LIB goes on advancing.
        var honest = Polled(Polled(ObserverState.Empty, Now - TimeSpan.FromSeconds(12), 140), Now - TimeSpan.FromSeconds(6), 141);
        Assert.Equal(Now - TimeSpan.FromSeconds(6), honest.LibAdvancedAt);

        var inflated = Polled(honest, Now, 4_000_000_000);
        Assert.Equal(Now - TimeSpan.FromSeconds(6), inflated.LibAdvancedAt); // finality looks no healthier than it was

        var later = Polled(Polled(inflated, Now + TimeSpan.FromSeconds(6), 141), Now + TimeSpan.FromSeconds(12), 142);
        Assert.Equal(Now + TimeSpan.FromSeconds(12), later.LibAdvancedAt);
        var evidence = EvidenceBuilder.Build(Ours, ConsensusKind.Legacy, 12, [], Chain, later, FailoverProcess.Initial, Now + TimeSpan.FromSeconds(13));
        var gate = Policy.Evaluate(evidence, new FailoverPolicy()).Gates.Single(g => g.Reason == ReasonCodes.LibStalled);
        Assert.True(gate.Passed, gate.Detail);
    }

    [Fact]
    public void A_lib_that_is_not_a_block_of_the_recorded_chain_is_not_an_advance_and_raises_no_bar_for_the_next_reading()
    {
        // 150 is below the recorded head, but the endpoint names another block 150: a LIB of another branch.
        var view = Polled(Polled(ObserverState.Empty, Now - TimeSpan.FromSeconds(12), 140), Now - TimeSpan.FromSeconds(6), 141);

        var foreign = Polled(view, Now, 150, Id("other", 150));
        var honest = Polled(foreign, Now + TimeSpan.FromSeconds(6), 142);

        Assert.Equal(Now - TimeSpan.FromSeconds(6), foreign.LibAdvancedAt);
        Assert.Equal(Now + TimeSpan.FromSeconds(6), honest.LibAdvancedAt);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        var poll = new ObserverPoll(Now, ChainId, []);
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.Rank(null!, ChainId, []));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.Rank(ObserverState.Empty, ChainId, null!));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.CorroboratedLib(null!));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.IsSampleDue(null!, Chain, 1, Now, Rules));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.IsSampleDue(ObserverState.Empty, null!, 1, Now, Rules));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.IsSampleDue(ObserverState.Empty, Chain, 1, Now, null!));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.Decide(null!, Chain, poll, Rules));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.Decide(ObserverState.Empty, null!, poll, Rules));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.Decide(ObserverState.Empty, Chain, null!, Rules));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.Decide(ObserverState.Empty, Chain, poll, null!));
    }

    /// <summary>Participation figures compare by value, their list of missing producers included.</summary>
    private sealed class FiguresComparer : IEqualityComparer<ParticipationFigures?>
    {
        public static readonly FiguresComparer Instance = new();

        public bool Equals(ParticipationFigures? x, ParticipationFigures? y) =>
            x is null || y is null ? x is null && y is null : (x with { OthersMissing = [] }) == (y with { OthersMissing = [] }) && x.OthersMissing.SequenceEqual(y.OthersMissing);

        public int GetHashCode(ParticipationFigures? obj) => 0;
    }

    [Fact]
    public void The_configured_chain_is_followed_whatever_the_endpoints_report()
    {
        Assert.Equal("configured", ObserverDecider.ChainToFollow("configured", ["a", "a"], 2));
        Assert.Equal("configured", ObserverDecider.ChainToFollow("configured", [], 3));
    }

    [Fact]
    public void Unconfigured_the_chain_more_than_half_of_the_endpoints_report_is_followed()
    {
        Assert.Equal("a", ObserverDecider.ChainToFollow(null, ["a", "a", "b"], 3));
        Assert.Equal("a", ObserverDecider.ChainToFollow(null, ["a", "a"], 3));
        Assert.Null(ObserverDecider.ChainToFollow(null, ["a", "b"], 2));
        Assert.Null(ObserverDecider.ChainToFollow(null, ["a"], 2));
        Assert.Null(ObserverDecider.ChainToFollow(null, [], 2));
        Assert.Equal("a", ObserverDecider.ChainToFollow(null, ["a"], 1));
    }

    [Fact]
    public void After_the_recorded_head_a_batch_at_most_is_read()
    {
        var head = Chain.Head!.Number;

        Assert.Equal((head + 1, head + 10), ObserverDecider.BlocksToRead(Chain, head + 500, null, 10));
        Assert.Equal((head + 1, head + 3), ObserverDecider.BlocksToRead(Chain, head + 3, 2, 10));
        Assert.Equal((head + 1, head + 1), ObserverDecider.BlocksToRead(Chain, head + 1, null, 1));
        Assert.Null(ObserverDecider.BlocksToRead(Chain, head, null, 10));
    }

    [Fact]
    public void An_endpoint_behind_the_recorded_head_is_read_at_its_own_head_only()
    {
        var head = Chain.Head!.Number;

        Assert.Equal((head - 5, head - 5), ObserverDecider.BlocksToRead(Chain, head - 5, null, 10));
    }

    [Fact]
    public void Before_anything_is_recorded_the_first_block_read_is_the_configured_one_else_the_endpoint_s_head()
    {
        Assert.Equal((2u, 11u), ObserverDecider.BlocksToRead(ObservedChain.Empty, 500, 2, 10));
        Assert.Equal((500u, 500u), ObserverDecider.BlocksToRead(ObservedChain.Empty, 500, null, 10));
        Assert.Null(ObserverDecider.BlocksToRead(ObservedChain.Empty, 500, 600, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ObserverDecider.BlocksToRead(ObservedChain.Empty, 500, null, 0));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.ChainToFollow(null, null!, 1));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.BlocksToRead(null!, 500, null, 10));
        Assert.Throws<ArgumentNullException>(() => ObserverDecider.Decide(null!, Chain, new ObserverPoll(Now, ChainId, [EndpointCheck.Answered("http://a", ChainId, 10, Now, 8)]), Rules));
    }
}
