using System.Net;
using Failover.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace Failover.Api.Tests;

/// <summary>issue 18.7: <c>AllowedHosts</c> is enforced when configured, and no answer may be sniffed as another type.</summary>
public sealed class HostAndHeaderTests : IAsyncLifetime
{
    private ApiRig _rig = null!;

    public async Task InitializeAsync() => _rig = await ApiRig.StartAsync(TimeSpan.Zero, seed: "hosts");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task With_allowed_hosts_configured_another_host_header_is_400_and_an_allowed_one_is_served()
    {
        await using var app = await StartAsync(new Dictionary<string, string?> { ["AllowedHosts"] = "failover.example;localhost" });
        using var client = app.GetTestClient();

        using var other = new HttpRequestMessage(HttpMethod.Get, "/health/live") { Headers = { Host = "attacker.example" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(other)).StatusCode);
        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/health/live") { Headers = { Host = "failover.example" } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(allowed)).StatusCode);
    }

    [Fact]
    public async Task Without_allowed_hosts_any_host_is_served()
    {
        await using var app = await StartAsync([]);
        using var client = app.GetTestClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live") { Headers = { Host = "anything.example" } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("/api/status")]
    [InlineData("/health/live")]
    [InlineData("/api/rounds?limit=0")]
    [InlineData("/")]
    public async Task Every_answer_says_nosniff(string route)
    {
        await using var app = await StartAsync([]);
        using var client = app.GetTestClient();

        using var response = await client.GetAsync(new Uri(route, UriKind.Relative));

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    private async Task<WebApplication> StartAsync(Dictionary<string, string?> configuration)
    {
        var app = FailoverApplication.Build(_rig.Settings, _rig.Store, new FailoverHostOptions
        {
            Time = _rig.Clock,
            ChainHandler = _rig.Handler,
            RunObserverAndProcessManager = false,
            ConfigureWebHost = web => web.UseTestServer(),
            ConfigureLogging = _ => { },
            Configuration = new ConfigurationBuilder().AddInMemoryCollection(configuration).Build(),
        });
        await app.StartAsync();
        return app;
    }
}
