using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>
/// Issue 15, block signing authorities: a data center may declare the authority a rotation to it registers
/// (<c>regproducer2</c>) — here its own key and a backup node's key, each able to sign alone. The producers table then
/// shows the all-zero <c>producer_key</c> (more than one key), so what it registers is read and compared as a whole
/// authority.
/// </summary>
public sealed class SigningAuthorityScenarioTests
{
    /// <summary>A key no data center's node holds: a backup signer inside the declaring data center.</summary>
    private static readonly PublicKey BackupKey = PrivateKey.FromSecret(Enumerable.Repeat((byte)9, 32).ToArray()).PublicKey;

    [Fact]
    public async Task A_standby_that_declares_a_signing_authority_is_rotated_with_regproducer2_and_the_standby_produces()
    {
        SigningAuthority? declared = null;
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Configure = s => s with
            {
                DataCenters = [.. s.DataCenters.Select(d => d.Name == "dc2" ? d with { SigningAuthority = declared = BothKeys(d.SigningKey) } : d)],
            },
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var requested = await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Equal(["eosio::regproducer2", "eosio::actfinkey"], requested.Actions);
        Assert.True(declared!.SameAs(requested.TargetAuthority));
        var row = rig.Simulator.View().Contract.Producers[ServiceRig.Ours];
        Assert.Equal(PublicKey.Zero, row.ProducerKey); // two keys: the table's key says nothing
        Assert.True(declared.SameAs(SigningAuthority.Of(row.ProducerAuthority!)));
        Assert.True(declared.SameAs(SigningAuthority.Of(rig.Simulator.View().ActiveSchedule.Find(ServiceRig.Ours)!.Authority)));
        await AuditVerifiesAsync(rig);
    }

    [Fact]
    public async Task A_producer_registered_with_a_multi_key_authority_is_not_taken_for_a_rotation_in_flight_and_fails_over()
    {
        SigningAuthority? dc1Authority = null;
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Configure = s => s with
            {
                DataCenters = [.. s.DataCenters.Select(d => d.Name == "dc1" ? d with { SigningAuthority = dc1Authority = BothKeys(d.SigningKey) } : d)],
            },
        });
        await rig.StepAsync();
        var byHand = RegisterByHand(rig, dc1Authority!);
        await rig.RunUntilAsync(() => rig.Simulator.View().ActiveSchedule.Find(ServiceRig.Ours)!.Authority.Keys.Count == 2, TimeSpan.FromMinutes(10), "the schedule carries dc1's two keys");
        await rig.RunForAsync(new FailoverPolicy().Cooldown); // a change of our authority in the schedule starts the cooldown

        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(async () => Scenario.Completed(rig) || (await Scenario.SuppressionsAsync(rig)).Count > 0, TimeSpan.FromMinutes(5), "failover completed");

        Assert.Empty((await Scenario.SuppressionsAsync(rig)).SelectMany(s => s.Decision.Gates.Where(g => !g.Passed).Select(g => g.Detail)));
        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var requested = Assert.Single((await rig.ProcessEventsAsync()).OfType<KeyRotationRequested>());
        Assert.Equal([byHand, requested.TransactionId], rig.TransactionsOnChain().Select(t => t.TransactionId));
        Assert.Equal(["eosio::regproducer", "eosio::actfinkey"], requested.Actions);
        Assert.Null(requested.ReplacesKey);
        Assert.True(dc1Authority!.SameAs(requested.ReplacesAuthority));
        var triggered = Assert.Single((await rig.ProcessEventsAsync()).OfType<FailoverTriggered>());
        Assert.True(dc1Authority.SameAs(triggered.Evidence.RegisteredAuthority));
        Assert.Equal(PublicKey.Zero.ToString(), PublicKey.Parse(triggered.Evidence.RegisteredKey!).ToString());
        Assert.Equal(Scenario.SigningKeyOf(rig, "dc2"), rig.Simulator.View().Contract.Producers[ServiceRig.Ours].ProducerKey);
        await AuditVerifiesAsync(rig);
    }

    private static SigningAuthority BothKeys(PublicKey own) =>
        new(1, [new ScheduleKey(own.ToString(), 1), new ScheduleKey(BackupKey.ToString(), 1)]);

    /// <summary>An operator's regproducer2 of <paramref name="authority"/>, keeping the URL and location, signed with the failover permission; its transaction id.</summary>
    private static string RegisterByHand(ServiceRig rig, SigningAuthority authority)
    {
        var state = rig.Simulator.View();
        var row = state.Contract.Producers[ServiceRig.Ours];
        var rotation = KeyRotation.ToAuthority(rig.Simulator.ChainId, state.LastIrreversibleBlock.Id,
            DateTimeOffset.FromUnixTimeSeconds(state.Head.Timestamp.ToUnixTimeSeconds()).AddMinutes(1),
            new PermissionLevel(ServiceRig.Ours, Roster.FailoverPermission), authority.ToBlockSigningAuthority(), row.Url, row.Location, null);
        rig.Simulator.Push(rotation.Sign([rig.Simulator.Roster.Accounts.Single(a => a.Account == ServiceRig.Ours).Permissions[Roster.FailoverPermission]]));
        return rotation.ToTransaction().Id.ToString();
    }

    private static async Task AuditVerifiesAsync(ServiceRig rig)
    {
        var report = await Audit.Verification.Verifier.VerifyAsync(rig.Store);

        Assert.True(report.Holds, string.Join("\n", report.Problems));
        Assert.Equal(1, report.DecisionsRederived);
        Assert.Equal((await rig.ProcessEventsAsync()).Count, report.ProcessEventsRederived);
    }
}
