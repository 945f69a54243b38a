using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>
/// Issue 16.3: a degraded primary lands a few blocks per window (bad latency, blocks forked out) and so never misses 12
/// in a row. With the service's default policy, <c>Policy:Degraded</c> (12 of our last 36 slots, over two windows or more, our
/// latest among them) it is an incident of its own, decided by the same gates.
/// </summary>
public sealed class DegradedScenarioTests
{
    private static RigOptions Degraded() => new() { ServiceDefaultPolicy = true };

    /// <summary>dc1 lands 4 of its 12 blocks a window: 8 missed in each, never 12 in a row; after two such windows, one rotation.</summary>
    [Fact]
    public async Task A_primary_that_lands_only_4_blocks_a_window_is_rotated_away_from_after_two_such_windows()
    {
        await using var rig = await ServiceRig.StartAsync(Degraded());
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        var degradedFrom = Scenario.WindowStart(rig.Simulator.View().Head.Slot + 2);
        rig.Simulator.SetNodeLossy(Scenario.Dc1, 4);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(6), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var triggered = (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single();
        var incident = triggered.Evidence.Incident!;
        Assert.Equal(IncidentKind.Degraded, incident.Kind);
        Assert.Equal($"degraded-{degradedFrom + 4}", triggered.IncidentId);
        // A window's empty slots are revealed together, by the next producer's first block: 8 + 8 of our last 36.
        Assert.Equal((16, 36), (incident.RecentMissed, incident.RecentSlots));
        Assert.Equal(8, incident.ConsecutiveMissed);
        var misses = await Scenario.OurMissesAsync(rig);
        Assert.All(misses, m => Assert.InRange(m.Slot % 12, 4u, 11u));
        Assert.True(triggered.Evidence.Chain.LastFullRound!.Rate > 0.8);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>dc1 loses the last 2 blocks of each window (6 of 36): below the rule, so nothing is decided over five rounds.</summary>
    [Fact]
    public async Task A_primary_that_loses_2_blocks_a_window_is_left_alone()
    {
        await using var rig = await ServiceRig.StartAsync(Degraded());
        await rig.StepAsync();
        rig.Simulator.SetNodeLossy(Scenario.Dc1, 10);

        await rig.RunForAsync(TimeSpan.FromSeconds(126 * 5));

        Assert.True((await Scenario.OurMissesAsync(rig)).Count >= 8);
        Assert.Empty(await rig.ProcessEventsAsync());
        await Scenario.NothingSentAsync(rig);
    }

    /// <summary>The same degraded primary with the rule off (a policy without Degraded): no incident, as before issue 16.</summary>
    [Fact]
    public async Task With_the_rule_off_a_degraded_primary_opens_no_incident()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        rig.Simulator.SetNodeLossy(Scenario.Dc1, 4);

        await rig.RunForAsync(TimeSpan.FromSeconds(126 * 3));

        Assert.True((await Scenario.OurMissesAsync(rig)).Count >= 16);
        Assert.Empty(await rig.ProcessEventsAsync());
    }
}
