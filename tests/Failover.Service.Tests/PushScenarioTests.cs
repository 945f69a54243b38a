using System.Net;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Testing;

namespace Failover.Service.Tests;

/// <summary>
/// What happens to the one push of a rotation (design §2.2, §2.4): not sent at all (DryRun), refused by the node, or
/// sent with its answer lost. Never a blind second push.
/// </summary>
public sealed class PushScenarioTests
{
    [Fact]
    public async Task In_dry_run_the_decision_and_the_exact_transaction_are_recorded_and_nothing_is_sent()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { Configure = s => s with { DryRun = true } });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => rig.Manager.Process.RotationsRequested == 1 && rig.Manager.Process.Phase is Phase.Idle, TimeSpan.FromMinutes(1), "the dry run recorded");
        await rig.RunForAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(["failover-triggered.v1", "key-rotation-requested.v1", "key-rotation-failed.v1"], await rig.ProcessTypesAsync());
        var process = await rig.ProcessEventsAsync();
        var requested = process.OfType<KeyRotationRequested>().Single();
        Assert.Equal("dc2", requested.TargetDataCenter);
        Assert.NotEmpty(requested.PackedTransaction);
        var failed = process.OfType<KeyRotationFailed>().Single();
        Assert.Equal((RotationFailures.DryRun, requested.TransactionId), (failed.Reason, failed.TransactionId));
        Assert.Empty(rig.RecordedPushes);
        Assert.Empty(rig.TransactionsOnChain());
        Assert.Equal(Scenario.SigningKeyOf(rig, "dc1"), rig.Simulator.View().ActiveSchedule.Find(ServiceRig.Ours)!.Authority.Keys.Single().Key);
    }

    /// <summary>
    /// The node refuses the push with nodeos's unsatisfied_authorization body (HTTP 500, code 3090003): recorded as
    /// KeyRotationFailed with that code, and never pushed again for the incident — an operator looks first — not after
    /// the 30 s another instance would wait to take over a request, nor after the transaction expired.
    /// </summary>
    [Fact]
    public async Task A_rejected_push_is_recorded_with_the_nodes_error_code_and_never_retried_blindly()
    {
        var fixture = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(
            RepositoryRoot.Path, "tests", "Failover.Antelope.Tests", "Fixtures", "error.push_transaction.unsatisfied_authorization_500.json")))!;
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        rig.InterceptPushes(_ => Task.FromResult(ServiceRig.NodeosError(HttpStatusCode.InternalServerError, fixture["response"]!.ToJsonString())));
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => rig.RecordedPushes.Count == 1, TimeSpan.FromMinutes(1), "the push");
        await rig.RunForAsync(ProcessManagerTransactionLifetime + TimeSpan.FromMinutes(1));

        Assert.Equal(["failover-triggered.v1", "key-rotation-requested.v1", "key-rotation-failed.v1"], await rig.ProcessTypesAsync());
        var failed = (await rig.ProcessEventsAsync()).OfType<KeyRotationFailed>().Single();
        Assert.Equal((RotationFailures.Rejected, 3090003L, "unsatisfied_authorization"), (failed.Reason, failed.ErrorCode, failed.ErrorName));
        Assert.Single(rig.RecordedPushes);
        Assert.Empty(rig.TransactionsOnChain());
        Assert.Equal(rig.Manager.Process.HandledIncident, (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single().IncidentId);

        // Refused for good: a Critical line, readiness down with the reason, the incident left to an operator …
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Critical && e.Message.StartsWith("AUTOMATIC FAILOVER NEEDS AN OPERATOR", StringComparison.Ordinal));
        Assert.Contains(rig.Manager.Blockers, b => b.Contains("unsatisfied_authorization", StringComparison.Ordinal));

        // … whose switch, once the cause is fixed, rotates and brings readiness back.
        rig.InterceptPushes(null);
        Assert.Null((await rig.OperatorAsync(at => new FailoverCommand.RequestManualFailover("dc2", "alice", "permission fixed", at))).Refusal);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "the operator's failover completed");
        Assert.Empty(rig.Manager.Blockers);
        Assert.Single(rig.TransactionsOnChain());
    }

    /// <summary>
    /// The push reaches the node, which takes it, and then the answer is lost (the connection drops, or the client
    /// gives up waiting): KeyRotationSubmitted with outcome unknown, then the chain says what happened — the producers
    /// table shows the key (KeyRotated), the schedule carries it, dc2 produces — all without a second push.
    /// </summary>
    [Theory]
    [InlineData("connection dropped")]
    [InlineData("timed out")]
    public async Task A_push_whose_answer_is_lost_is_recorded_as_unknown_and_reconciled_against_the_chain_without_a_second_push(string how)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        rig.InterceptPushes(async forward =>
        {
            using var answer = await forward();
            Assert.True(answer.IsSuccessStatusCode, "the node took the push");
            throw how == "timed out"
                ? new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException())
                : new HttpRequestException("Connection reset by peer", new IOException("connection reset"));
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var submitted = (await rig.ProcessEventsAsync()).OfType<KeyRotationSubmitted>().Single();
        Assert.Equal(PushOutcomes.Unknown, submitted.Outcome);
        Assert.Single(rig.RecordedPushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>
    /// Finding 4: the push's answer is lost without saying whether any node got it (the connection dropped before an
    /// answer). The chain applies a transaction id at most once, so the very same bytes go out again three seconds later
    /// — not after waiting out the five-minute expiry — and the rotation completes with one transaction.
    /// </summary>
    [Fact]
    public async Task A_push_whose_answer_is_lost_before_reaching_a_node_is_sent_again_three_seconds_later_and_the_rotation_completes()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        var lost = 0;
        rig.InterceptPushes(async forward =>
        {
            if (lost++ == 0)
            {
                throw new HttpRequestException("Connection reset by peer", new IOException("connection reset"));
            }

            return await forward();
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        Assert.Equal(["failover-triggered.v1", "key-rotation-requested.v1", "key-rotation-submitted.v1", "key-rotation-submitted.v1", .. Scenario.OneRotation[3..]], await rig.ProcessTypesAsync());
        var process = await rig.ProcessEventsAsync();
        var pushes = process.OfType<KeyRotationSubmitted>().ToList();
        Assert.Equal([PushOutcomes.Unknown, PushOutcomes.Accepted], pushes.Select(p => p.Outcome));
        Assert.InRange(pushes[1].SubmittedAt - pushes[0].SubmittedAt, RotationFollowUp.LostAnswerResendAfter, RotationFollowUp.LostAnswerResendAfter + ServiceRig.Step);
        var requested = Assert.Single(process.OfType<KeyRotationRequested>());
        Assert.Equal(requested.TransactionId, Assert.Single(rig.RecordedPushes).TransactionId);
        Assert.Equal(requested.TransactionId, Assert.Single(rig.TransactionsOnChain()).TransactionId);
    }

    private static TimeSpan ProcessManagerTransactionLifetime => Failover.Domain.Process.RotationFollowUp.TransactionLifetime;
}
