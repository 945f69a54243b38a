using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>
/// Issue 16.7: at its first sample the process manager rehearses a rotation on a copy of its state, so the decision's
/// code is compiled before an incident needs it — and leaves no trace: nothing recorded, nothing sent.
/// </summary>
public sealed class RehearsalTests
{
    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public async Task At_the_first_sample_the_manager_rehearses_a_rotation_to_the_signature_and_records_and_sends_nothing(ConsensusMode consensus)
    {
        await using var rig = await ServiceRig.StartAsync(consensus);
        Assert.Null(rig.Manager.Rehearsal);

        await rig.RunForAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("signed", rig.Manager.Rehearsal);
        Assert.Equal(0, rig.Manager.Process.EventCount);
        Assert.Empty(await rig.ProcessEventsAsync());
        Assert.Empty(rig.Pushes);
    }
}
