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
