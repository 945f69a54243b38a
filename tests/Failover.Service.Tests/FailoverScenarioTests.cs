using Failover.Domain.Events;
using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>Scenarios of design §2 on the simulator in virtual time: the events appended and the transactions the chain received.</summary>
public sealed class FailoverScenarioTests
{
    [Fact]
    public async Task When_the_primary_data_center_dies_before_our_window_exactly_one_rotation_is_pushed_and_dc2_produces_after_12_lost_blocks()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        await rig.RunForAsync(TimeSpan.FromMinutes(5));
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown("failover.bp/dc1", true);

        await rig.RunUntilAsync(async () => (await rig.ProcessEventsAsync()).OfType<FailoverCompleted>().Any(), TimeSpan.FromMinutes(5), "failover completed");

        var process = await rig.ProcessEventsAsync();
        Assert.Equal(
            ["failover-triggered.v1", "key-rotation-requested.v1", "key-rotation-submitted.v1", "key-rotated.v1", "signing-key-activated.v1", "failover-completed.v1"],
            process.Select(e => EventCatalogue.Of(e.GetType()).Name));
        Assert.Single(rig.Pushes);
        var completed = process.OfType<FailoverCompleted>().Single();
        Assert.Equal("dc2", completed.DataCenter);
        var chain = await rig.ChainEventsAsync();
        var lost = chain.OfType<BlockMissed>().Count(m => m.ScheduledProducer == "failover.bp");
        Assert.Equal(12, lost);
    }
}
