using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>
/// Issue 16.4: legacy chains have no votes. Optional early detection from the data centers' own nodes
/// (<c>DataCenters[].Endpoint</c>): the node of the data center in force shows no new head for <c>NodeSilence</c>, as a
/// majority of the observers sharing the store see it. Weaker evidence (an observer cut off from its data center sees
/// the same), so off by default and judged by the same gates — on legacy, a round of the others' windows after it.
/// </summary>
public sealed class NodeSilenceScenarioTests
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(18);

    private static RigOptions Legacy(int instances = 1) => new()
    {
        Consensus = ConsensusMode.Legacy,
        History = TimeSpan.FromMinutes(6),
        Instances = instances,
        Configure = s => s with
        {
            Policy = s.Policy with { NodeSilence = Silence },
            DataCenters = [.. s.DataCenters.Select(d => d with { Endpoint = new Uri($"http://simulator/node/failover.bp/{d.Name}") })],
        },
    };

    /// <summary>
    /// dc1 dies 121 s before our window: its node stops answering at once. On legacy the evidence after it is a round of
    /// the others' windows, complete just after our window — then the service decides on the silent node, a round earlier
    /// than the reactive rule, which judges a round of windows after our latest missed one.
    /// </summary>
    [Fact]
    public async Task On_a_legacy_chain_a_silent_primary_node_is_decided_a_round_after_it_fell_silent_a_round_before_the_reactive_rule()
    {
        await using var rig = await ServiceRig.StartAsync(Legacy());
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync(slotsBefore: 242);
        var outage = rig.Simulator.View().Head;
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(async () => (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Any(), TimeSpan.FromMinutes(4), "a decision");

        var triggered = (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single();
        var incident = triggered.Evidence.Incident!;
        Assert.Equal(IncidentKind.NodeSilent, incident.Kind);
        Assert.Equal(("dc1", 1, 1), (incident.DataCenter, incident.SilentObservers, incident.ReportingObservers));
        Assert.Equal($"node-silent-dc1-{incident.FirstMissedSlot}", triggered.IncidentId);
        Assert.InRange(incident.FirstMissedSlot, outage.Slot - 12, outage.Slot + 1);
        Assert.InRange((triggered.DecidedAt - outage.Timestamp).TotalSeconds, 126, 140);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(10), "failover completed");
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>
    /// Three observers share the store; one of them cannot reach dc1's node (its endpoint is wrong) while the other two
    /// can: one of three is no majority, so nothing is decided. When dc1 really dies all three see it: one rotation.
    /// </summary>
    [Fact]
    public async Task One_observer_of_three_cut_off_from_the_primary_node_is_no_majority_and_nothing_is_decided()
    {
        await using var rig = await ServiceRig.StartAsync(Legacy(instances: 3));
        rig.Reconfigure(s => s with { DataCenters = [s.DataCenters[0] with { Endpoint = new Uri("http://simulator/node/failover.bp/unreachable") }, s.DataCenters[1]] });
        await rig.StepAsync();

        await rig.RunForAsync(TimeSpan.FromSeconds(126 * 2));

        await Scenario.NothingSentAsync(rig);
        Assert.Empty(await rig.ProcessEventsAsync());
        var cutOff = (await rig.ObserverEventsAsync(0)).OfType<ParticipationSampled>().Last().DataCenterNodes.Single(n => n.DataCenter == "dc1");
        Assert.NotNull(cutOff.Error);

        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(async () => (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Any(), TimeSpan.FromMinutes(4), "a decision");

        var incident = (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single().Evidence.Incident!;
        Assert.Equal(IncidentKind.NodeSilent, incident.Kind);
        Assert.Equal((3, 3), (incident.SilentObservers!.Value, incident.ReportingObservers!.Value));
    }

    /// <summary>Off by default: the same outage with DC endpoints but no NodeSilence waits for our 12 missed blocks.</summary>
    [Fact]
    public async Task Without_node_silence_configured_the_data_center_nodes_open_no_incident()
    {
        await using var rig = await ServiceRig.StartAsync(Legacy() with
        {
            Configure = s => s with { DataCenters = [.. s.DataCenters.Select(d => d with { Endpoint = new Uri($"http://simulator/node/failover.bp/{d.Name}") })] },
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync(slotsBefore: 242);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunForAsync(TimeSpan.FromSeconds(115));

        Assert.Empty(await rig.ProcessEventsAsync());
    }
}
