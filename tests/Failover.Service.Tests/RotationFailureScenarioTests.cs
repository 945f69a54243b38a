using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;
using Failover.Service.Hosting;
using Failover.Service.Storage;
using Failover.Simulator;
using Failover.Simulator.Network;
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
    /// read would wipe the producer's URL and location (it was built with <c>""</c> and 0). Nothing is triggered until the
    /// row is read (a suppression is still recorded); then the rotation keeps both.
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

        // Suppressions are still recorded (the policy needs no row to say no); a trigger is not.
        Assert.All(await rig.ProcessTypesAsync(), type => Assert.Equal("failover-suppressed.v1", type));
        Assert.Empty(rig.RecordedPushes);
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.StartsWith("The producers table could not be read from any agreeing endpoint: no rotation is built", StringComparison.Ordinal));

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
    /// Finding 1: a refusal for CPU proves the transaction was not applied and may pass. Every API node refuses its next
    /// two pushes with tx_cpu_usage_exceeded (the simulator's fault, as <c>failover simulate</c> takes it over HTTP): the
    /// same bytes go to the next agreeing endpoint at once, then round after round, each attempt recorded, until one
    /// takes them — one transaction on chain, and the standby produces.
    /// </summary>
    [Fact]
    public async Task A_push_refused_for_CPU_is_sent_again_to_the_next_agreeing_endpoint_and_the_rotation_completes()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        foreach (var node in rig.Simulator.Options.ApiNodes)
        {
            rig.Simulator.SetApiFaults(node, new ApiFaults(Routes: ["push_transaction", "send_transaction", "send_transaction2"], ErrorCode: 3080004, Count: 2));
        }

        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        var process = await rig.ProcessEventsAsync();
        var pushes = process.OfType<KeyRotationSubmitted>().ToList();
        Assert.Equal([.. Enumerable.Repeat(PushOutcomes.NotApplied, 4), PushOutcomes.Accepted], pushes.Select(p => p.Outcome));
        Assert.All(pushes.Take(4), p => Assert.Equal((3080004L, "tx_cpu_usage_exceeded"), (p.ErrorCode, p.ErrorName)));
        Assert.NotEqual(pushes[0].Endpoint, pushes[1].Endpoint);
        Assert.Empty(process.OfType<KeyRotationFailed>());
        Assert.Single(process.OfType<KeyRotationRequested>());
        Assert.True(pushes[^1].SubmittedAt - pushes[0].SubmittedAt < TimeSpan.FromSeconds(10), "the retries are seconds apart, not minutes");
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Empty(rig.Manager.Blockers);
    }

    /// <summary>
    /// Finding 10: whoever can append to the store must not get anything signed. A request naming dc2 and its key, but
    /// whose bytes move the producer to another key, appended as if by this service's own observer: it is decoded and
    /// rebuilt before signing, refused (key-rotation-failed, refused-to-sign), logged at Critical, readiness goes down,
    /// and nothing is pushed.
    /// </summary>
    [Fact]
    public async Task A_forged_request_appended_to_the_store_is_refused_and_nothing_is_signed()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        await rig.RunForAsync(TimeSpan.FromSeconds(5));
        var ours = rig.Simulator.View().Contract.Producers[ServiceRig.Ours];
        var attacker = PrivateKey.FromSecret(Enumerable.Repeat((byte)9, 32).ToArray()).PublicKey;
        var now = rig.Clock.GetUtcNow();
        var expiration = DateTimeOffset.FromUnixTimeSeconds(now.AddSeconds(90).ToUnixTimeSeconds());
        var forged = KeyRotation.ToNewKey(rig.Simulator.ChainId, rig.Simulator.View().Head.Id, expiration,
            new PermissionLevel(ServiceRig.Ours, rig.Settings.Signer.Permission), attacker, ours.Url, ours.Location, null).ToTransaction();
        var dc2 = Scenario.SigningKeyOf(rig, "dc2").ToString();
        var request = new KeyRotationRequested(ServiceRig.OursText, "forged-1", "rotation-forged", "dc2", dc2, null, rig.Settings.Signer.Permission.ToString(),
            rig.Simulator.ChainId.ToString(), forged.Id.ToString(), Convert.ToHexStringLower(forged.Pack()), expiration, ["eosio::regproducer"], now, ours.ProducerKey.ToString());
        await rig.Store.AppendToStreamAsync(ServiceRig.ProcessStream, ExpectedVersion.NoStream,
            [DomainEvents.ToEventData(Guid.NewGuid(), request, new EventMetadata(ObserverId: rig.Settings.ObserverId))]);

        await rig.RunForAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["key-rotation-requested.v1", "key-rotation-failed.v1"], await rig.ProcessTypesAsync());
        var failed = (await rig.ProcessEventsAsync()).OfType<KeyRotationFailed>().Single();
        Assert.Equal(RotationFailures.RefusedToSign, failed.Reason);
        Assert.Contains("not the rotation the service builds", failed.Detail, StringComparison.Ordinal);
        Assert.Empty(rig.RecordedPushes);
        Assert.Contains(rig.Instances[0].Log.Entries, e => e.Level == LogLevel.Critical && e.Message.StartsWith("REFUSED TO SIGN rotation rotation-forged", StringComparison.Ordinal));
        Assert.Contains(rig.Manager.Blockers, b => b.Contains("refused-to-sign", StringComparison.Ordinal));
        Assert.Equal(ours.ProducerKey, rig.Simulator.View().Contract.Producers[ServiceRig.Ours].ProducerKey);
    }

    /// <summary>
    /// Finding 3: "expired" is decided only on a positive reading. The push's answer is lost and nothing reached the
    /// chain; then no endpoint can read the producers table. Past the expiration and the LIB passing it, nothing is
    /// expired and no second transaction is built — until an agreeing endpoint that has applied the LIB shows the key
    /// the rotation replaces: then it expires, and one new transaction completes the failover.
    /// </summary>
    [Fact]
    public async Task While_the_producers_table_cannot_be_read_an_unanswered_rotation_is_not_expired_and_once_it_can_one_new_transaction_follows()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        var lost = 0;
        rig.InterceptPushes(_ =>
        {
            if (lost++ == 0)
            {
                foreach (var node in rig.Simulator.Options.ApiNodes)
                {
                    rig.Simulator.SetApiFaults(node, new ApiFaults(ErrorStatus: 503, Routes: ["get_table_rows"]));
                }
            }

            throw new HttpRequestException("Connection reset by peer", new IOException("connection reset"));
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => lost == 1, TimeSpan.FromMinutes(1), "the first push");

        await rig.RunForAsync(RotationFollowUp.TransactionLifetime + TimeSpan.FromMinutes(2));

        Assert.Equal(["failover-triggered.v1", "key-rotation-requested.v1", "key-rotation-submitted.v1"], await rig.ProcessTypesAsync());
        Assert.True(rig.Manager.Process.RotationInFlight);

        rig.InterceptPushes(null);
        foreach (var node in rig.Simulator.Options.ApiNodes)
        {
            rig.Simulator.SetApiFaults(node, ApiFaults.None);
        }

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");
        var process = await rig.ProcessEventsAsync();
        var requests = process.OfType<KeyRotationRequested>().ToList();
        var expired = process.OfType<KeyRotationFailed>().Single();
        Assert.Equal((RotationFailures.Expired, requests[0].TransactionId, requests[0].ReplacesKey), (expired.Reason, expired.TransactionId, expired.RegisteredKey));
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[1].TransactionId, Assert.Single(rig.TransactionsOnChain()).TransactionId);
    }

    /// <summary>
    /// Finding 6: the service restarts after the observer recorded the schedule change that activates the target (the
    /// replay folds it without acting). The rotation is brought up to what the log shows at go-live, so it is no longer
    /// "in flight": the target never produces, and the operator's switch back is accepted.
    /// </summary>
    [Fact]
    public async Task After_a_restart_a_schedule_change_already_in_the_log_activates_the_rotation_and_an_operator_can_switch_again()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => rig.Manager.Process.Phase is Phase.Rotated, TimeSpan.FromMinutes(2), "the producers table shows dc2");
        rig.Simulator.SetNodeDown(Scenario.Dc2, true);
        rig.Kill(0);
        rig.RunChainAlone(TimeSpan.FromMinutes(1));

        await rig.RestartAsync();
        await rig.SettleAsync();

        Assert.IsType<Phase.Activated>(rig.Manager.Process.Phase);
        Assert.Contains("signing-key-activated.v1", await rig.ProcessTypesAsync());
        var decision = await rig.OperatorAsync(at => new FailoverCommand.RequestManualFailover("dc1", "alice", "dc2 never produced", at));
        Assert.Null(decision.Refusal);
    }

    /// <summary>
    /// Finding 7: another store (or an operator) rotates the producer to another key after this service recorded its
    /// request and before it pushed. The producers table shows neither the key the request replaces nor its target: the
    /// rotation is superseded, nothing is pushed, and an operator is called.
    /// </summary>
    [Fact]
    public async Task A_request_whose_replaced_key_is_no_longer_registered_is_superseded_and_not_pushed()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        var someoneElse = PrivateKey.FromSecret(Enumerable.Repeat((byte)7, 32).ToArray()).PublicKey;
        rig.InterceptPushes(_ => throw new SimulatedCrash("after KeyRotationRequested was appended, before the push"));
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilCrashAsync(TimeSpan.FromMinutes(1));
        rig.InterceptPushes(null);
        var row = rig.Simulator.View().Contract.Producers[ServiceRig.Ours];
        var elsewhere = KeyRotation.ToNewKey(rig.Simulator.ChainId, rig.Simulator.View().Head.Id, DateTimeOffset.FromUnixTimeSeconds(rig.Clock.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds()),
            new PermissionLevel(ServiceRig.Ours, Name.Parse("active")), someoneElse, row.Url, row.Location, null);
        rig.Simulator.Push(elsewhere.Sign([rig.Simulator.Roster.Accounts.Single(a => a.Account == ServiceRig.Ours).Permissions[Name.Parse("active")]]));
        rig.RunChainAlone(TimeSpan.FromSeconds(2));

        await rig.RestartAsync();
        await rig.RunForAsync(TimeSpan.FromSeconds(40));

        var failed = (await rig.ProcessEventsAsync()).OfType<KeyRotationFailed>().Single();
        Assert.Equal((RotationFailures.Superseded, someoneElse), (failed.Reason, PublicKey.Parse(failed.RegisteredKey!)));
        Assert.Empty(rig.RecordedPushes);
        Assert.Equal(someoneElse, rig.Simulator.View().Contract.Producers[ServiceRig.Ours].ProducerKey);
        Assert.Contains(rig.Manager.Blockers, b => b.Contains("superseded", StringComparison.Ordinal));
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
