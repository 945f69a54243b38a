using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Audit.Verification;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Audit.Tests;

/// <summary>
/// The evidence check against our authority: evidence recorded with the threshold and the weights is compared with
/// them; evidence recorded before it carried them is compared by its keys alone, so an old log still verifies. And
/// against the incident's anchor: evidence is rebuilt by the rule it names (absent: the threshold-th miss, as before).
/// </summary>
public sealed class EvidenceCheckTests
{
    private const string ChainId = "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906";
    private static readonly DateTimeOffset T = new(2024, 10, 23, 3, 48, 0, TimeSpan.Zero);
    private static readonly string KeyA = Derive("dc-a");
    private static readonly string KeyB = Derive("dc-b");

    /// <summary>A chain whose schedule in force has "ours" at threshold 2 over A (weight 1) and B (weight 2).</summary>
    private static readonly ObservedChain Chain = ObservedChain.Empty.Apply(new ProducerScheduleChanged(
        ChainId, 4, [new ScheduleEntry("alice", 1, [new ScheduleKey(KeyA, 1)]), new ScheduleEntry("ours", 2, [new ScheduleKey(KeyA, 1), new ScheduleKey(KeyB, 2)])],
        1000, 1_565_940_960, T));

    private static readonly DataCenterConfig[] DataCenters = [new("dc-a", 1, KeyA, null, false), new("dc-b", 2, KeyB, null, false)];

    private static string Derive(string seed) =>
        Antelope.PrivateKey.FromSecret(SHA256.HashData(Encoding.UTF8.GetBytes("failover-audit-test/" + seed))).PublicKey.ToString();

    private static Evidence FromTheLog() =>
        EvidenceBuilder.Build(Antelope.Name.Parse("ours"), ConsensusKind.Savanna, 12, DataCenters, Chain, ObserverState.Empty, FailoverProcess.Initial, T);

    private static IReadOnlyList<string> Differences(Evidence recorded) =>
        EvidenceCheck.Differences(recorded, EvidenceCheck.Rebuild(recorded, new FailoverPolicy(), FailoverInputs.Initial with { Chain = Chain }));

    [Fact]
    public void Evidence_recorded_with_our_authority_agrees_with_the_log()
    {
        var recorded = FromTheLog();

        Assert.Equal(new SigningAuthority(2, [new ScheduleKey(KeyA, 1), new ScheduleKey(KeyB, 2)]), recorded.Schedule.Authority);
        Assert.Empty(Differences(recorded));
    }

    [Fact]
    public void Evidence_recorded_before_it_carried_our_authority_is_compared_by_its_keys()
    {
        var recorded = FromTheLog();

        Assert.Empty(Differences(recorded with { Schedule = recorded.Schedule with { Authority = null } }));
        Assert.Equal(
            [$"schedule.active_keys[1]: recorded \"{KeyA}\", the log gives \"{KeyB}\""],
            Differences(recorded with { Schedule = recorded.Schedule with { ActiveKeys = [KeyA, KeyA], Authority = null } }));
    }

    // ---- the incident's anchor ------------------------------------------------------------------------------------

    /// <summary>
    /// alice and ours (24-slot rounds from <see cref="S"/>): ours misses its windows S+12..S+23 (revealed by alice's
    /// block 2012 at S+24) and S+36..S+47 (revealed by her block 2024 at S+48). Its 12th miss is S+23, its latest S+47.
    /// </summary>
    private const uint S = 1_565_940_960;

    private static readonly ObservedChain TwoMissedWindows = BuildTwoMissedWindows();

    private static ObservedChain BuildTwoMissedWindows()
    {
        var chain = ObservedChain.Empty.Apply(new ProducerScheduleChanged(
            ChainId, 5, [new ScheduleEntry("alice", 1, [new ScheduleKey(KeyB, 1)]), new ScheduleEntry("ours", 1, [new ScheduleKey(KeyA, 1)])], 2000, S, T));
        var (number, previous, misses) = (2000u, "genesis", new List<uint>());
        for (var slot = S; slot <= S + 48; slot++)
        {
            if (slot % 24 >= 12)
            {
                misses.Add(slot);
                continue;
            }

            var id = number.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + new string('a', 56);
            var seen = Antelope.BlockTimestamp.FromSlot(slot).AddMilliseconds(200);
            foreach (var missed in misses)
            {
                chain = chain.Apply(new BlockMissed(ChainId, missed, Antelope.BlockTimestamp.FromSlot(missed), "ours", 5, number, id, seen));
            }

            misses.Clear();
            chain = chain.Apply(new BlockProduced(ChainId, number, id, previous, "alice", Antelope.BlockTimestamp.FromSlot(slot), slot, 5, seen));
            (number, previous) = (number + 1, id);
        }

        return chain;
    }

    private static Evidence Anchored(IncidentAnchor anchor) => EvidenceBuilder.Build(
        Antelope.Name.Parse("ours"), ConsensusKind.Legacy, 12, DataCenters, TwoMissedWindows, ObserverState.Empty, FailoverProcess.Initial, T, anchor: anchor);

    private static IReadOnlyList<string> DifferencesFromTwoMissedWindows(Evidence recorded) =>
        EvidenceCheck.Differences(recorded, EvidenceCheck.Rebuild(recorded, new FailoverPolicy(), FailoverInputs.Initial with { Chain = TwoMissedWindows }));

    /// <summary>Evidence as the service wrote it before the anchor was named: anchored on the threshold-th miss, without the anchor.</summary>
    private static Evidence RecordedBeforeTheAnchor()
    {
        var evidence = Anchored(IncidentAnchor.ThresholdMiss);
        return evidence with { Incident = evidence.Incident! with { Anchor = null, AnchorSlot = null, Kind = null } };
    }

    [Fact]
    public void Evidence_anchored_on_our_latest_miss_agrees_with_the_log()
    {
        var recorded = Anchored(IncidentAnchor.LatestMiss);

        Assert.Equal((2024u, (uint?)(S + 47), S + 47), (recorded.Incident!.RevealedByBlockNum, recorded.Incident.AnchorSlot, recorded.Chain.SinceIncident!.FirstSlot - 1));
        Assert.Empty(DifferencesFromTwoMissedWindows(recorded));
    }

    [Fact]
    public void Evidence_recorded_before_the_anchor_was_named_is_rebuilt_by_the_threshold_miss_rule_and_agrees_with_the_log()
    {
        var recorded = RecordedBeforeTheAnchor();
        var json = JsonSerializer.Serialize(recorded, DomainJsonContext.Default.Evidence);

        Assert.Equal((2012u, S + 23), (recorded.Incident!.RevealedByBlockNum, recorded.Chain.SinceIncident!.FirstSlot - 1));
        Assert.Empty(DifferencesFromTwoMissedWindows(recorded));

        // As an old log holds it: the incident without the anchor's fields at all.
        var node = JsonNode.Parse(json)!;
        var incident = node["incident"]!.AsObject();
        Assert.True(incident.Remove("anchor") && incident.Remove("anchor_slot"));
        var read = node.Deserialize(DomainJsonContext.Default.Evidence)!;
        Assert.Null(read.Incident!.Anchor);
        Assert.Empty(DifferencesFromTwoMissedWindows(read));
    }

    [Fact]
    public void Evidence_whose_anchor_was_changed_is_rebuilt_by_the_rule_it_then_names_and_differs_from_the_log()
    {
        var latest = Anchored(IncidentAnchor.LatestMiss);
        var old = RecordedBeforeTheAnchor();

        // A latest-miss record claiming the old rule: the log gives the threshold-th miss's revealer and windows.
        Assert.Equal(
            ["incident.revealed_by_block_num: recorded 2024, the log gives 2012"],
            DifferencesFromTwoMissedWindows(latest with { Incident = latest.Incident! with { Anchor = IncidentAnchor.ThresholdMiss } }).Take(1));
        // … or stripped of its anchor, as if written before it was named.
        Assert.Contains(
            $"incident.anchor_slot: recorded {S + 47}, the log gives null",
            DifferencesFromTwoMissedWindows(latest with { Incident = latest.Incident! with { Anchor = null } }));
        // An old record given the new rule's name: the log gives the latest miss's revealer, slot and windows.
        var renamed = DifferencesFromTwoMissedWindows(old with { Incident = old.Incident! with { Anchor = IncidentAnchor.LatestMiss } });
        Assert.Equal(
            ["incident.revealed_by_block_num", "incident.revealed_by_block_id", "incident.revealed_at", "incident.anchor_slot", "chain.since_incident.first_slot"],
            renamed.Take(5).Select(d => d[..d.IndexOf(':', StringComparison.Ordinal)]));
        Assert.Equal("incident.revealed_by_block_num: recorded 2012, the log gives 2024", renamed[0]);
        Assert.Equal($"incident.anchor_slot: recorded null, the log gives {S + 47}", renamed[3]);
        Assert.Equal($"chain.since_incident.first_slot: recorded {S + 24}, the log gives {S + 48}", renamed[4]);
        // A record naming its anchor's slot wrongly.
        Assert.Equal(
            [$"incident.anchor_slot: recorded {S + 46}, the log gives {S + 47}"],
            DifferencesFromTwoMissedWindows(latest with { Incident = latest.Incident with { AnchorSlot = S + 46 } }));
    }

    [Fact]
    public void Evidence_recording_another_threshold_or_weight_than_the_log_differs_there()
    {
        var recorded = FromTheLog();

        Assert.Equal(
            ["schedule.authority.threshold: recorded 1, the log gives 2", "schedule.authority.keys[1].weight: recorded 1, the log gives 2"],
            Differences(recorded with { Schedule = recorded.Schedule with { Authority = new SigningAuthority(1, [new ScheduleKey(KeyA, 1), new ScheduleKey(KeyB, 1)]) } }));
    }
}
