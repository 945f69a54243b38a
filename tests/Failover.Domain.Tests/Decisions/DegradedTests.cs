using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// Issue 16.3: a degraded primary (<see cref="FailoverPolicy.Degraded"/>). Schedule V1 is alice, bob, carol, dave, ours:
/// 60-slot rounds from S0, ours S0+48..S0+59 in each.
/// </summary>
public sealed class DegradedTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly Antelope.Name Ours = Antelope.Name.Parse("ours");
    private static readonly DegradedRule Rule = new(12, 36);

    /// <summary>Four rounds from S0, every slot produced except ours in the rounds listed, where only the first <paramref name="landed"/> of the window are.</summary>
    private static ObservedChain Chain(int landed, params int[] degradedRounds)
    {
        var slots = Enumerable.Range(0, 4 * 60 + 1).Select(i => S0 + (uint)i)
            .Where(s => !(degradedRounds.Contains((int)((s - S0) / 60)) && (s - S0) % 60 >= 48 + (uint)landed && (s - S0) % 60 < 60))
            .ToArray();
        var blocks = Branch("main", 1000, Id("before", 999), V1, Savanna, slots);
        var decision = ChainDecider.Decide(ObservedChain.Empty, Observe(blocks, V1.ToSchedule()));
        Assert.Null(decision.Problem);
        return decision.Events.Aggregate(ObservedChain.Empty, (c, e) => c.Apply(e));
    }

    private static IncidentEvidence? Incident(ObservedChain chain, DegradedRule? rule = null, int threshold = 12) =>
        EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, threshold, [], chain, ObserverState.Empty, FailoverProcess.Initial, ObservedAt.AddMinutes(5), degraded: rule ?? Rule).Incident;

    [Fact]
    public void Our_last_slots_count_the_misses_the_windows_they_fall_in_and_whether_our_latest_window_had_one()
    {
        var recent = Participation.Recent(Chain(4, 2, 3), Ours, 36)!;

        Assert.Equal((16, 36, 2, true), (recent.Missed, recent.Slots, recent.Windows, recent.LatestWindowMissed));
        Assert.Equal((S0 + 120 + 52, S0 + 180 + 59), (recent.First.Slot, recent.Latest.Slot));
        Assert.False(Participation.Recent(Chain(4, 1, 2), Ours, 36)!.LatestWindowMissed);
        Assert.Null(Participation.Recent(Chain(4), Ours, 36)); // nothing missed
        Assert.Null(Participation.Recent(Chain(4, 2, 3), Ours, 49)); // four windows hold 48 of our slots
    }

    [Fact]
    public void Enough_misses_over_two_windows_with_our_latest_among_them_open_a_degraded_incident_anchored_on_the_latest_miss()
    {
        var incident = Incident(Chain(4, 2, 3))!;

        Assert.Equal(IncidentKind.Degraded, incident.Kind);
        Assert.Equal((16, 36), (incident.RecentMissed, incident.RecentSlots));
        Assert.Equal((S0 + 172, S0 + 239, IncidentAnchor.LatestMiss, 8), (incident.FirstMissedSlot, incident.AnchorSlot!.Value, incident.Anchor!.Value, incident.ConsecutiveMissed));
        Assert.Equal(1224u, incident.RevealedByBlockNum); // alice's first block of round 4 (241 slots, 16 empty) reveals them
        Assert.Equal($"degraded-{S0 + 172}", IncidentIds.For(incident));
    }

    [Theory]
    [InlineData(4, new[] { 3 })] // one window only
    [InlineData(4, new[] { 1, 2 })] // the latest window was whole: it recovered
    [InlineData(9, new[] { 1, 2, 3 })] // 3 a window: 9 of 36
    public void Too_few_misses_one_window_or_a_recovered_primary_open_no_incident(int landed, int[] rounds)
    {
        Assert.Null(Incident(Chain(landed, rounds)));
    }

    [Fact]
    public void A_missed_run_that_reaches_the_threshold_comes_first_and_the_rule_off_opens_nothing()
    {
        var wholeWindowsMissed = Chain(0, 2, 3);

        Assert.Equal(IncidentKind.MissedRun, Incident(wholeWindowsMissed)!.Kind);
        Assert.Null(EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 12, [], Chain(4, 2, 3), ObserverState.Empty, FailoverProcess.Initial, ObservedAt).Incident);
        Assert.Equal(IncidentKind.Degraded, Incident(Chain(4, 2, 3), new DegradedRule(16, 36))!.Kind);
        Assert.Null(Incident(Chain(4, 2, 3), new DegradedRule(17, 36)));
    }

    [Fact]
    public void A_silent_finalizer_comes_before_a_degraded_primary()
    {
        var chain = Chain(4, 2, 3);
        var silentTail = chain.Blocks.Values.TakeLast(10).Aggregate(chain, (c, b) => c with { Blocks = c.Blocks.SetItem(b.Number, b with { OurFinalizerVoted = false }) });

        var incident = EvidenceBuilder.Build(Ours, ConsensusKind.Savanna, 12, [], silentTail, ObserverState.Empty, FailoverProcess.Initial, ObservedAt, finalizerSilence: TimeSpan.FromSeconds(3), degraded: Rule).Incident!;

        Assert.Equal(IncidentKind.FinalizerSilent, incident.Kind);
    }

    [Fact]
    public void The_rule_hashes_apart_and_must_count_two_to_ten_windows()
    {
        var off = new FailoverPolicy();

        Assert.NotEqual(off.Hash(), (off with { Degraded = Rule }).Hash());
        Assert.NotEqual((off with { Degraded = Rule }).Hash(), (off with { Degraded = new DegradedRule(12, 48) }).Hash());
        Assert.Empty((off with { Degraded = Rule }).Validate());
        Assert.Contains("Degraded must be MISSED/SLOTS with SLOTS 24 to 120 (two to ten of our windows) and MISSED 1 to SLOTS, got 12/12.", (off with { Degraded = new DegradedRule(12, 12) }).Validate());
        Assert.Contains("Degraded must be MISSED/SLOTS with SLOTS 24 to 120 (two to ten of our windows) and MISSED 1 to SLOTS, got 40/36.", (off with { Degraded = new DegradedRule(40, 36) }).Validate());
        Assert.Contains("Degraded must be MISSED/SLOTS with SLOTS 24 to 120 (two to ten of our windows) and MISSED 1 to SLOTS, got 0/36.", (off with { Degraded = new DegradedRule(0, 36) }).Validate());
        Assert.Contains("Degraded must be MISSED/SLOTS with SLOTS 24 to 120 (two to ten of our windows) and MISSED 1 to SLOTS, got 12/132.", (off with { Degraded = new DegradedRule(12, 132) }).Validate());
    }
}
