using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Service.Tests;

/// <summary>
/// design §2.3, no flapping. Our producing data center keeps failing: first dc1 (rotated to dc2), then dc2 with dc1
/// back up, then dc1 again — the primary flapping, seen as the DC holding the key in force going down each time (a DC
/// that fails while its key is not in force changes nothing on chain). Cooldown 3 min, at most 2 rotations a day.
/// </summary>
public sealed class FlappingScenarioTests
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_flapping_primary_is_rotated_at_most_once_per_cooldown_latches_after_the_cap_and_rotates_again_only_after_an_operator_rearms()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Configure = s => s with { Policy = s.Policy with { Cooldown = Cooldown, MaxRotationsPer24h = 2 } },
        });
        await rig.StepAsync();

        // 1. dc1 fails: rotation 1, to dc2.
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => Scenario.Completed(rig, 1), TimeSpan.FromMinutes(4), "rotation 1 completed");
        var firstCompleted = rig.Manager.Process.LastCompletedAt!.Value;

        // 2. dc1 comes back, dc2 fails at once: an incident within the cooldown, suppressed, then decided when it ends.
        rig.Simulator.SetNodeDown(Scenario.Dc1, false);
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc2, true);
        await rig.RunUntilAsync(() => Scenario.Completed(rig, 2), TimeSpan.FromMinutes(8), "rotation 2 completed");
        var process = await rig.ProcessEventsAsync();
        var triggers = process.OfType<FailoverTriggered>().ToList();
        Assert.Equal(["dc2", "dc1"], triggers.Select(t => t.TargetDataCenter));
        var cooling = process.OfType<FailoverSuppressed>().Single(s => s.IncidentId == triggers[1].IncidentId);
        Assert.Equal([ReasonCodes.Cooldown], cooling.Reasons);
        Assert.True(cooling.DecidedAt - firstCompleted < Cooldown);
        Assert.InRange(triggers[1].DecidedAt - firstCompleted, Cooldown, Cooldown + TimeSpan.FromSeconds(2));
        Assert.True(rig.Manager.Process.Latched, "the second rotation in 24 h reached the cap");
        var latch = Assert.Single(process.OfType<AutomationLatched>());
        Assert.Equal((triggers[1].IncidentId, 2, 2, triggers[1].DecidedAt), (latch.IncidentId, latch.Rotations, latch.Cap, latch.At));
        var secondCompleted = rig.Manager.Process.LastCompletedAt!.Value;

        // 3. dc2 is back, dc1 fails again: latched — not even after the cooldown is over.
        rig.Simulator.SetNodeDown(Scenario.Dc2, false);
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => rig.Clock.GetUtcNow() - secondCompleted > Cooldown + TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), "the cooldown over");
        process = await rig.ProcessEventsAsync();
        Assert.Equal(2, process.OfType<FailoverTriggered>().Count());
        var latched = process.OfType<FailoverSuppressed>().Where(s => s.IncidentId != triggers[0].IncidentId && s.IncidentId != triggers[1].IncidentId).ToList();
        Assert.NotEmpty(latched);
        Assert.All(latched, s => Assert.Contains(ReasonCodes.CapReached, s.Reasons));
        Assert.Single(latched.Select(s => s.IncidentId).Distinct());
        Assert.Equal(2, rig.RecordedPushes.Count);

        // 4. An operator re-arms (as `failover automation rearm` would): the open incident is decided at once.
        var rearmed = await rig.OperatorAsync(at => new FailoverCommand.Rearm("operator", "dc1 investigated", at));
        Assert.IsType<AutomationRearmed>(Assert.Single(rearmed.Events));
        await rig.SettleAsync();
        Assert.Equal(3, (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Count());
        await rig.RunUntilAsync(() => Scenario.Completed(rig, 3), TimeSpan.FromMinutes(4), "rotation 3 completed");

        process = await rig.ProcessEventsAsync();
        Assert.Equal(["dc2", "dc1", "dc2"], process.OfType<FailoverCompleted>().Select(c => c.DataCenter));
        Assert.Equal(latched[0].IncidentId, process.OfType<FailoverTriggered>().Last().IncidentId);
        var requested = process.OfType<KeyRotationRequested>().Select(r => r.TransactionId).ToList();
        Assert.Equal(requested, rig.RecordedPushes.Select(p => p.TransactionId));
        Assert.Equal(requested, rig.TransactionsOnChain().Select(t => t.TransactionId));
        Assert.Empty(process.OfType<KeyRotationFailed>());
    }
}
