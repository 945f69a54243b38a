using System.Net;
using System.Net.Http.Headers;
using Failover.Service.Configuration;

namespace Failover.Api.Tests;

/// <summary>Failover:Api:ProtectReads puts the read routes behind the token; health, metrics and the dashboard's files stay open.</summary>
public sealed class ProtectReadsTests : IAsyncLifetime
{
    private const string Token = "reads-token-0123456789";
    private ApiRig _rig = null!;
    private FailoverApiFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _rig = await ApiRig.StartAsync(TimeSpan.FromMinutes(1), seed: "reads");
        await _rig.RunForAsync(TimeSpan.FromSeconds(2));
        _factory = new FailoverApiFactory(_rig, s => s with { Api = new ApiSettings(Token, null, ProtectReads: true) });
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _rig.DisposeAsync();
    }

    [Theory]
    [InlineData("/api/status")]
    [InlineData("/api/rounds")]
    [InlineData("/api/events")]
    [InlineData("/api/failovers")]
    [InlineData("/api/stream")]
    public async Task Reads_need_the_token(string path)
    {
        var client = _factory.CreateClient();
        var refused = await client.GetAsync(new Uri(path, UriKind.Relative));
        await refused.ProblemAsync(HttpStatusCode.Unauthorized);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var allowed = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/metrics")]
    [InlineData("/")]
    public async Task Health_metrics_and_the_dashboard_files_stay_open(string path)
    {
        Assert.Equal(HttpStatusCode.OK, (await _factory.CreateClient().GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
    }
}
