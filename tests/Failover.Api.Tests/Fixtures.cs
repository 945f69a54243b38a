using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Failover.Api.Tests;

/// <summary>
/// A store seeded with a whole failover (5 minutes of chain, then our first data center down before our window, the
/// decision, the rotation and dc2 producing) and the application serving it with its default settings (no token).
/// Shared, read-only: tests that append use their own rig.
/// </summary>
public sealed class OutageFixture : IAsyncLifetime
{
    public ApiRig Rig { get; private set; } = null!;

    public FailoverApiFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Rig = await ApiRig.StartAsync(TimeSpan.FromMinutes(5));
        await Rig.RunForAsync(TimeSpan.FromSeconds(30));
        await Rig.RunOutageUntilFailoverCompletedAsync();
        await Rig.RunForAsync(TimeSpan.FromSeconds(10));
        Factory = new FailoverApiFactory(Rig);
        await Factory.CaughtUpAsync();
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Rig.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SeededFailover : ICollectionFixture<OutageFixture>
{
    public const string Name = "a seeded failover";
}

internal static class Http
{
    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK) =>
        await (await client.GetAsync(new Uri(path, UriKind.Relative))).JsonAsync(expected);

    /// <summary>A problem-details answer: its content type, status and (for a bad parameter) the parameter it names.</summary>
    public static async Task<JsonNode> ProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync(expected);
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body, options: new JsonSerializerOptions(JsonSerializerDefaults.Web)) };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client.SendAsync(request);
    }
}
