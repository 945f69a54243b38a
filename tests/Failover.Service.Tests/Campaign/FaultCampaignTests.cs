using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Service.Storage;
using Failover.Simulator;
using Xunit.Abstractions;

namespace Failover.Service.Tests.Campaign;

/// <summary>
/// Issue 17.1, the sample CI runs: fixed seeds of the fault campaign (<see cref="FaultCampaign"/>), half Savanna, half
/// legacy, each a schedule of 15 minutes of faults then the liveness tail. A failing seed prints its schedule and the
/// invariants it broke; it replays alone (<c>--filter "FullyQualifiedName~FaultCampaignTests"</c> and its seed, or
/// <c>tests/Failover.FaultCampaign -- SEED</c>). The long form is in docs/testing.md.
/// </summary>
public sealed class FaultCampaignTests(ITestOutputHelper output)
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(15);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task No_invariant_is_broken_under_a_random_fault_schedule(int seed)
    {
        var outcome = await FaultCampaign.RunAsync(FaultSchedule.Draw(seed, Length));

        output.WriteLine(outcome.Schedule.ToString());
        Assert.True(outcome.Passed, outcome.ToString());
    }

    /// <summary>
    /// The checks can fail: two automatic requests written into the log while dc1 produces healthily — what a broken
    /// policy would record — are reported as a rotation while our producer produced, and as two in flight.
    /// </summary>
    [Fact]
    public async Task The_campaign_reports_a_rotation_requested_while_our_data_center_produces_and_a_second_one_in_flight()
    {
        var forged = 0;
        var outcome = await FaultCampaign.RunAsync(new FaultSchedule(0, ConsensusMode.Savanna, TimeSpan.FromMinutes(3), []), async (rig, elapsed) =>
        {
            if (elapsed >= TimeSpan.FromMinutes(2) && forged < 2)
            {
                forged++;
                await ForgeRequestAsync(rig, $"missed-{forged}");
            }
        });

        Assert.Contains(outcome.Violations, v => v.Contains("failover.bp/dc1, in force, was producing on the endpoints' chain", StringComparison.Ordinal));
        Assert.Contains(outcome.Violations, v => v.Contains("requested while rotation-forged-1 was in flight", StringComparison.Ordinal));
    }

    private static async Task ForgeRequestAsync(ServiceRig rig, string incident)
    {
        var version = (await rig.ProcessEventsAsync()).Count;
        var now = rig.Clock.GetUtcNow();
        var request = new KeyRotationRequested(
            ServiceRig.OursText, incident, "rotation-forged-" + incident[^1], "dc2", Scenario.SigningKeyOf(rig, "dc2").ToString(), null, "failover",
            rig.Simulator.ChainId.ToString(), new string('0', 64), "00", now.AddMinutes(1), ["eosio::regproducer"], now);
        await rig.Store.AppendToStreamAsync(
            ServiceRig.ProcessStream, version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(version - 1),
            [DomainEvents.ToEventData(Guid.NewGuid(), request, new EventMetadata(ObserverId: "forger"))]);
    }
}
