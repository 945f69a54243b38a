using Failover.Domain.Events;
using Failover.Service.Process;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Tests;

/// <summary>
/// design §2.2 with several observers: two service instances (observers obs-1 and obs-2, each with its process
/// manager) share one PostgreSQL store, stepping in turns over the same simulated chain. Both see our missed window
/// at the same slot and both decide; the process stream's expected version is the fence: one appends the decision,
/// the other's append is refused and it follows the winner's events.
/// </summary>
public sealed class TwoInstanceScenarioTests
{
    [Fact]
    public async Task Two_instances_on_one_postgres_store_send_exactly_one_transaction_and_the_loser_records_nothing_contradictory()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { Instances = 2, PostgresSchema = PostgresServer.NewSchema("svc_two") });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => rig.Instances.All(i => Scenario.Completed(i.Manager)), TimeSpan.FromMinutes(5), "failover completed for both instances");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        Assert.Single(rig.RecordedPushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);

        // Both decided on the same evidence; the fence refused the loser's decision, which was never recorded.
        var records = await rig.RecordsAsync(ServiceRig.ProcessStream);
        Scenario.IsDense(records);
        var winner = records[0].Metadata.ObserverId!;
        Assert.Equal(winner, records[1].Metadata.ObserverId);
        Assert.Equal(winner, records[2].Metadata.ObserverId); // the submission: only the instance that recorded the request pushed it
        var loser = rig.Instances.Single(i => i.Settings.ObserverId != winner);
        Assert.Contains(loser.Log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Another instance recorded first (Evaluate)", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Instances.Single(i => i.Settings.ObserverId == winner).Log.Entries, e => e.Message.Contains("(Evaluate)", StringComparison.Ordinal));

        // Both folded the same process; the chain stream, written by both observers, holds each block once.
        var (a, b) = (rig.Instances[0].Manager.Process, rig.Instances[1].Manager.Process);
        Assert.Equal((a.EventCount, a.Phase, a.HandledIncident, a.LastCompletedAt, a.RotationsRequested), (b.EventCount, b.Phase, b.HandledIncident, b.LastCompletedAt, b.RotationsRequested));
        Assert.Equal(a.AutomaticRotations, b.AutomaticRotations);
        await Scenario.ChainStreamHoldsEachBlockOnceAsync(rig);
        var chainWriters = (await rig.RecordsAsync(rig.ChainStream)).Select(r => r.Metadata.ObserverId).Distinct().ToHashSet();
        Assert.Equal(new HashSet<string?> { "obs-1", "obs-2" }, chainWriters);
        foreach (var instance in rig.Instances)
        {
            Assert.Equal(instance.Settings.ObserverId, Assert.IsType<ParticipationSampled>((await rig.ObserverEventsAsync(rig.Instances.ToList().IndexOf(instance)))[^1]).ObserverId);
        }
    }

    /// <summary>
    /// The instance that recorded the rotation dies before pushing it. The other, sharing the store, sees a request
    /// without its push; after <see cref="Domain.Process.RotationFollowUp.TakeoverAfter"/> it checks the chain (not rotated, not expired)
    /// and pushes the very same transaction — one rotation applies.
    /// </summary>
    [Fact]
    public async Task When_the_instance_that_recorded_the_rotation_dies_before_pushing_the_other_takes_over_the_same_transaction()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { Instances = 2, PostgresSchema = PostgresServer.NewSchema("svc_takeover") });
        var crashed = false;
        rig.InterceptPushes(async forward =>
        {
            if (!crashed)
            {
                crashed = true;
                throw new SimulatedCrash("after KeyRotationRequested was appended, before the push");
            }

            return await forward();
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilCrashAsync(TimeSpan.FromMinutes(1));
        var records = await rig.RecordsAsync(ServiceRig.ProcessStream);
        var dead = rig.Instances.ToList().FindIndex(i => i.Settings.ObserverId == records[1].Metadata.ObserverId);
        rig.Kill(dead);
        var requested = (await rig.ProcessEventsAsync()).OfType<KeyRotationRequested>().Single();
        Assert.Empty(rig.RecordedPushes);

        await rig.RunUntilAsync(() => rig.RecordedPushes.Count == 1, Domain.Process.RotationFollowUp.TakeoverAfter + TimeSpan.FromSeconds(10), "the takeover");
        Assert.InRange(rig.RecordedPushes[0].At - requested.RequestedAt, Domain.Process.RotationFollowUp.TakeoverAfter, Domain.Process.RotationFollowUp.TakeoverAfter + TimeSpan.FromSeconds(1));
        var survivor = rig.Instances[1 - dead];
        await rig.RunUntilAsync(() => Scenario.Completed(survivor.Manager), TimeSpan.FromMinutes(5), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        Assert.Equal(requested.TransactionId, Assert.Single(rig.RecordedPushes).TransactionId);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        records = await rig.RecordsAsync(ServiceRig.ProcessStream);
        Assert.Equal(survivor.Settings.ObserverId, records[2].Metadata.ObserverId);
    }

    /// <summary>
    /// design §2.2 without a shared store: two instances, each with a SQLite store of its own, know nothing of each
    /// other's decisions. Both decide on the same evidence — and, the target choice and the transaction being a
    /// function of that evidence (target by priority, TaPoS on the LIB, expiration from the head), build the very same
    /// transaction: the chain applies it once, the second push is a duplicate or finds the key already registered.
    /// </summary>
    [Theory]
    [InlineData(Simulator.ConsensusMode.Savanna)]
    [InlineData(Simulator.ConsensusMode.Legacy)]
    public async Task Two_instances_with_separate_stores_build_the_same_transaction_and_the_chain_applies_it_once(Simulator.ConsensusMode mode)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Consensus = mode, Instances = 2, SeparateStores = true, History = TimeSpan.FromMinutes(mode == Simulator.ConsensusMode.Legacy ? 6 : 5),
        });
        Assert.NotSame(rig.Instances[0].Store, rig.Instances[1].Store);
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => rig.Instances.All(i => Scenario.Completed(i.Manager)), TimeSpan.FromMinutes(mode == Simulator.ConsensusMode.Legacy ? 12 : 5), "failover completed for both instances");

        var requests = new List<KeyRotationRequested>();
        for (var i = 0; i < 2; i++)
        {
            var process = await rig.ProcessEventsAsync(i);
            requests.Add(process.OfType<KeyRotationRequested>().Single());
            Assert.Empty(process.OfType<KeyRotationFailed>());
            Assert.Single(process.OfType<FailoverCompleted>());
        }

        Assert.Equal(requests[0].PackedTransaction, requests[1].PackedTransaction);
        Assert.All(rig.RecordedPushes, p => Assert.Equal(requests[0].TransactionId, p.TransactionId));
        Assert.Equal(requests[0].TransactionId, Assert.Single(rig.TransactionsOnChain()).TransactionId);
    }
}
