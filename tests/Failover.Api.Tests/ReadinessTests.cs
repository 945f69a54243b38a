using System.Net;
using Failover.Service.Metrics;
using Failover.Simulator.Network;
using Microsoft.Extensions.DependencyInjection;

namespace Failover.Api.Tests;

/// <summary>/health/ready: the store answers, the observer is within its lag budget, a majority of endpoints agree, the projections are caught up.</summary>
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
        Assert.Equal(["endpoints", "observer", "projections", "store"], ready["checks"]!.AsObject().Select(c => c.Key).Order());

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

    /// <summary>
    /// issue 13: with two endpoints, one that fails leaves one of two agreeing — no failover could pass the endpoints
    /// gate — and readiness says so, naming the endpoint and its reason; it is ready again once the endpoint answers.
    /// </summary>
    [Fact]
    public async Task Not_ready_naming_the_endpoint_while_fewer_than_a_majority_of_endpoints_agree()
    {
        _rig.Simulator.SetApiFaults("api2", new ApiFaults(ErrorStatus: 503));
        await _rig.RunForAsync(TimeSpan.FromSeconds(7));
        await _factory.Services.GetRequiredService<FailoverMetrics>().WaitForPositionAsync(await _rig.Store.ReadHeadPositionAsync()).WaitAsync(TimeSpan.FromSeconds(30));

        var report = await _client.GetJsonAsync("/health/ready", HttpStatusCode.ServiceUnavailable);
        Assert.Equal(["endpoints"], report["failing"]!.AsArray().Select(f => (string?)f));
        var description = (string?)report["checks"]!["endpoints"]!["description"];
        Assert.Contains("fewer than a majority of the 2 configured endpoints", description, StringComparison.Ordinal);
        Assert.Contains("http://simulator/node/api2 (http-error since", description, StringComparison.Ordinal);
        Assert.DoesNotContain("http://simulator (", description, StringComparison.Ordinal);

        _rig.Simulator.SetApiFaults("api2", ApiFaults.None);
        await _rig.RunForAsync(TimeSpan.FromSeconds(7));
        await _factory.Services.GetRequiredService<FailoverMetrics>().WaitForPositionAsync(await _rig.Store.ReadHeadPositionAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        var ready = await _client.GetJsonAsync("/health/ready");
        Assert.Equal("2 of 2 endpoints agree with the recorded chain", (string?)ready["checks"]!["endpoints"]!["description"]);
    }
}
