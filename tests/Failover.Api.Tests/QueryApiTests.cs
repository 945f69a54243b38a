using System.Net;
using System.Text.Json.Nodes;

namespace Failover.Api.Tests;

/// <summary>The read routes over a store holding a real failover: what each answers, paging, and every bad parameter.</summary>
[Collection(SeededFailover.Name)]
public sealed class QueryApiTests(OutageFixture fixture)
{
    private readonly HttpClient _client = fixture.Factory.CreateClient();

    [Fact]
    public async Task Status_names_the_active_data_center_its_key_and_the_automation_after_the_failover()
    {
        var status = await _client.GetJsonAsync("/api/status");

        Assert.Equal(ApiRig.Ours, (string?)status["producer"]);
        Assert.Equal("dc2", (string?)status["active_data_center"]);
        var dc2 = fixture.Rig.Settings.DataCenters.Single(d => d.Name == "dc2").SigningKey.ToString();
        Assert.Equal([dc2], status["on_chain_keys"]!.AsArray().Select(k => (string?)k));
        Assert.Equal("armed", (string?)status["automation"]);
        Assert.True((bool)status["projections_caught_up"]!);
        Assert.True((uint)status["chain"]!["head_block_num"]! > 0);
        Assert.Equal("trigger", (string?)status["failover"]!["last_decision"]!["outcome"]);
        Assert.NotNull(status["failover"]!["last_completed_at"]);
    }

    [Fact]
    public async Task Rounds_come_newest_first_and_next_to_pages_to_older_ones_without_overlap()
    {
        var first = await _client.GetJsonAsync("/api/rounds?limit=3");
        var rounds = Starts(first);
        Assert.Equal(3, rounds.Count);
        Assert.Equal(rounds.OrderDescending(), rounds);
        var nextTo = (uint)first["next_to"]!;
        Assert.Equal(rounds[^1] - 1, nextTo);

        var second = await _client.GetJsonAsync($"/api/rounds?to={nextTo}&limit=3");
        var older = Starts(second);
        Assert.NotEmpty(older);
        Assert.All(older, r => Assert.True(r < rounds[^1]));
        Assert.Equal(older.OrderDescending(), older);

        var window = await _client.GetJsonAsync($"/api/rounds?from={older[^1]}&to={rounds[0]}&limit=200");
        Assert.Equal([.. rounds, .. older], Starts(window));
        Assert.Null(window["next_to"]);
    }

    [Fact]
    public async Task The_outage_round_shows_our_missed_slots()
    {
        var page = await _client.GetJsonAsync("/api/rounds?limit=20");
        var missed = page["rounds"]!.AsArray()
            .SelectMany(r => r!["producers"]!.AsArray())
            .Where(p => (string?)p!["producer"] == ApiRig.Ours)
            .Sum(p => (int)p!["missed"]!);
        Assert.Equal(12, missed);
    }

    [Theory]
    [InlineData("from=abc", "from")]
    [InlineData("from=-1", "from")]
    [InlineData("to=1.5", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("from=10&to=5", "from")]
    public async Task Bad_round_parameters_are_400_problems_naming_the_parameter(string query, string parameter)
    {
        var problem = await (await _client.GetAsync(new Uri($"/api/rounds?{query}", UriKind.Relative))).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(parameter, (string?)problem["parameter"]);
        Assert.Contains(parameter, (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_round_by_its_id_and_unknown_or_malformed_ids()
    {
        var newest = Starts(await _client.GetJsonAsync("/api/rounds?limit=1"))[0];

        var round = await _client.GetJsonAsync($"/api/rounds/{newest}");
        Assert.Equal(newest, (uint)round["round_start"]!);
        Assert.Equal(21, (int)round["scheduled_producers"]!);

        var unknown = await (await _client.GetAsync(new Uri($"/api/rounds/{newest + 1}", UriKind.Relative))).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("No round starts at slot", (string?)unknown["detail"], StringComparison.Ordinal);
        var malformed = await (await _client.GetAsync(new Uri("/api/rounds/last", UriKind.Relative))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("id", (string?)malformed["parameter"]);
    }

    [Fact]
    public async Task A_producers_health_and_bad_or_unknown_names()
    {
        var ours = await _client.GetJsonAsync($"/api/producers/{ApiRig.Ours}/health");
        Assert.Equal(12, (long)ours["missed"]!);
        Assert.True((long)ours["produced"]! > 0);
        Assert.NotEmpty(ours["recent_rounds"]!.AsArray());

        var bad = await (await _client.GetAsync(new Uri("/api/producers/Not_A_Name/health", UriKind.Relative))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("name", (string?)bad["parameter"]);
        await (await _client.GetAsync(new Uri("/api/producers/nobody/health", UriKind.Relative))).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Failovers_carry_the_decision_its_evidence_the_transaction_and_the_outcome()
    {
        var page = await _client.GetJsonAsync("/api/failovers");

        var failover = Assert.Single(page["failovers"]!.AsArray())!;
        Assert.Equal("completed", (string?)failover["outcome"]);
        var trigger = failover["trigger"]!;
        Assert.Equal("dc2", (string?)trigger["target_data_center"]);
        Assert.NotEmpty(trigger["decision"]!["gates"]!.AsArray());
        Assert.All(trigger["decision"]!["gates"]!.AsArray(), g => Assert.True((bool)g!["passed"]!, g!.ToJsonString()));
        Assert.Equal(12, (int)trigger["evidence"]!["incident"]!["consecutive_missed"]!);
        Assert.True((double)trigger["evidence"]!["chain"]!["last_full_round"]!["rate"]! > 0.8);
        var rotation = Assert.Single(failover["rotations"]!.AsArray())!;
        Assert.Matches("^[0-9a-f]{64}$", (string?)rotation["transaction_id"]);
        Assert.Equal("accepted", (string?)rotation["submit_outcome"]);
        Assert.Equal("completed", (string?)rotation["phase"]);
        Assert.NotNull(rotation["completed_block_num"]);
        Assert.Null(page["next_before"]);

        var bad = await (await _client.GetAsync(new Uri("/api/failovers?limit=x", UriKind.Relative))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("limit", (string?)bad["parameter"]);
    }

    [Fact]
    public async Task Events_page_from_a_position_each_with_position_type_stream_and_hash()
    {
        var page = await _client.GetJsonAsync("/api/events?from=3&limit=5");

        var events = page["events"]!.AsArray();
        Assert.Equal([3L, 4, 5, 6, 7], events.Select(e => (long)e!["position"]!));
        Assert.All(events, e =>
        {
            Assert.Matches(@"^[a-z-]+\.v\d+$", (string?)e!["type"]);
            Assert.Matches("^(chain|observer|failover)-", (string?)e["stream"]);
            Assert.Matches("^[0-9a-f]{64}$", (string?)e["hash"]);
            Assert.NotNull(e["payload"]);
        });
        Assert.Equal(8, (long)page["next"]!);

        var process = await _client.GetJsonAsync("/api/events?from=1&limit=1000");
        Assert.Contains(process["events"]!.AsArray(), e => (string?)e!["type"] == "failover-triggered.v1");
    }

    [Theory]
    [InlineData("from=0", "from")]
    [InlineData("from=x", "from")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-5", "limit")]
    public async Task Bad_event_parameters_are_400_problems_naming_the_parameter(string query, string parameter)
    {
        var problem = await (await _client.GetAsync(new Uri($"/api/events?{query}", UriKind.Relative))).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(parameter, (string?)problem["parameter"]);
    }

    [Fact]
    public async Task Control_routes_without_a_configured_token_are_403_saying_how_to_enable_them()
    {
        var response = await _client.PostJsonAsync("/api/automation/pause", new { reason = "try" }, token: "anything-at-all-123");

        var problem = await response.ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("Failover:Api:Token", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain((await fixture.Rig.ProcessEventsAsync()).Select(e => e.GetType().Name), n => n == "AutomationPaused");
    }

    private static List<uint> Starts(JsonNode page) => [.. page["rounds"]!.AsArray().Select(r => (uint)r!["round_start"]!)];
}
