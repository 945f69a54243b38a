using System.Net;
using Failover.Service.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Failover.Api.Tests;

/// <summary>/health/ready: the store answers, the observer is within its lag budget, the projections are caught up.</summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private ApiRig _rig = null!;
    private FailoverApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _rig = await ApiRig.StartAsync(TimeSpan.FromMinutes(1), seed: "ready");
        _factory = new FailoverApiFactory(_rig);
        _client = _factory.CreateClient();
        await _rig.RunForAsync(TimeSpan.FromSeconds(8));
        await _factory.Services.GetRequiredService<FailoverMetrics>().WaitForPositionAsync(await _rig.Store.ReadHeadPositionAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        await _factory.CaughtUpAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Ready_while_the_observer_samples_then_503_naming_the_observer_when_it_falls_silent()
    {
        var ready = await _client.GetJsonAsync("/health/ready");
        Assert.Equal("healthy", (string?)ready["status"]);
        Assert.Empty(ready["failing"]!.AsArray());
        Assert.Equal(["observer", "projections", "store"], ready["checks"]!.AsObject().Select(c => c.Key).Order());

        // The observer records nothing for longer than its budget (3 sample intervals and 4 polls: 20 s).
        _rig.Clock.Advance(TimeSpan.FromSeconds(25));

        var stale = await _client.GetJsonAsync("/health/ready", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unhealthy", (string?)stale["status"]);
        Assert.Equal(["observer"], stale["failing"]!.AsArray().Select(f => (string?)f));
        Assert.Contains("over its budget", (string?)stale["checks"]!["observer"]!["description"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);

        await _rig.StepAsync();
        await _factory.Services.GetRequiredService<FailoverMetrics>().WaitForPositionAsync(await _rig.Store.ReadHeadPositionAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("healthy", (string?)(await _client.GetJsonAsync("/health/ready"))["status"]);
    }

}
