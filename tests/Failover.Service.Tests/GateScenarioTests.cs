using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Service.Configuration;
using Failover.Simulator;
using Failover.Simulator.Network;

namespace Failover.Service.Tests;

/// <summary>
/// The gates of design §5, each met by the fault it exists for: dc1 dies before our window, and something else is
/// wrong with what the observer sees. Each suppression is recorded once per incident and reason, and nothing is sent.
/// </summary>
public sealed class GateScenarioTests
{
    /// <summary>
    /// Both of the observer's nodes freeze right after they showed the block that revealed our 12th miss: the head
    /// ages past MaxHeadAge (3 s) — an observer that sees nothing new must not act on what it saw last.
    /// </summary>
    [Fact]
    public async Task When_the_observers_nodes_stall_after_revealing_our_missed_window_the_rotation_is_suppressed_for_a_stale_head_and_nothing_is_pushed()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => rig.Observer.State.LatestSample?.OurConsecutiveMissed >= 12, TimeSpan.FromSeconds(20), "our 12th miss revealed");
        rig.Simulator.SetApiNodeStalled("api1", true);
        rig.Simulator.SetApiNodeStalled("api2", true);

        await rig.RunForAsync(TimeSpan.FromSeconds(40));

        await Scenario.NothingSentAsync(rig);
        var suppressions = await Scenario.SuppressionsAsync(rig);
        Assert.Equal([ReasonCodes.StaleHead], suppressions[0].Reasons);
        Assert.True(suppressions[0].Evidence.EvaluatedAt - suppressions[0].Evidence.Chain.HeadBlockTime > rig.Settings.Policy.MaxHeadAge);

        // A frozen node shows a frozen LIB as well: recorded as a second reason, once. Once their heads are older than
        // StaleAfter (15 s) both endpoints are stale, and a stale endpoint does not count toward the endpoints that
        // agree (issue 15, finding 5): 0 of 2, a third reason, once. Nothing else is recorded.
        Assert.Equal(
            [[ReasonCodes.StaleHead], [ReasonCodes.StaleHead, ReasonCodes.LibStalled], [ReasonCodes.StaleHead, ReasonCodes.LibStalled, ReasonCodes.EndpointsDisagree]],
            suppressions.Select(s => s.Reasons.ToList()));
        Assert.Equal((2, 0), (suppressions[2].Evidence.Chain.EndpointsConfigured, suppressions[2].Evidence.Chain.EndpointsAgreeing));
        Assert.Equal(suppressions.Count, (await rig.ProcessEventsAsync()).Count);
    }

    /// <summary>
    /// Savanna finality stalls (no quorum certificate forms, the head goes on): the revealing block never becomes final
    /// within MaxLibStall, so no rotation — until finality resumes, and then exactly one.
    /// </summary>
    /// <remarks>With early detection on (issue 16) the same: a stalled finality forms no certificate, so no silence is seen.</remarks>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task When_finality_stalls_the_rotation_is_suppressed_for_a_stalled_lib_and_happens_once_finality_resumes(bool earlyDetection)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { ServiceDefaultPolicy = earlyDetection });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetFinalityStalled(true);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunForAsync(TimeSpan.FromSeconds(40));

        await Scenario.NothingSentAsync(rig);
        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.Equal([ReasonCodes.LibStalled], suppressed.Reasons);
        Assert.True(suppressed.Evidence.Chain.LastIrreversibleBlockNum < suppressed.Evidence.Incident!.RevealedByBlockNum);
        Assert.True(suppressed.Evidence.Chain.SlidingWindow!.Rate > 0.8, "everything else looked healthy");

        rig.Simulator.SetFinalityStalled(false);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(4), "failover completed after finality resumed");
        Assert.Equal(["failover-suppressed.v1", .. Scenario.OneRotation], await rig.ProcessTypesAsync());
        Assert.Single(rig.Pushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>
    /// Three endpoints; a partition puts api2 and api3 (with three producers) on the other side. The observer follows
    /// api1, whose branch finalises and shows our missed window with healthy participation — but only one of its
    /// three endpoints agrees with that branch, not a majority: endpoints-disagree. Once healed, exactly one rotation.
    /// </summary>
    [Fact]
    public async Task When_most_of_the_observers_endpoints_are_on_another_fork_the_rotation_is_suppressed_as_endpoints_disagree()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { ApiNodes = ["api1", "api2", "api3"] });
        Assert.Equal(3, rig.Settings.Endpoints.Count);
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.Partition([["api1"], ["prod.r", "prod.s", "prod.t", "api2", "api3"]]);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunForAsync(TimeSpan.FromSeconds(40));

        await Scenario.NothingSentAsync(rig);
        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.Equal([ReasonCodes.EndpointsDisagree], suppressed.Reasons);
        Assert.Equal((3, 1), (suppressed.Evidence.Chain.EndpointsConfigured, suppressed.Evidence.Chain.EndpointsAgreeing));
        var degraded = (await rig.ObserverEventsAsync()).OfType<EndpointDegraded>().Where(d => d.Reason == "disagrees").Select(d => d.Endpoint).ToHashSet();
        Assert.Equal(new HashSet<string> { "http://simulator/node/api2", "http://simulator/node/api3" }, degraded);

        rig.Simulator.Heal();
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(4), "failover completed after the heal");
        Assert.Single(rig.Pushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>
    /// Issue 15, finding 5. Three endpoints: api3 halts half a minute before our window (its head stops, it goes on
    /// answering), then a partition puts api2 (with prod.r, prod.s, prod.t) on the other side. The observer follows
    /// api1. api3, compared at its own old head, agrees with api1's branch — and would with any branch that extends
    /// it: a stale endpoint shows nothing about which branch is the chain. It does not count: one of three endpoints
    /// agrees, endpoints-disagree, nothing is sent. Once healed and api3 runs again, exactly one rotation.
    /// </summary>
    [Fact]
    public async Task A_halted_endpoint_and_one_on_another_fork_do_not_make_a_majority_with_the_followed_one_and_the_rotation_is_suppressed_as_endpoints_disagree()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { ApiNodes = ["api1", "api2", "api3"] });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync(slotsBefore: 60);
        rig.Simulator.SetApiNodeStalled("api3", true);
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.Partition([["api1"], ["prod.r", "prod.s", "prod.t", "api2"]]);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunForAsync(TimeSpan.FromSeconds(40));

        await Scenario.NothingSentAsync(rig);
        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.Equal([ReasonCodes.EndpointsDisagree], suppressed.Reasons);
        Assert.Equal((3, 1), (suppressed.Evidence.Chain.EndpointsConfigured, suppressed.Evidence.Chain.EndpointsAgreeing));
        var sample = rig.Observer.State.LatestSample!;
        Assert.Equal(
            [(ServiceRig.Api1, true, true), ("http://simulator/node/api2", false, false), ("http://simulator/node/api3", false, true)],
            sample.Endpoints.Select(e => (e.Endpoint, e.Healthy, e.Agrees)));
        Assert.Equal(EndpointReasons.Stale, rig.Observer.State.Endpoints["http://simulator/node/api3"].Reason);

        rig.Simulator.Heal();
        rig.Simulator.SetApiNodeStalled("api3", false);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(4), "failover completed after the heal");
        Assert.Single(rig.Pushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>A single endpoint of three on another fork is outvoted: the majority agrees, and the rotation goes ahead.</summary>
    [Fact]
    public async Task When_one_endpoint_of_three_is_on_another_fork_the_majority_agrees_and_exactly_one_rotation_happens()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { ApiNodes = ["api1", "api2", "api3"] });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.Partition([["api1"], ["prod.r", "prod.s", "prod.t", "api3"]]);
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(4), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var triggered = (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single();
        Assert.Equal((3, 2), (triggered.Evidence.Chain.EndpointsConfigured, triggered.Evidence.Chain.EndpointsAgreeing));
        Assert.Single(rig.Pushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }

    /// <summary>
    /// "Standby down" needs a way to see the standby: dc2 is configured with its own endpoint (here the API node api3
    /// stands for dc2's node). dc2's producer node is down and its endpoint fails (answers 503) or is stalled (a head
    /// that does not move): no ready standby, nothing sent.
    /// </summary>
    [Theory]
    [InlineData("fails")]
    [InlineData("stalled")]
    public async Task When_the_standby_data_centers_own_node_is_down_the_rotation_is_suppressed_as_no_ready_standby(string how)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            ApiNodes = ["api1", "api2", "api3"],
            Configure = s => s with
            {
                Endpoints = [.. s.Endpoints.Take(2)],
                DataCenters = [s.DataCenters[0], s.DataCenters[1] with { Endpoint = new Uri("http://simulator/node/api3") }],
            },
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        rig.Simulator.SetNodeDown(Scenario.Dc2, true);
        if (how == "fails")
        {
            rig.Simulator.SetApiFaults("api3", new ApiFaults(ErrorStatus: 503));
        }
        else
        {
            rig.Simulator.SetApiNodeStalled("api3", true);
        }

        await rig.RunForAsync(TimeSpan.FromSeconds(40));

        await Scenario.NothingSentAsync(rig);
        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.Equal([ReasonCodes.NoReadyStandby], suppressed.Reasons);
        var dc2 = suppressed.Evidence.DataCenters.Single(d => d.Name == "dc2");
        Assert.True(dc2.HasNode);
        if (how == "fails")
        {
            Assert.NotNull(dc2.NodeError);
        }
        else
        {
            Assert.True(suppressed.Evidence.EvaluatedAt - dc2.NodeHeadTime > rig.Settings.Policy.MaxStandbyHeadAge);
        }
    }

    /// <summary>
    /// The limit of the policy, documented: a standby data center configured without an endpoint of its own cannot be
    /// seen, so "standby down" is unknowable — dc2's node is down, yet the policy finds it ready (its key is simply not
    /// the one in force) and rotates to it; the rotation applies on chain, and no block of dc2's ever follows. Give every
    /// standby an Endpoint to be protected from this.
    /// </summary>
    [Fact]
    public async Task Without_an_endpoint_for_the_standby_the_policy_cannot_know_it_is_down_and_rotates_to_it_anyway()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        Assert.All(rig.Settings.DataCenters, d => Assert.Null(d.Endpoint));
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        rig.Simulator.SetNodeDown(Scenario.Dc2, true);

        await rig.RunUntilAsync(() => rig.Manager.Process.Phase is Domain.Process.Phase.Activated, TimeSpan.FromMinutes(4), "dc2's key active");
        await rig.RunForAsync(TimeSpan.FromMinutes(2.2));

        Assert.Equal(Scenario.OneRotation[..^1], await rig.ProcessTypesAsync());
        var triggered = (await rig.ProcessEventsAsync()).OfType<FailoverTriggered>().Single();
        Assert.False(triggered.Evidence.DataCenters.Single(d => d.Name == "dc2").HasNode);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }
}
