using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>
/// Issue 16: Savanna early detection. Our finalizer key is on dc1's producing node, so when dc1 dies its vote vanishes
/// from the quorum certificates within a block or two — long before our window — while the other finalizers keep
/// finality moving. The service rotates on that silence, judged by the same gates.
/// </summary>
public sealed class EarlyDetectionScenarioTests
{
    /// <summary>
    /// dc1 dies 80 s (160 slots) before our window: the silence is decided within seconds, and the new key is in force
    /// before our window comes round (the contract re-elects within 60 s and the proposer policy is active 13–24 slots
    /// later): dc2 produces our whole window and not one block of ours is lost.
    /// </summary>
    [Fact]
    public async Task When_dc1_dies_80_seconds_before_our_window_the_silence_of_its_finalizer_rotates_to_dc2_before_our_window_and_no_block_is_lost()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { ServiceDefaultPolicy = true });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync(slotsBefore: 160);
        var outage = rig.Simulator.View().Head;
        var window = Scenario.WindowStart(outage.Slot + 160);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(3), "failover completed");
        await rig.RunUntilAsync(() => rig.Observer.Chain.Head!.Slot >= window + 12, TimeSpan.FromMinutes(1), "the end of our window");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var triggered = (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single();
        var incident = triggered.Evidence.Incident!;
        Assert.Equal(IncidentKind.FinalizerSilent, incident.Kind);
        Assert.Equal($"finalizer-silent-{incident.RevealedByBlockNum}", triggered.IncidentId);
        Assert.InRange(incident.RevealedByBlockNum, outage.Number + 1, outage.Number + 2);
        Assert.True(incident.SilentCertificates >= 6, $"{incident.SilentCertificates} silent certificates");
        Assert.Equal(0, incident.ConsecutiveMissed);
        Assert.True(triggered.DecidedAt - outage.Timestamp < TimeSpan.FromSeconds(5), $"decided {(triggered.DecidedAt - outage.Timestamp).TotalSeconds} s after the outage");
        var gates = triggered.Decision.Gates.Single(g => g.Reason == ReasonCodes.LibStalled);
        Assert.Contains($"the block {incident.RevealedByBlockNum} whose certificate first lacked our finalizer's vote", gates.Detail);

        Assert.Empty(await Scenario.OurMissesAsync(rig));
        var ourBlocks = (await rig.ChainEventsAsync()).OfType<BlockProduced>().Where(b => b.Producer == ServiceRig.OursText && b.Slot >= window && b.Slot < window + 12).ToList();
        Assert.Equal(12, ourBlocks.Count);
        Assert.All(ourBlocks, b => Assert.Equal(Scenario.SigningKeyOf(rig, "dc2").ToString(), b.SigningKey));
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>
    /// dc1's node restarts within the silence threshold (10 s here, 6 s down): its finalizer votes again, the silence
    /// ends before any incident opened, and nothing is decided or sent.
    /// </summary>
    [Fact]
    public async Task When_our_finalizer_votes_again_before_the_silence_threshold_no_incident_opens_and_nothing_is_sent()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            ServiceDefaultPolicy = true,
            Configure = s => s with { Policy = s.Policy with { FinalizerSilence = TimeSpan.FromSeconds(10) } },
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync(slotsBefore: 160);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunForAsync(TimeSpan.FromSeconds(6));
        var silent = Domain.Chain.FinalizerSilence.Current(rig.Observer.Chain);
        Assert.NotNull(silent);
        Assert.True(silent.Certificates >= 8, $"{silent.Certificates} silent certificates while dc1 was down");

        rig.Simulator.SetNodeDown(Scenario.Dc1, false);
        await rig.RunForAsync(TimeSpan.FromSeconds(90));

        Assert.Null(Domain.Chain.FinalizerSilence.Current(rig.Observer.Chain));
        Assert.Empty(await rig.ProcessEventsAsync());
        await Scenario.NothingSentAsync(rig);
        Assert.Empty(await Scenario.OurMissesAsync(rig));
    }

    /// <summary>Early detection off (FinalizerSilence null): the same outage waits for 12 missed blocks, as before issue 16.</summary>
    [Fact]
    public async Task With_early_detection_off_the_same_outage_is_decided_on_12_missed_blocks()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync(slotsBefore: 160);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        var triggered = (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single();
        Assert.Equal(IncidentKind.MissedRun, triggered.Evidence.Incident!.Kind);
        Assert.Equal(12, (await Scenario.OurMissesAsync(rig)).Count);
    }
}
