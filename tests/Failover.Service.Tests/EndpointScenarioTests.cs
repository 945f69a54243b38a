using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Simulator.Network;

namespace Failover.Service.Tests;

/// <summary>
/// issue 7: an endpoint that answers garbage or errors is judged — EndpointDegraded with the reason, once, and
/// EndpointRecovered when it answers correctly again — while the observer follows the other endpoint. Never a crash.
/// </summary>
public sealed class EndpointScenarioTests
{
    [Theory]
    [InlineData("api2", "malformed")]
    [InlineData("api1", "http-error")]
    public async Task A_failing_endpoint_is_degraded_with_its_reason_the_observer_follows_the_other_and_it_recovers_when_it_answers_again(string node, string reason)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.RunForAsync(TimeSpan.FromSeconds(5));
        var name = node == "api1" ? ServiceRig.Api1 : $"http://simulator/node/{node}";
        var headBefore = rig.Observer.Chain.Head!.Number;

        rig.Simulator.SetApiFaults(node, reason == "malformed" ? new ApiFaults(Malformed: true) : new ApiFaults(ErrorStatus: 500));
        await rig.RunForAsync(TimeSpan.FromSeconds(20));
        var degraded = Assert.Single((await rig.ObserverEventsAsync()).OfType<EndpointDegraded>());
        Assert.Equal((name, reason), (degraded.Endpoint, degraded.Reason));
        Assert.NotEmpty(degraded.Detail);
        Assert.Equal(rig.Simulator.View().Head.Number, rig.Observer.Chain.Head!.Number);
        Assert.True(rig.Observer.Chain.Head.Number >= headBefore + 40, "the observer kept following the other endpoint");
        var sample = rig.Observer.View.LatestSample!;
        Assert.False(sample.Endpoints.Single(e => e.Endpoint == name).Healthy);

        rig.Simulator.SetApiFaults(node, ApiFaults.None);
        await rig.RunForAsync(TimeSpan.FromSeconds(10));
        var observer = await rig.ObserverEventsAsync();
        var recovered = Assert.Single(observer.OfType<EndpointRecovered>());
        Assert.Equal(name, recovered.Endpoint);
        Assert.Equal(2, observer.Count(e => e is EndpointDegraded or EndpointRecovered));
        Assert.True(rig.Observer.View.LatestSample!.Endpoints.All(e => e.Healthy && e.Agrees));
        await Scenario.ChainStreamHoldsEachBlockOnceAsync(rig);
    }

    /// <summary>
    /// A consequence of the majority rule worth knowing: with two endpoints, one failing endpoint leaves one of two
    /// agreeing — not a majority — so a rotation waits until it recovers. Configure three to ride out one failure.
    /// </summary>
    [Fact]
    public async Task With_two_endpoints_one_failing_endpoint_holds_the_rotation_back_until_it_answers_again()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetApiFaults("api2", new ApiFaults(ErrorStatus: 503));
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunForAsync(TimeSpan.FromSeconds(30));
        await Scenario.NothingSentAsync(rig);
        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.Equal([ReasonCodes.EndpointsDisagree], suppressed.Reasons);
        Assert.Equal((2, 1), (suppressed.Evidence.Chain.EndpointsConfigured, suppressed.Evidence.Chain.EndpointsAgreeing));

        rig.Simulator.SetApiFaults("api2", ApiFaults.None);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(4), "failover completed once api2 answers");
        Assert.Equal(["failover-suppressed.v1", .. Scenario.OneRotation], await rig.ProcessTypesAsync());
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
    }
}
