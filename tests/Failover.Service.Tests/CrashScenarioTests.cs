using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Service.Storage;

namespace Failover.Service.Tests;

/// <summary>
/// design §2.2 across crashes: the service dies between recording a rotation and pushing it, or between pushing it
/// and recording the outcome, and starts again over the same store (a new observer and process manager, which
/// replay the log and reconcile with the chain). Exactly one rotation reaches the chain, by the recorded transaction.
/// </summary>
public sealed class CrashScenarioTests
{
    public enum Restart
    {
        /// <summary>At once: the same slot.</summary>
        AtOnce,

        /// <summary>Ten seconds later: what was pushed is in a block by then.</summary>
        TenSecondsLater,
    }

    [Theory]
    [InlineData(Restart.AtOnce)]
    [InlineData(Restart.TenSecondsLater)]
    public async Task Killed_after_recording_the_rotation_and_before_pushing_it_the_restarted_service_pushes_the_same_transaction_once(Restart restart)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        rig.InterceptPushes(_ => throw new SimulatedCrash("after KeyRotationRequested was appended, before the push"));
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilCrashAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(["failover-triggered.v1", "key-rotation-requested.v1"], await rig.ProcessTypesAsync());
        Assert.Empty(rig.RecordedPushes);
        Assert.Empty(rig.TransactionsOnChain());

        rig.InterceptPushes(null);
        if (restart == Restart.TenSecondsLater)
        {
            rig.RunChainAlone(TimeSpan.FromSeconds(10));
        }

        await rig.RestartAsync();
        await rig.SettleAsync();
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed after the restart");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var requested = await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Equal(requested.TransactionId, Assert.Single(rig.RecordedPushes).TransactionId);
        await NothingAppendedTwiceAsync(rig);
    }

    /// <summary>
    /// Down for longer than the transaction's lifetime (5 min): the recorded transaction can never apply, which the
    /// restarted service proves from the LIB's block time before anything else (KeyRotationFailed, expired), and the
    /// still-open incident is decided again with a new transaction — the only one that reaches the chain.
    /// </summary>
    [Fact]
    public async Task Killed_before_the_push_and_restarted_after_the_transaction_expired_the_service_records_the_expiry_and_sends_one_new_transaction()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        rig.InterceptPushes(_ => throw new SimulatedCrash("after KeyRotationRequested was appended, before the push"));
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilCrashAsync(TimeSpan.FromMinutes(1));
        var first = (await rig.ProcessEventsAsync()).OfType<KeyRotationRequested>().Single();

        rig.InterceptPushes(null);
        rig.RunChainAlone(first.Expiration - rig.Clock.GetUtcNow() + TimeSpan.FromSeconds(30));
        await rig.RestartAsync();
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed after the restart");

        Assert.Equal(
            ["failover-triggered.v1", "key-rotation-requested.v1", "key-rotation-failed.v1", .. Scenario.OneRotation],
            await rig.ProcessTypesAsync());
        var process = await rig.ProcessEventsAsync();
        var expired = process.OfType<KeyRotationFailed>().Single();
        Assert.Equal((RotationFailures.Expired, first.TransactionId), (expired.Reason, expired.TransactionId));
        var second = process.OfType<KeyRotationRequested>().Last();
        Assert.NotEqual(first.TransactionId, second.TransactionId);
        Assert.Equal(first.IncidentId, second.IncidentId);
        Assert.Equal(second.TransactionId, Assert.Single(rig.RecordedPushes).TransactionId);
        var included = Assert.Single(rig.TransactionsOnChain());
        Assert.Equal(second.TransactionId, included.TransactionId);
        await NothingAppendedTwiceAsync(rig);
    }

    /// <summary>
    /// The push reached the node, then the service died before appending KeyRotationSubmitted. Restarted at once, the
    /// chain does not show the rotation yet, so the very same bytes are pushed again — which the node answers as a
    /// duplicate; restarted later, the producers table shows the new key and nothing is pushed. One transaction applies.
    /// </summary>
    [Theory]
    [InlineData(Restart.AtOnce, 2)]
    [InlineData(Restart.TenSecondsLater, 1)]
    public async Task Killed_after_the_push_and_before_recording_it_the_restarted_service_never_applies_a_second_rotation(Restart restart, int pushesReachingTheNode)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        rig.InterceptPushes(async forward =>
        {
            using var answer = await forward();
            Assert.True(answer.IsSuccessStatusCode, "the node took the push");
            throw new SimulatedCrash("after the push, before KeyRotationSubmitted was appended");
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilCrashAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(["failover-triggered.v1", "key-rotation-requested.v1"], await rig.ProcessTypesAsync());
        Assert.Single(rig.RecordedPushes);

        rig.InterceptPushes(null);
        if (restart == Restart.TenSecondsLater)
        {
            rig.RunChainAlone(TimeSpan.FromSeconds(10));
            Assert.Single(rig.TransactionsOnChain());
        }

        await rig.RestartAsync();
        await rig.SettleAsync();
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed after the restart");

        var types = await rig.ProcessTypesAsync();
        Assert.Equal(pushesReachingTheNode, rig.RecordedPushes.Count);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        if (restart == Restart.AtOnce)
        {
            Assert.Equal(Scenario.OneRotation, types);
            Assert.Equal(PushOutcomes.Duplicate, (await rig.ProcessEventsAsync()).OfType<KeyRotationSubmitted>().Single().Outcome);
        }
        else
        {
            // Reconciled from the producers table: no submission to record, the key is simply there.
            Assert.Equal(Scenario.OneRotation.Where(t => t != "key-rotation-submitted.v1"), types);
        }

        await NothingAppendedTwiceAsync(rig);
    }

    /// <summary>
    /// issue 7: restarting the service again and again while it observes, decides and follows a rotation appends
    /// nothing twice — each block once in the chain stream, every stream's versions dense, one rotation.
    /// </summary>
    [Fact]
    public async Task Restarted_every_few_seconds_through_a_failover_the_service_appends_nothing_twice()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        var restarts = 0;
        for (var step = 0; !Scenario.Completed(rig); step++)
        {
            Assert.True(step < 600, "failover completed within 5 minutes");
            await rig.StepAsync();
            if (step % 7 == 3)
            {
                await rig.RestartAsync();
                restarts++;
            }
        }

        Assert.True(restarts > 10);
        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        Assert.Single(rig.RecordedPushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        await NothingAppendedTwiceAsync(rig);
    }

    private static async Task NothingAppendedTwiceAsync(ServiceRig rig)
    {
        await Scenario.ChainStreamHoldsEachBlockOnceAsync(rig);
        Scenario.IsDense(await rig.RecordsAsync(ServiceRig.ProcessStream));
        Scenario.IsDense(await rig.RecordsAsync(Streams.Observer(rig.Settings.ObserverId)));
        var samples = (await rig.ObserverEventsAsync()).OfType<ParticipationSampled>().Select(s => s.ObservedAt).ToList();
        Assert.Equal(samples.Count, samples.Distinct().Count());
    }
}
