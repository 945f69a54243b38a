using Failover.Antelope.Chain;
using Failover.Simulator.Http;
using Failover.Simulator.Network;

namespace Failover.Simulator.Tests;

public sealed class InProcessHandlerTests
{
    private readonly TestChain _chain = new();

    public InProcessHandlerTests() => _chain.AdvanceSlots(20);

    private ChainApiClient Client(string baseAddress = "http://simulator/") => new(
        new HttpClient(new InProcessChainHandler(_chain.Simulator, _chain.Time)),
        new ChainApiOptions { BaseAddress = new Uri(baseAddress), ReadRetries = 0, Timeout = TimeSpan.FromSeconds(2), TimeProvider = _chain.Time });

    [Fact]
    public async Task Our_client_reads_and_pushes_through_the_in_process_handler_without_a_socket()
    {
        var client = Client();

        Assert.Equal(21u, (await client.GetInfoAsync()).HeadBlockNum);
        await client.PushTransactionAsync(_chain.RegisterOurKey("dc2"));
        _chain.AdvanceSlots(1);
        var rows = await Client("http://simulator/node/api2/").GetProducerRowsAsync();
        Assert.Equal(_chain.Node("failover.bp/dc2").SigningKey.PublicKey.ToLegacyString(), rows.Rows.Single(r => r.Owner == "failover.bp").ProducerKey);
    }

    [Fact]
    public async Task API_faults_apply_in_process_and_a_timeout_follows_the_fake_clock()
    {
        _chain.Simulator.SetApiFaults("api1", new ApiFaults(ErrorStatus: 503));
        Assert.Equal(503, (int?)(await Assert.ThrowsAsync<ChainApiException>(() => Client().GetInfoAsync())).HttpStatus);

        _chain.Simulator.SetApiFaults("api1", new ApiFaults(Timeout: true));
        var pending = Client().GetInfoAsync();
        Assert.False(pending.IsCompleted);
        _chain.Time.Advance(TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<ChainApiTimeoutException>(() => pending);

        _chain.Simulator.SetApiFaults("api1", ApiFaults.None);
        Assert.Equal(27u, (await Client().GetInfoAsync()).HeadBlockNum);
    }
}
