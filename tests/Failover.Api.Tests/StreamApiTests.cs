using System.Globalization;
using System.Net;
using Failover.Service.Configuration;

namespace Failover.Api.Tests;

/// <summary>/api/stream: new events as they are appended (id = position, event = type) with a status after process events; resumable.</summary>
public sealed class StreamApiTests : IAsyncLifetime
{
    private const string Token = "stream-token-0123456789";
    private ApiRig _rig = null!;
    private FailoverApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _rig = await ApiRig.StartAsync(TimeSpan.FromMinutes(1), seed: "stream");
        await _rig.RunForAsync(TimeSpan.FromSeconds(3));
        _factory = new FailoverApiFactory(_rig, s => s with { Api = new ApiSettings(Token, null, false) });
        _client = _factory.CreateClient();
        await _factory.CaughtUpAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task New_events_arrive_with_their_position_as_id_and_a_status_follows_a_process_event()
    {
        var head = await _rig.Store.ReadHeadPositionAsync();
        using var stream = await OpenAsync(lastEventId: null);
        var opening = await stream.NextAsync();
        Assert.Equal(("status", head.ToString(CultureInfo.InvariantCulture)), (opening.Event, opening.Id));
        Assert.Equal("armed", (string?)opening.Json["automation"]);

        var position = await ControlAsync("pause");
        var items = await stream.UntilAsync(i => i.Event == "status");

        var paused = Assert.Single(items, i => i.Event == "automation-paused.v1");
        Assert.Equal(position.ToString(CultureInfo.InvariantCulture), paused.Id);
        Assert.Equal(position, (long)paused.Json["position"]!);
        Assert.Equal("failover-" + ApiRig.Ours, (string?)paused.Json["stream"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)paused.Json["hash"]);
        var status = items[^1];
        Assert.Equal(paused.Id, status.Id);
        Assert.Equal(ApiRig.Ours, (string?)status.Json["producer"]);
        Assert.All(items, i => Assert.True(long.Parse(i.Id!, CultureInfo.InvariantCulture) <= position));
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_skips_nothing_and_repeats_nothing()
    {
        long last;
        using (var first = await OpenAsync(lastEventId: null))
        {
            Assert.Equal("status", (await first.NextAsync()).Event);
            last = await ControlAsync("pause");
            await first.UntilAsync(i => i.Event == "status" && i.Id == last.ToString(CultureInfo.InvariantCulture));
        }

        // Appended while no client listens.
        var resumed = await ControlAsync("resume");
        var pausedAgain = await ControlAsync("pause");

        using var second = await OpenAsync(last.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(("status", last.ToString(CultureInfo.InvariantCulture)), (await second.NextAsync() is var o ? (o.Event, o.Id) : default));
        var items = await second.UntilAsync(i => i.Event == "status" && i.Id == pausedAgain.ToString(CultureInfo.InvariantCulture));
        var events = items.Where(i => i.Event != "status").ToList();
        Assert.Equal(Enumerable.Range((int)last + 1, (int)(pausedAgain - last)).Select(p => p.ToString(CultureInfo.InvariantCulture)), events.Select(e => e.Id));
        Assert.Equal(["automation-resumed.v1", "automation-paused.v1"], events.Where(e => e.Event.StartsWith("automation", StringComparison.Ordinal)).Select(e => e.Event));
        Assert.Contains(events, e => e.Id == resumed.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_malformed_Last_Event_ID_is_a_400_problem_naming_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/stream", UriKind.Relative));
        request.Headers.Add("Last-Event-ID", "yesterday");

        var problem = await (await _client.SendAsync(request)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Last-Event-ID", (string?)problem["parameter"]);
    }

    private async Task<SseReader> OpenAsync(string? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/stream", UriKind.Relative));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(await response.Content.ReadAsStreamAsync());
    }

    private async Task<long> ControlAsync(string action) =>
        (long)(await (await _client.PostJsonAsync($"/api/automation/{action}", new { reason = "stream test" }, Token)).JsonAsync(HttpStatusCode.OK))["position"]!;
}
