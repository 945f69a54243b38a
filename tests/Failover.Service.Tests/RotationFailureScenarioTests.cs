using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Service.Hosting;
using Failover.Simulator;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Tests;

/// <summary>Issue 15: the rotation's failure handling, each finding as the scenario that proves its fix.</summary>
public sealed class RotationFailureScenarioTests
{
    /// <summary>
    /// Finding 11: a legacy chain has no finalizers, so <c>actfinkey</c> there can only fail — and takes the whole
    /// transaction with it. A configuration that lists finalizer keys anyway (left over, or prepared for Savanna) must
    /// not put it in the rotation.
    /// </summary>
    [Fact]
    public async Task A_legacy_configuration_that_lists_finalizer_keys_rotates_with_regproducer_alone_and_the_standby_produces()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Consensus = ConsensusMode.Legacy,
            History = TimeSpan.FromMinutes(6),
            Configure = s => s with
            {
                DataCenters = [.. s.DataCenters.Select(d => d with { FinalizerKey = SeedDerivation.FinalizerKey("legacy-leftover", d.Name) })],
            },
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(15), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var requested = await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Equal(["eosio::regproducer"], requested.Actions);
        Assert.Null(requested.TargetFinalizerKey);
    }

    /// <summary>
    /// Finding 8: <c>regproducer</c> rewrites the whole row, so a rotation decided while the producers table cannot be
    /// read would wipe the producer's URL and location (it was built with <c>""</c> and 0). Nothing is decided until the
    /// row is read; then the rotation keeps both.
    /// </summary>
    [Fact]
    public async Task While_the_producers_table_cannot_be_read_no_rotation_is_built_and_once_it_can_the_rotation_keeps_url_and_location()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        var ours = Antelope.Name.Parse(ServiceRig.OursText);
        var before = rig.Simulator.View().Contract.Producers[ours];
        Assert.NotEqual(string.Empty, before.Url);
        var tableDown = new Simulator.Network.ApiFaults(ErrorStatus: 503, Routes: ["get_table_rows"]);
        foreach (var node in rig.Simulator.Options.ApiNodes)
        {
            rig.Simulator.SetApiFaults(node, tableDown);
        }

        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunForAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([], await rig.ProcessTypesAsync());
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.StartsWith("The producers table could not be read from any endpoint: no rotation is built", StringComparison.Ordinal));

        foreach (var node in rig.Simulator.Options.ApiNodes)
        {
            rig.Simulator.SetApiFaults(node, Simulator.Network.ApiFaults.None);
        }

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        var after = rig.Simulator.View().Contract.Producers[ours];
        Assert.Equal((before.Url, before.Location), (after.Url, after.Location));
        Assert.Equal(Scenario.SigningKeyOf(rig, "dc2"), after.ProducerKey);
    }

    /// <summary>
    /// Finding 2, as reported: dc2's FinalizerKey is a key the chain registers to another producer (prod.a). Before, the
    /// service was ready and, at the outage, pushed regproducer + actfinkey, which the contract rejected ("finalizer key
    /// was not registered", 3050003) — and nothing followed. Now the finalizer tables are read at start-up: readiness
    /// names dc2's key, and the outage is suppressed as no-ready-standby naming dc2, with nothing sent.
    /// </summary>
    [Fact]
    public async Task A_standby_whose_finalizer_key_is_registered_to_another_producer_is_not_chosen_and_readiness_says_so()
    {
        var prodAKey = SeedDerivation.FinalizerKey("service", "node/prod.a/dc1/finalizer"); // the rig's seed
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Configure = s => s with { DataCenters = [.. s.DataCenters.Select(d => d.Name == "dc2" ? d with { FinalizerKey = prodAKey } : d)] },
        });
        Assert.Equal(prodAKey, rig.Simulator.View().Contract.ActiveFinalizerKey(Name.Parse("prod.a")));
        await rig.StepAsync();

        var blocker = Assert.Single(rig.Manager.Blockers);
        Assert.StartsWith($"data center dc2's finalizer key {prodAKey} is not registered to failover.bp on chain", blocker, StringComparison.Ordinal);
        var readiness = await new ProcessManagerReadiness(() => rig.Manager).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, readiness.Status);
        Assert.Contains("dc2's finalizer key", readiness.Description, StringComparison.Ordinal);
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == LogLevel.Critical && e.Message == "FINALIZER KEY: " + blocker);

        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(async () => (await Scenario.SuppressionsAsync(rig)).Count > 0, TimeSpan.FromMinutes(3), "a suppression");
        await rig.RunForAsync(TimeSpan.FromMinutes(2)); // well past the time a rotation would have been decided and pushed

        await Scenario.NothingSentAsync(rig);
        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.Equal([ReasonCodes.NoReadyStandby], suppressed.Reasons);
        Assert.Contains($"dc2's finalizer key {prodAKey} is not registered to failover.bp on chain", suppressed.Decision.Gates.Single(g => g.Reason == ReasonCodes.NoReadyStandby).Detail, StringComparison.Ordinal);
        Assert.Equal(FinalizerKeyStatus.NotRegistered, suppressed.Evidence.DataCenters.Single(d => d.Name == "dc2").FinalizerKeyOnChain);
        Assert.Equal(FinalizerKeyStatus.Active, suppressed.Evidence.DataCenters.Single(d => d.Name == "dc1").FinalizerKeyOnChain);
        await AuditVerifiesAsync(rig, decisions: 1);
    }

    /// <summary>
    /// Finding 2, the other assertion: dc2's finalizer key was made active on chain earlier by hand (actfinkey alone,
    /// after the service read the tables at start-up). actfinkey of an active key fails the whole transaction ("the
    /// finalizer key was already active"), so the rotation must be regproducer alone — and it completes, dc2's node
    /// voting with its own key all along. The tables are read again for the incident, since the start-up reading
    /// predates it.
    /// </summary>
    [Fact]
    public async Task A_target_whose_finalizer_key_is_already_active_is_rotated_with_regproducer_alone_and_the_rotation_completes()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        var dc2Key = rig.Simulator.Roster.FindNode(Scenario.Dc2)!.FinalizerKey!;
        var manual = ActivateFinalizerKeyByHand(rig, dc2Key);
        await rig.RunForAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(dc2Key, rig.Simulator.View().Contract.ActiveFinalizerKey(ServiceRig.Ours));

        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var process = await rig.ProcessEventsAsync();
        var requested = Assert.Single(process.OfType<KeyRotationRequested>());
        Assert.Equal(["eosio::regproducer"], requested.Actions);
        Assert.Null(requested.TargetFinalizerKey);
        Assert.Equal(FinalizerKeyStatus.Active, Assert.Single(process.OfType<FailoverTriggered>()).Evidence.DataCenters.Single(d => d.Name == "dc2").FinalizerKeyOnChain);
        Assert.All(rig.RecordedPushes, p => Assert.Equal(requested.TransactionId, p.TransactionId));
        Assert.Equal([manual, requested.TransactionId], rig.TransactionsOnChain().Select(t => t.TransactionId));
        Assert.Equal(Scenario.SigningKeyOf(rig, "dc2"), rig.Simulator.View().Contract.Producers[ServiceRig.Ours].ProducerKey);
        await AuditVerifiesAsync(rig, decisions: 1);
    }

    /// <summary>
    /// Finding 2, fail closed: while no endpoint answers the finalizer tables sensibly (the answers are garbage), nothing
    /// is known of dc2's key, so the outage is suppressed as no-ready-standby saying so; once they can be read, the
    /// rotation (with actfinkey: dc2's key is registered and not active) follows and completes.
    /// </summary>
    [Fact]
    public async Task While_the_finalizer_tables_cannot_be_read_an_outage_is_suppressed_as_no_ready_standby_and_once_they_can_the_rotation_follows()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        rig.RewriteAnswers((uri, body) => uri.AbsolutePath.EndsWith("/get_table_rows", StringComparison.Ordinal) && body.Contains("_key_binary", StringComparison.Ordinal)
            ? """{"rows":[{"unexpected":1}],"more":false,"next_key":""}"""
            : body);
        await rig.StepAsync();
        Assert.Null(rig.Manager.FinalizerKeysSeen);
        Assert.Empty(rig.Manager.Blockers); // unknown is not a finding

        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(async () => (await Scenario.SuppressionsAsync(rig)).Count > 0, TimeSpan.FromMinutes(3), "a suppression");
        await rig.RunForAsync(TimeSpan.FromSeconds(30));

        await Scenario.NothingSentAsync(rig);
        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.Equal([ReasonCodes.NoReadyStandby], suppressed.Reasons);
        Assert.Contains("dc2's finalizer key could not be checked", suppressed.Decision.Gates.Single(g => g.Reason == ReasonCodes.NoReadyStandby).Detail, StringComparison.Ordinal);
        Assert.Equal(FinalizerKeyStatus.Unknown, suppressed.Evidence.DataCenters.Single(d => d.Name == "dc2").FinalizerKeyOnChain);

        rig.RewriteAnswers(null);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        var requested = await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Equal(["eosio::regproducer", "eosio::actfinkey"], requested.Actions);
        Assert.Equal(rig.Simulator.Roster.FindNode(Scenario.Dc2)!.FinalizerKey, rig.Simulator.View().Contract.ActiveFinalizerKey(ServiceRig.Ours));
    }

    /// <summary>
    /// <c>failover audit verify</c> on the rig's log: every decision re-runs through the policy on its recorded evidence
    /// (finalizer keys as the tables showed them), and the failover decider re-derives every process event, the
    /// request's transaction included.
    /// </summary>
    private static async Task AuditVerifiesAsync(ServiceRig rig, int decisions)
    {
        var report = await Audit.Verification.Verifier.VerifyAsync(rig.Store);

        Assert.True(report.Holds, string.Join("\n", report.Problems));
        Assert.Equal(decisions, report.DecisionsRederived);
        Assert.Equal(report.Decisions, report.EvidenceRebuilt);
        Assert.Equal((await rig.ProcessEventsAsync()).Count, report.ProcessEventsRederived);
    }

    /// <summary>An operator's actfinkey alone, signed with the failover permission, pushed to api1; its transaction id.</summary>
    private static string ActivateFinalizerKeyByHand(ServiceRig rig, string key)
    {
        var state = rig.Simulator.View();
        var permission = new PermissionLevel(ServiceRig.Ours, Roster.FailoverPermission);
        var transaction = Transaction.Create(
            state.LastIrreversibleBlock.Id,
            DateTimeOffset.FromUnixTimeSeconds(state.Head.Timestamp.ToUnixTimeSeconds()).AddMinutes(1),
            [SystemActions.ToAction(new ActFinKey(ServiceRig.Ours, key), permission)]);
        var signer = rig.Simulator.Roster.Accounts.Single(a => a.Account == ServiceRig.Ours).Permissions[Roster.FailoverPermission];
        rig.Simulator.Push(TransactionSigner.Sign(transaction, rig.Simulator.ChainId, [signer]));
        return transaction.Id.ToString();
    }
}
