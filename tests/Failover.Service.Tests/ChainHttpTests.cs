using Failover.Antelope.Chain;
using Failover.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Failover.Service.Tests;

/// <summary>Issue 17.3: the chain's HTTP client follows no redirect — an answer comes from the node configured.</summary>
public sealed class ChainHttpTests
{
    /// <summary>issue 18.7: an endpoint's credentials or API key never reach an event, a log line or a metric label.</summary>
    [Theory]
    [InlineData("https://user:secret@node.example/eos/?api_key=s3cret#frag", "https://node.example/eos")]
    [InlineData("http://node.example:8888/", "http://node.example:8888")]
    [InlineData("http://127.0.0.1:8888/node/api1", "http://127.0.0.1:8888/node/api1")]
    public void An_endpoint_is_named_without_user_info_query_or_fragment(string url, string name) =>
        Assert.Equal(name, Observation.ChainEndpoint.NameOf(new Uri(url)));

    [Fact]
    public async Task A_node_that_redirects_gets_its_redirect_refused_and_the_target_is_never_asked()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var node = builder.Build();
        var targetAsked = 0;
        node.MapPost("/v1/chain/get_info", () => Results.Redirect("/elsewhere/v1/chain/get_info", permanent: false, preserveMethod: true));
        node.MapPost("/elsewhere/v1/chain/get_info", () =>
        {
            Interlocked.Increment(ref targetAsked);
            return Results.Text(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Failover.Antelope.Tests", "Fixtures", "get_info.savanna_constructed.json")), "application/json");
        });
        await node.StartAsync();
        await using var rig = await ServiceRig.StartAsync();
        using var http = new HttpClient(ChainHttp.Handler(rig.Settings));
        var client = new ChainApiClient(http, new ChainApiOptions { BaseAddress = new Uri(node.Urls.First()), ReadRetries = 0 });

        var error = await Assert.ThrowsAnyAsync<ChainApiException>(() => client.GetInfoAsync());

        Assert.Equal(System.Net.HttpStatusCode.TemporaryRedirect, error.HttpStatus);
        Assert.Equal(0, targetAsked);
        await node.StopAsync();
    }
}
