using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// Issue 16.4: legacy early detection from the data centers' own nodes (<see cref="FailoverPolicy.NodeSilence"/>): every
/// observer's samples (<see cref="DataCenterNodeWatch"/>), the majority, and the <c>node-silent</c> incident.
/// Schedule V1 is alice, bob, carol, dave, ours (60-slot rounds from S0; ours S0+48..S0+59).
/// </summary>
public sealed class NodeSilenceTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly Antelope.Name Ours = Antelope.Name.Parse("ours");
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(18);
    private static readonly DateTimeOffset T0 = Antelope.BlockTimestamp.FromSlot(S0 + 10);

    private static ParticipationSampled Sample(string observer, DateTimeOffset at, params DataCenterNodeView[] nodes) =>
        new(ChainId, observer, at, 1000, Id("main", 1000), at, 990, Id("main", 990), 1, 5, null, null, [], nodes, 0);

    private static DataCenterNodeView Up(DateTimeOffset head) => new("dc-a", 1000, head, null);

    private static DataCenterNodeView Down() => new("dc-a", null, null, "unreachable: connection refused");

    [Fact]
    public void A_node_is_silent_to_an_observer_once_its_newest_head_is_as_old_as_the_silence_whether_unreachable_or_stuck()
    {
        var watch = DataCenterNodeWatch.Empty
            .Apply(Sample("o1", T0, Up(T0)))
            .Apply(Sample("o1", T0.AddSeconds(6), Down()))
            .Apply(Sample("o2", T0, Up(T0)))
            .Apply(Sample("o2", T0.AddSeconds(12), Up(T0))); // answers, but its head does not move

        Assert.Equal(new NodeSilence(0, 2, null), watch.Judge("dc-a", T0.AddSeconds(17), Silence));
        Assert.Equal(new NodeSilence(2, 2, T0), watch.Judge("dc-a", T0.AddSeconds(18), Silence));
        Assert.True(watch.Judge("dc-a", T0.AddSeconds(18), Silence).ByMajority);
        Assert.Equal(watch, watch.Apply(Sample("o1", T0.AddSeconds(6), Down()))); // folding a sample twice changes nothing
        Assert.Equal(T0.AddSeconds(6), watch.Apply(Sample("o1", T0.AddSeconds(3), Down())).Sightings[("o1", "dc-a")].SampledAt); // nor an older one
        Assert.Equal("sample", Assert.Throws<ArgumentNullException>(() => watch.Apply(null!)).ParamName);
    }

    [Fact]
    public void A_sighting_exactly_the_silence_old_still_reports_and_the_silence_runs_from_the_newest_head_any_silent_observer_saw()
    {
        var watch = DataCenterNodeWatch.Empty
            .Apply(Sample("o1", T0, Up(T0)))
            .Apply(Sample("o2", T0.AddSeconds(5), Up(T0.AddSeconds(5))));
        var both = watch.Apply(Sample("o1", T0.AddSeconds(20), Down())).Apply(Sample("o2", T0.AddSeconds(20), Down()));

        Assert.Equal(new NodeSilence(1, 2, T0), watch.Judge("dc-a", T0.AddSeconds(18), Silence)); // o1's sighting, exactly 18 s old, still reports
        Assert.Equal(new NodeSilence(0, 1, null), watch.Judge("dc-a", T0.AddSeconds(18.5), Silence)); // now it does not
        Assert.Equal(new NodeSilence(2, 2, T0.AddSeconds(5)), both.Judge("dc-a", T0.AddSeconds(23), Silence));
    }

    [Fact]
    public void Only_a_strict_majority_of_the_observers_that_sampled_the_node_lately_counts()
    {
        var oneCutOff = DataCenterNodeWatch.Empty
            .Apply(Sample("o1", T0, Down()))
            .Apply(Sample("o2", T0.AddSeconds(20), Up(T0.AddSeconds(20))))
            .Apply(Sample("o3", T0.AddSeconds(20), Up(T0.AddSeconds(20))));
        var twoOfThree = oneCutOff
            .Apply(Sample("o1", T0.AddSeconds(40), Down()))
            .Apply(Sample("o2", T0.AddSeconds(40), Down()))
            .Apply(Sample("o3", T0.AddSeconds(40), Up(T0.AddSeconds(40))));
        var gone = DataCenterNodeWatch.Empty.Apply(Sample("o1", T0, Up(T0))).Apply(Sample("o2", T0.AddSeconds(40), Up(T0.AddSeconds(40))));

        Assert.False(oneCutOff.Judge("dc-a", T0.AddSeconds(20), Silence).ByMajority); // 1 of 3
        Assert.False(new NodeSilence(1, 2, T0).ByMajority); // half is not a majority
        Assert.True(new NodeSilence(2, 3, T0).ByMajority);
        // o1 never reached it (silent, since unknown), o2 saw its last head at +20, o3 sees it producing.
        Assert.Equal(new NodeSilence(2, 3, T0.AddSeconds(20)), twoOfThree.Judge("dc-a", T0.AddSeconds(40), Silence));
        Assert.Equal(new NodeSilence(0, 1, null), gone.Judge("dc-a", T0.AddSeconds(40), Silence)); // o1's sighting is too old to count
        Assert.False(DataCenterNodeWatch.Empty.Apply(Sample("o1", T0, Down())).Judge("dc-a", T0.AddSeconds(1), Silence).ByMajority); // never saw a head: since when is unknown
        Assert.Equal(new NodeSilence(0, 0, null), twoOfThree.Judge("dc-b", T0.AddSeconds(40), Silence));
    }

    [Fact]
    public void The_inputs_fold_every_observers_samples_into_the_watch_and_only_their_own_into_the_observer()
    {
        var scope = new FailoverScope("ours", "o1");
        var inputs = FailoverInputs.Initial
            .Apply(scope, Streams.Observer("o1"), 0, Sample("o1", T0, Up(T0)))
            .Apply(scope, Streams.Observer("o2"), 0, Sample("o2", T0, Down()));

        Assert.Equal(2, inputs.Nodes.Sightings.Count);
        Assert.Equal(1, inputs.Observer.EventCount);
        Assert.DoesNotContain(inputs.Apply(scope, "somewhere-else", 0, Sample("o3", T0, Down())).Nodes.Sightings.Keys, k => k.Observer == "o3");
    }

    // ---- the incident -----------------------------------------------------------------------------------------------

    private static readonly DataCenterConfig[] DataCenters =
    [
        new("dc-a", 1, V1.KeyOf("ours").ToString(), null, HasNode: true),
        new("dc-b", 2, DecisionFixtures.KeyB, null, HasNode: true),
    ];

    /// <summary>Every slot from S0 to S0 + <paramref name="last"/> produced, except ours from S0+48 when <paramref name="ourWindowMissed"/>.</summary>
    private static ObservedChain Chain(uint last, bool ourWindowMissed = false)
    {
        var slots = Enumerable.Range(0, (int)last + 1).Select(i => S0 + (uint)i).Where(s => !(ourWindowMissed && s >= S0 + 48 && s < S0 + 60)).ToArray();
        var decision = ChainDecider.Decide(ObservedChain.Empty, Observe(Branch("main", 1000, Id("before", 999), V1, Legacy, slots), V1.ToSchedule()));
        Assert.Null(decision.Problem);
        return decision.Events.Aggregate(ObservedChain.Empty, (c, e) => c.Apply(e));
    }

    private const uint Legacy = 1;

    private static IncidentEvidence? Incident(ObservedChain chain, DataCenterNodeWatch watch, DateTimeOffset at, ConsensusKind consensus = ConsensusKind.Legacy, TimeSpan? silence = null) =>
        EvidenceBuilder.Build(Ours, consensus, 12, DataCenters, chain, ObserverState.Empty, FailoverProcess.Initial, at, nodeSilence: silence ?? Silence, nodes: watch).Incident;

    [Fact]
    public void The_silent_node_of_the_data_center_in_force_opens_an_incident_anchored_on_the_first_block_after_its_newest_head()
    {
        var watch = DataCenterNodeWatch.Empty.Apply(Sample("o1", T0, Up(T0))).Apply(Sample("o1", T0.AddSeconds(18), Down()));

        var incident = Incident(Chain(40), watch, T0.AddSeconds(18))!;

        Assert.Equal(
            new IncidentEvidence(S0 + 11, Antelope.BlockTimestamp.FromSlot(S0 + 11), 0, 1011, Id("main", 1011), ObservedAt, IncidentAnchor.NodeSilentSince, S0 + 11,
                IncidentKind.NodeSilent, DataCenter: "dc-a", SilentObservers: 1, ReportingObservers: 1),
            incident);
        Assert.Equal($"node-silent-dc-a-{S0 + 11}", IncidentIds.For(incident));
        Assert.Null(Incident(Chain(40), watch, T0.AddSeconds(18), ConsensusKind.Savanna)); // Savanna has the votes
        Assert.Null(EvidenceBuilder.Build(Ours, ConsensusKind.Legacy, 12, DataCenters, Chain(40), ObserverState.Empty, FailoverProcess.Initial, T0.AddSeconds(18), nodes: watch).Incident); // off
        var standbySilent = DataCenterNodeWatch.Empty.Apply(Sample("o1", T0, new DataCenterNodeView("dc-b", 1, T0, null))).Apply(Sample("o1", T0.AddSeconds(18), new DataCenterNodeView("dc-b", null, null, "down")));
        Assert.Null(Incident(Chain(40), standbySilent, T0.AddSeconds(18))); // not the data center in force
        Assert.Null(Incident(Chain(10), watch, T0.AddSeconds(18))); // no block recorded after the node's newest head yet
        var noNodeInForce = new DataCenterConfig[] { DataCenters[0] with { HasNode = false }, DataCenters[1] };
        Assert.Null(EvidenceBuilder.Build(Ours, ConsensusKind.Legacy, 12, noNodeInForce, Chain(40), ObserverState.Empty, FailoverProcess.Initial, T0.AddSeconds(18), nodeSilence: Silence, nodes: watch).Incident);
    }

    [Fact]
    public void It_stays_the_incident_over_a_missed_run_that_began_after_it_while_at_most_two_rounds_older_than_the_silence()
    {
        var watch = DataCenterNodeWatch.Empty.Apply(Sample("o1", T0, Up(T0)));
        var chain = Chain(70, ourWindowMissed: true);
        var at = Antelope.BlockTimestamp.FromSlot(S0 + 70);

        var incident = Incident(chain, watch.Apply(Sample("o1", at, Down())), at)!;
        Assert.Equal((IncidentKind.NodeSilent, 12), (incident.Kind!.Value, incident.ConsecutiveMissed));
        var last = T0 + TimeSpan.FromSeconds(18 + 60); // two rounds of 5 producers (60 s) past the silence's 18 s: still it
        Assert.Equal(IncidentKind.NodeSilent, Incident(chain, watch.Apply(Sample("o1", last, Down())), last)!.Kind);
        var late = last.AddMilliseconds(500);
        Assert.Equal(IncidentKind.MissedRun, Incident(chain, watch.Apply(Sample("o1", late, Down())), late)!.Kind);

        // The node's newest head in the slot before our window: its silence and our missed run begin together, and it is the incident.
        var newest = Antelope.BlockTimestamp.FromSlot(S0 + 47);
        var silentAt = newest + Silence;
        var atOurWindow = DataCenterNodeWatch.Empty.Apply(Sample("o1", newest, Up(newest))).Apply(Sample("o1", silentAt, Down()));
        var together = Incident(chain, atOurWindow, silentAt)!;
        Assert.Equal((IncidentKind.NodeSilent, S0 + 48), (together.Kind!.Value, together.FirstMissedSlot));
    }

    [Fact]
    public void The_rule_hashes_apart_and_must_be_positive()
    {
        var off = new FailoverPolicy();

        Assert.NotEqual(off.Hash(), (off with { NodeSilence = Silence }).Hash());
        Assert.Empty((off with { NodeSilence = Silence }).Validate());
        Assert.Contains("NodeSilence must be positive (or off), got -00:00:01.", (off with { NodeSilence = TimeSpan.FromSeconds(-1) }).Validate());
    }
}
