using Failover.Antelope.Chain;
using Failover.Simulator.Http;

namespace Failover.Simulator.Tests;

/// <summary>Each producer node's own chain API, <c>/node/{producer}/{dc}/v1/chain/*</c>: up, it answers from its side; down, it refuses.</summary>
public sealed class ProducerNodeApiTests
{
    [Fact]
    public async Task Over_HTTP_a_producer_node_answers_while_up_and_its_connection_is_refused_while_down()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(30);
        await using var server = await SimulatorServer.StartAsync(chain);
        var dc1 = NodeClient(server, "failover.bp/dc1");

        var info = await dc1.GetInfoAsync();
        Assert.Equal(31u, info.HeadBlockNum);
        Assert.Equal(chain.Simulator.View("api1").Head.Id.ToString(), info.HeadBlockId);
        Assert.Equal(chain.State.ChainId.ToString(), info.ChainId);
        Assert.Equal(21, (await NodeClient(server, "prod.a/dc1").GetProducerRowsAsync()).Rows.Count);

        Assert.Equal(200, (await server.PostAsync("/sim/nodes/failover.bp/dc1/down")).Status);
        var refused = await Assert.ThrowsAsync<ChainApiConnectionException>(() => dc1.GetInfoAsync());
        Assert.Null(refused.HttpStatus);
        await Assert.ThrowsAsync<HttpRequestException>(() => server.Http.PostAsync("/node/failover.bp/dc1/v1/chain/get_info", null));
        Assert.Equal(31u, (await NodeClient(server, "failover.bp/dc2").GetInfoAsync()).HeadBlockNum);

        Assert.Equal(200, (await server.PostAsync("/sim/nodes/failover.bp/dc1/up")).Status);
        Assert.Equal(31u, (await dc1.GetInfoAsync()).HeadBlockNum);

        var (status, body) = await server.PostAsync("/node/nobody.bp/dc1/v1/chain/get_info");
        Assert.Equal(404, status);
        Assert.Contains("Unknown Endpoint", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_process_a_down_producer_node_throws_as_a_refused_connection_does()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(20);
        var dc2 = InProcessClient(chain, "failover.bp/dc2");
        Assert.Equal(21u, (await dc2.GetInfoAsync()).HeadBlockNum);

        chain.Simulator.SetNodeDown("failover.bp/dc2", down: true);

        var refused = await Assert.ThrowsAsync<ChainApiConnectionException>(() => dc2.GetInfoAsync());
        Assert.IsType<HttpRequestException>(refused.InnerException);
        Assert.Equal(HttpRequestError.ConnectionError, ((HttpRequestException)refused.InnerException).HttpRequestError);
        await Assert.ThrowsAsync<ChainApiConnectionException>(() => dc2.PushTransactionAsync(chain.RegisterOurKey("dc2")));
        Assert.Empty(chain.State.PendingTransactions);
        Assert.Equal(21u, (await InProcessClient(chain, "failover.bp/dc1").GetInfoAsync()).HeadBlockNum);
        Assert.Throws<InvalidOperationException>(() => chain.Simulator.View("failover.bp/dc2"));

        chain.Simulator.SetNodeDown("failover.bp/dc2", down: false);
        Assert.Equal(21u, (await dc2.GetInfoAsync()).HeadBlockNum);
    }

    [Fact]
    public async Task In_a_partition_each_producer_node_serves_the_fork_of_its_side_and_a_push_to_it_lands_there()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(20);
        var producers = chain.Roster.Producers.Select(p => p.ToString()).ToList();
        Assert.Equal("failover.bp", producers[0]);
        chain.Simulator.Partition([[.. producers.Skip(6), "api1"], [.. producers.Skip(1).Take(5), "failover.bp/dc2", "api2"]]);
        chain.AdvanceSlots(12);
        var dc1 = InProcessClient(chain, "failover.bp/dc1");
        var dc2 = InProcessClient(chain, "failover.bp/dc2");

        var pushed = await dc2.PushTransactionAsync(chain.RegisterOurKey("dc2", apiNode: "api2", expiresIn: TimeSpan.FromMinutes(30)));
        chain.AdvanceSlots(252);

        var major = chain.Simulator.View("api1");
        var minor = chain.Simulator.View("api2");
        Assert.NotEqual(major.Head.Id, minor.Head.Id);
        Assert.Equal(major.Head.Id.ToString(), (await dc1.GetInfoAsync()).HeadBlockId);
        Assert.Equal(minor.Head.Id.ToString(), (await dc2.GetInfoAsync()).HeadBlockId);
        Assert.Contains(minor.Blocks, b => b.Transactions.Any(t => t.Id.ToString() == pushed.TransactionId));
        Assert.DoesNotContain(major.Blocks, b => b.Transactions.Any(t => t.Id.ToString() == pushed.TransactionId));
        Assert.Equal(
            chain.Node("failover.bp/dc2").SigningKey.PublicKey.ToLegacyString(),
            (await dc2.GetProducerRowsAsync()).Rows.Single(r => r.Owner == "failover.bp").ProducerKey);
        Assert.Equal(
            chain.Node("failover.bp/dc1").SigningKey.PublicKey.ToLegacyString(),
            (await dc1.GetProducerRowsAsync()).Rows.Single(r => r.Owner == "failover.bp").ProducerKey);

        chain.Simulator.Heal();
        Assert.Equal((await dc1.GetInfoAsync()).HeadBlockId, (await dc2.GetInfoAsync()).HeadBlockId);
    }

    private static ChainApiClient NodeClient(SimulatorServer server, string node) => new(server.Http, new ChainApiOptions
    {
        BaseAddress = new Uri(server.BaseAddress, $"/node/{node}/"),
        ReadRetries = 0,
        Timeout = TimeSpan.FromSeconds(10),
    });

    private static ChainApiClient InProcessClient(TestChain chain, string node) => new(
        new HttpClient(new InProcessChainHandler(chain.Simulator, chain.Time)),
        new ChainApiOptions { BaseAddress = new Uri($"http://simulator/node/{node}/"), ReadRetries = 0, Timeout = TimeSpan.FromSeconds(2), TimeProvider = chain.Time });
}
