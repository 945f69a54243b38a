using System.Net;
using Failover.Domain.Events;
using Failover.Service.Configuration;

namespace Failover.Api.Tests;

/// <summary>The control routes with a token configured: who may, what is recorded, what is refused; and the alert it raises.</summary>
public sealed class ControlApiTests : IAsyncLifetime
{
    private const string Token = "control-token-0123456789";
    private ApiRig _rig = null!;
    private WebhookReceiver _receiver = null!;
    private FailoverApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _rig = await ApiRig.StartAsync(TimeSpan.FromMinutes(1), seed: "control");
        await _rig.RunForAsync(TimeSpan.FromSeconds(5));
        _receiver = await WebhookReceiver.StartAsync();
        _factory = new FailoverApiFactory(_rig, s => s with
        {
            Api = new ApiSettings(Token, null, false),
            Alerts = AlertSettings.None with { Webhooks = [new WebhookSettings("ops", _receiver.Url, AlertFormat.Json, null)] },
        });
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _receiver.DisposeAsync();
        await _rig.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0123456789")]
    public async Task A_missing_or_wrong_token_is_401_with_WWW_Authenticate_and_nothing_is_recorded(string? token)
    {
        var response = await _client.PostJsonAsync("/api/automation/pause", new { reason = "maintenance" }, token);

        await response.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(await _rig.ProcessEventsAsync());
    }

    /// <summary>issue 18.7: the token is checked before the body is read — a client without it learns nothing from its body.</summary>
    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"reason\": ")]
    public async Task Without_the_token_a_body_is_not_read_the_answer_is_401_whatever_it_holds(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/automation/pause") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    /// <summary>issue 18.7: every route refuses a body larger than the control routes ever need.</summary>
    [Theory]
    [InlineData("/api/automation/pause", true)]
    [InlineData("/api/status", false)]
    public async Task A_body_over_the_limit_is_413_on_every_route(string route, bool withToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(new byte[Service.Api.ApiGuard.MaxBodyBytes + 1]) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (withToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await _rig.ProcessEventsAsync());
    }

    [Fact]
    public async Task Pausing_with_the_token_records_who_and_why_refuses_a_second_pause_and_alerts_the_webhook()
    {
        var answer = await (await _client.PostJsonAsync("/api/automation/pause", new { reason = "dc2 maintenance", by = "alice" }, Token)).JsonAsync(HttpStatusCode.OK);

        Assert.True((bool)answer["recorded"]!);
        var position = (long)answer["position"]!;
        var recorded = await _client.GetJsonAsync($"/api/events?from={position}&limit=1");
        var e = recorded["events"]![0]!;
        Assert.Equal("automation-paused.v1", (string?)e["type"]);
        Assert.Equal("alice", (string?)e["payload"]!["by"]);
        Assert.Equal("dc2 maintenance", (string?)e["payload"]!["reason"]);
        var paused = Assert.IsType<AutomationPaused>(Assert.Single(await _rig.ProcessEventsAsync()));
        Assert.Equal("alice", paused.By);

        var again = await (await _client.PostJsonAsync("/api/automation/pause", new { reason = "again" }, Token)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("already paused", (string?)again["detail"], StringComparison.Ordinal);
        Assert.Single(await _rig.ProcessEventsAsync());

        await _factory.CaughtUpAsync();
        var status = await _client.GetJsonAsync("/api/status");
        Assert.Equal("paused", (string?)status["automation"]);

        var alert = await _receiver.NextAsync();
        Assert.Equal("paused", (string?)alert["kind"]);
        Assert.Equal(position, (long)alert["position"]!);
        Assert.Contains("alice", (string?)alert["text"], StringComparison.Ordinal);
        Assert.DoesNotContain(Token, alert.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_factory.Logs, line => line.Contains(Token, StringComparison.Ordinal) || line.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_reason_is_a_400_validation_problem_naming_reason()
    {
        var problem = await (await _client.PostJsonAsync("/api/automation/resume", new { reason = " " }, Token)).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]!["reason"]);
        Assert.Empty(await _rig.ProcessEventsAsync());
    }

    [Fact]
    public async Task A_manual_failover_to_an_unknown_data_center_is_a_400_validation_problem_naming_data_center()
    {
        var problem = await (await _client.PostJsonAsync("/api/failovers", new { data_center = "dc9", reason = "move" }, Token)).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("dc9", problem["errors"]!["data_center"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await _rig.ProcessEventsAsync());
    }

    [Fact]
    public async Task A_manual_failover_with_the_token_is_recorded_for_the_service_to_decide()
    {
        var answer = await (await _client.PostJsonAsync("/api/failovers", new { data_center = "dc2", reason = "planned move" }, Token)).JsonAsync(HttpStatusCode.OK);

        Assert.True((bool)answer["recorded"]!);
        var request = Assert.IsType<ManualFailoverRequested>(Assert.Single(await _rig.ProcessEventsAsync()));
        Assert.Equal(("dc2", "planned move"), (request.DataCenter, request.Reason));
        Assert.StartsWith("api@", request.By, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Re_arming_what_is_not_latched_is_refused_with_409()
    {
        await (await _client.PostJsonAsync("/api/automation/rearm", new { reason = "after the cap" }, Token)).ProblemAsync(HttpStatusCode.Conflict);
    }
}
