using System.Text.RegularExpressions;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Simulator;
using Failover.Simulator.Network;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Tests;

/// <summary>
/// issue 7: an endpoint that answers garbage or errors is judged — EndpointDegraded with the reason, once, and
/// EndpointRecovered when it answers correctly again — while the observer follows the other endpoint. Never a crash.
/// </summary>
public sealed partial class EndpointScenarioTests
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
        var sample = rig.Observer.State.LatestSample!;
        Assert.False(sample.Endpoints.Single(e => e.Endpoint == name).Healthy);

        rig.Simulator.SetApiFaults(node, ApiFaults.None);
        await rig.RunForAsync(TimeSpan.FromSeconds(10));
        var observer = await rig.ObserverEventsAsync();
        var recovered = Assert.Single(observer.OfType<EndpointRecovered>());
        Assert.Equal(name, recovered.Endpoint);
        Assert.Equal(2, observer.Count(e => e is EndpointDegraded or EndpointRecovered));
        Assert.True(rig.Observer.State.LatestSample!.Endpoints.All(e => e.Healthy && e.Agrees));
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

        var below = Assert.Single(rig.Instances[0].Log.Entries, e => e.Message.StartsWith("Fewer than a majority", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, below.Level);
        Assert.Contains("http://simulator/node/api2 (http-error since", below.Message, StringComparison.Ordinal);

        rig.Simulator.SetApiFaults("api2", ApiFaults.None);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(4), "failover completed once api2 answers");
        Assert.Equal(["failover-suppressed.v1", .. Scenario.OneRotation], await rig.ProcessTypesAsync());
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Message == "A majority of the 2 endpoints agree with the recorded chain again.");
    }

    private const string Api2 = "http://simulator/node/api2";

    /// <summary>
    /// issue 13: api1 fails for a few blocks while api2 serves blocks credited to the wrong producer — the only branch
    /// left to follow cannot be recorded, so api2 is judged inconsistent. Both then answer truly again. api2 is compared
    /// with the recorded chain at the next sample and recovers; with two endpoints, a failover needs both, and it happens.
    /// (Before: an inconsistent endpoint was tried last, never again once api1 followed, and stayed inconsistent for
    /// good — the outage below was suppressed as endpoints-disagree.)
    /// </summary>
    [Fact]
    public async Task An_endpoint_inconsistent_for_a_few_blocks_is_checked_again_recovers_and_the_failover_still_happens()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.RunForAsync(TimeSpan.FromSeconds(5));
        rig.Simulator.SetApiFaults("api1", new ApiFaults(ErrorStatus: 503));
        rig.RewriteAnswers((url, body) => url.AbsolutePath.StartsWith("/node/api2/v1/chain/get_block", StringComparison.Ordinal)
            ? ProducerField().Replace(body, "\"producer\":\"eosio\"")
            : body);
        await rig.RunForAsync(TimeSpan.FromSeconds(3));
        var degraded = (await rig.ObserverEventsAsync()).OfType<EndpointDegraded>().Where(d => d.Endpoint == Api2).ToList();
        Assert.Equal([EndpointReasons.Inconsistent], degraded.Select(d => d.Reason));

        rig.Simulator.SetApiFaults("api1", ApiFaults.None);
        rig.RewriteAnswers(null);
        await rig.RunForAsync(TimeSpan.FromSeconds(8));
        Assert.Contains((await rig.ObserverEventsAsync()).OfType<EndpointRecovered>(), r => r.Endpoint == Api2);
        Assert.All(rig.Observer.State.LatestSample!.Endpoints, e => Assert.True(e.Healthy && e.Agrees, $"{e.Endpoint} counts toward the endpoints gate"));

        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");
        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        await Scenario.ChainStreamHoldsEachBlockOnceAsync(rig);
    }

    /// <summary>
    /// issue 13, the start-up race of the demo: the service's first poll came while the chain's head was still its
    /// genesis block, produced by eosio in a slot the schedule gives to another producer, so every endpoint was judged
    /// inconsistent. Block 1 is not a scheduled block: the record starts after it and no endpoint is degraded.
    /// </summary>
    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public async Task A_service_started_at_the_chain_s_genesis_records_from_block_2_and_judges_no_endpoint_inconsistent(ConsensusMode mode)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { Consensus = mode, History = TimeSpan.Zero });
        Assert.Equal(1u, rig.Simulator.View().Head.Number);
        await rig.SettleAsync();
        await rig.RunForAsync(TimeSpan.FromSeconds(10));

        Assert.Empty((await rig.ObserverEventsAsync()).OfType<EndpointDegraded>());
        var first = (await rig.ChainEventsAsync()).OfType<BlockProduced>().First();
        Assert.Equal(2u, first.BlockNum);
        Assert.All(rig.Observer.State.LatestSample!.Endpoints, e => Assert.True(e.Healthy && e.Agrees));
    }

    [GeneratedRegex("\"producer\":\"[a-z1-5.]+\"")]
    private static partial Regex ProducerField();
}
