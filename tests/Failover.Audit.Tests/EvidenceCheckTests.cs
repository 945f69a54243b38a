using System.Security.Cryptography;
using System.Text;
using Failover.Audit.Verification;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Audit.Tests;

/// <summary>
/// The evidence check against our authority: evidence recorded with the threshold and the weights is compared with
/// them; evidence recorded before it carried them is compared by its keys alone, so an old log still verifies.
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

    [Fact]
    public void Evidence_recording_another_threshold_or_weight_than_the_log_differs_there()
    {
        var recorded = FromTheLog();

        Assert.Equal(
            ["schedule.authority.threshold: recorded 1, the log gives 2", "schedule.authority.keys[1].weight: recorded 1, the log gives 2"],
            Differences(recorded with { Schedule = recorded.Schedule with { Authority = new SigningAuthority(1, [new ScheduleKey(KeyA, 1), new ScheduleKey(KeyB, 1)]) } }));
    }
}
