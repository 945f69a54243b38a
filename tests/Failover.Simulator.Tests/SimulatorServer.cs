using Failover.Antelope.Chain;
using Failover.Simulator.Http;
using Microsoft.AspNetCore.Builder;

namespace Failover.Simulator.Tests;

/// <summary>The real Kestrel host on 127.0.0.1 with a free port, over a <see cref="TestChain"/> on a fake clock.</summary>
internal sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorServer(TestChain chain, WebApplication app)
    {
        Chain = chain;
        _app = app;
        BaseAddress = new Uri(app.Urls.Single());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public TestChain Chain { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public static async Task<SimulatorServer> StartAsync(TestChain chain)
    {
        var app = SimulatorHost.Build(chain.Simulator, ["http://127.0.0.1:0"], produceInBackground: false);
        await app.StartAsync();
        return new SimulatorServer(chain, app);
    }

    public ChainApiClient Client(string? apiNode = null, TimeSpan? timeout = null) => new(Http, new ChainApiOptions
    {
        BaseAddress = apiNode is null ? BaseAddress : new Uri(BaseAddress, $"/node/{apiNode}/"),
        ReadRetries = 0,
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
    });

    public async Task<(int Status, string Body)> PostAsync(string path, string? body = null)
    {
        using var content = body is null ? null : new StringContent(body);
        using var response = await Http.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
