using System.Security.Cryptography;
using System.Text;
using Failover.Antelope;
using Failover.Audit.Explain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;

namespace Failover.Audit.Tests;

/// <summary>
/// The narrative of <c>failover audit explain</c>: our authority in the schedule, and ", in force" on exactly the data
/// centers whose key alone satisfies it (KeyInForce) — weights and threshold honoured, keys compared parsed.
/// </summary>
public sealed class StoryTextTests
{
    private static readonly DateTimeOffset T = new(2024, 10, 23, 3, 48, 0, TimeSpan.Zero);
    private static readonly string KeyA = Derive("dc-a");
    private static readonly string KeyB = Derive("dc-b");
    private static readonly string LegacyA = PublicKey.Parse(KeyA).ToLegacyString();

    private static string Derive(string seed) => PrivateKey.FromSecret(SHA256.HashData(Encoding.UTF8.GetBytes("failover-audit-test/" + seed))).PublicKey.ToString();

    private static SigningAuthority Authority(uint threshold, params (string Key, ushort Weight)[] keys) =>
        new(threshold, [.. keys.Select(k => new ScheduleKey(k.Key, k.Weight))]);

    /// <summary>Given our authority in the schedule and dc-a, dc-b configured; When the story is told; Then its lines.</summary>
    private static IReadOnlyList<string> Narrate(IReadOnlyList<string> activeKeys, SigningAuthority? authority, string dcAKey = "")
    {
        var dataCenters = new[]
        {
            new DataCenterEvidence("dc-a", 1, dcAKey.Length == 0 ? KeyA : dcAKey, null, false, null, null),
            new DataCenterEvidence("dc-b", 2, KeyB, null, false, null, null),
        };
        var story = new DecisionStory(
            7, "failover-ours", "failover-suppressed.v1", "ours", "missed-1", 1, T, DecisionOutcome.Suppress, [ReasonCodes.StaleHead], null, null,
            "0123456789abcdef", new FailoverPolicy(), true, null, null, [], null, null, null,
            new HeadStory(1003, "head", T.AddSeconds(-1), 1), new LibStory(1001, "lib", T.AddSeconds(-1), 1, true), new EndpointStory(1, 1, null, []),
            new ScheduleEvidence(true, 7, 21, activeKeys, authority), new ProcessEvidence(false, false, null, null, []), dataCenters,
            [], [], []);
        return StoryText.Narrate(story);
    }

    /// <summary>The story of a decision on a missed run of 24 from slot 1000, its 12th miss in slot 1011 and its latest in 1035 (or on <paramref name="other"/>).</summary>
    private static IReadOnlyList<string> NarrateIncident(IncidentAnchor? anchor, uint? anchorSlot, IncidentEvidence? other = null, FailoverPolicy? policy = null)
    {
        var incident = other ?? new IncidentEvidence(1000, T.AddSeconds(-20), 24, 2012, "00000bdc" + new string('b', 56), T.AddSeconds(-2), anchor, anchorSlot);
        var since = new ParticipationFigures(1036, 1047, 1, 1, [], 12, 12);
        var story = new DecisionStory(
            7, "failover-ours", "failover-triggered.v1", "ours", "missed-1000", 1, T, DecisionOutcome.Trigger, [], "dc-b", KeyB,
            "0123456789abcdef", policy ?? new FailoverPolicy(), true, incident, null, [], null, null, since,
            new HeadStory(1003, "head", T.AddSeconds(-1), 1), new LibStory(1001, "lib", T.AddSeconds(-1), 1, true), new EndpointStory(1, 1, null, []),
            new ScheduleEvidence(true, 7, 21, [KeyA], SigningAuthority.SingleKey(KeyA)), new ProcessEvidence(false, false, null, null, []), [],
            [], [], []);
        return StoryText.Narrate(story);
    }

    [Fact]
    public void The_story_names_the_latest_miss_and_its_revealing_block_as_what_the_evidence_after_the_incident_is_judged_from()
    {
        var lines = NarrateIncident(IncidentAnchor.LatestMiss, 1035);

        Assert.EndsWith(
            "; its latest miss (slot 1035) was revealed by block 2012 (00000bdcbbbbbbbb…) observed at 2024-10-23T03:47:58.000Z, the block the evidence after the incident is judged from.",
            Line(lines, "What triggered it: ours missed 24 consecutive scheduled blocks (threshold 12) from slot 1000"));
        Assert.Contains("; windows since our latest missed window 1/1", Line(lines, "Participation of the other producers: "), StringComparison.Ordinal);
    }

    [Fact]
    public void The_story_of_evidence_recorded_before_the_anchor_was_named_says_the_run_was_revealed_by_its_block()
    {
        var lines = NarrateIncident(null, null);

        Assert.EndsWith("; the run was revealed by block 2012 (00000bdcbbbbbbbb…) observed at 2024-10-23T03:47:58.000Z.", Line(lines, "What triggered it: "));
        Assert.Contains("; windows since the incident 1/1", Line(lines, "Participation of the other producers: "), StringComparison.Ordinal);
    }

    [Fact]
    public void The_story_of_a_finalizer_silence_names_the_certificates_without_our_vote_and_the_block_they_began_at()
    {
        var silent = new IncidentEvidence(1000, T.AddSeconds(-20), 0, 2012, "00000bdc" + new string('b', 56), T.AddSeconds(-2),
            IncidentAnchor.FirstSilentCertificate, 1000, IncidentKind.FinalizerSilent, 7);

        var lines = NarrateIncident(null, null, silent, FailoverPolicy.ServiceDefault);

        Assert.Equal(
            "What triggered it: ours's finalizer voted in none of the 7 quorum certificates from block 2012 (00000bdcbbbbbbbb…, slot 1000 at 2024-10-23T03:47:40.000Z, observed at 2024-10-23T03:47:58.000Z) on — silent for at least 3.0 s of chain time; that block is the one the evidence after the incident is judged from; 0 of our blocks were missed by then.",
            Line(lines, "What triggered it: "));
    }

    [Fact]
    public void The_story_of_a_degraded_primary_names_its_share_of_recent_slots_missed()
    {
        var degraded = new IncidentEvidence(1000, T.AddSeconds(-20), 8, 2012, "00000bdc" + new string('b', 56), T.AddSeconds(-2),
            IncidentAnchor.LatestMiss, 1035, IncidentKind.Degraded, RecentMissed: 16, RecentSlots: 36);

        var lines = NarrateIncident(null, null, degraded, FailoverPolicy.ServiceDefault);

        Assert.StartsWith(
            "What triggered it: ours missed 16 of its last 36 scheduled slots (at least 12 of 36, over two of its windows or more, its latest among them), from slot 1000 at 2024-10-23T03:47:40.000Z; the slots left empty: (the chain stream shows none of them); its latest miss (slot 1035) was revealed by block 2012",
            Line(lines, "What triggered it: "));
    }

    private static string Line(IReadOnlyList<string> lines, string start) => Assert.Single(lines, l => l.StartsWith(start, StringComparison.Ordinal));

    [Fact]
    public void Only_the_data_center_whose_key_alone_reaches_the_threshold_is_in_force()
    {
        var lines = Narrate([KeyA, KeyB], Authority(2, (KeyA, 1), (KeyB, 2)));

        Assert.Equal(
            $"Schedule: ours is in the active schedule v7 of 21 producers, with the authority of threshold 2 over {KeyA} (weight 1), {KeyB} (weight 2).",
            Line(lines, "Schedule: "));
        Assert.Equal(
            $"Data centers: dc-a (priority 1, key {KeyA}, no node of its own configured); dc-b (priority 2, key {KeyB}, in force, no node of its own configured).",
            Line(lines, "Data centers: "));
    }

    [Fact]
    public void No_data_center_is_in_force_when_no_key_alone_satisfies_our_authority()
    {
        var lines = Narrate([KeyA, KeyB], Authority(2, (KeyA, 1), (KeyB, 1)));

        Assert.Equal(
            $"Data centers: dc-a (priority 1, key {KeyA}, no node of its own configured); dc-b (priority 2, key {KeyB}, no node of its own configured).",
            Line(lines, "Data centers: "));
    }

    [Fact]
    public void A_data_center_configured_with_the_legacy_spelling_of_the_key_in_force_is_in_force()
    {
        var lines = Narrate([KeyA], SigningAuthority.SingleKey(KeyA), dcAKey: LegacyA);

        Assert.Equal($"Schedule: ours is in the active schedule v7 of 21 producers, with key {KeyA}.", Line(lines, "Schedule: "));
        Assert.Equal(
            $"Data centers: dc-a (priority 1, key {LegacyA}, in force, no node of its own configured); dc-b (priority 2, key {KeyB}, no node of its own configured).",
            Line(lines, "Data centers: "));
    }

    [Fact]
    public void Evidence_recorded_before_it_carried_our_authority_has_each_listed_key_in_force()
    {
        var lines = Narrate([KeyA, KeyB], null);

        Assert.Equal($"Schedule: ours is in the active schedule v7 of 21 producers, with key {KeyA}, {KeyB}.", Line(lines, "Schedule: "));
        Assert.Equal(
            $"Data centers: dc-a (priority 1, key {KeyA}, in force, no node of its own configured); dc-b (priority 2, key {KeyB}, in force, no node of its own configured).",
            Line(lines, "Data centers: "));
    }
}
