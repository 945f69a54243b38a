using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Failover.Testing;
using Npgsql;

namespace Failover.Host.Tests;

/// <summary>
/// The installed binary (<see cref="PublishedBinary"/>: self-contained, single file, trimmed) run as processes, through
/// what trimming could break and the in-process tests cannot see: the demo's failover (signing, push, activation), every
/// read route and its JSON, the problem details, the control routes, the dashboard, the OpenAPI document and the API
/// reference, metrics, the audit commands and their output, a configuration that sets every section
/// (the generated binder and the check for unknown keys), and the PostgreSQL store and its compaction.
/// </summary>
[Collection(RealClockTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class PublishedBinaryTests(PublishedBinary binary) : IClassFixture<PublishedBinary>, IDisposable
{
    private const string Producer = "failover.bp";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-published-test-");

    [Fact]
    public async Task The_demo_fails_over_and_the_api_and_the_audit_work_on_its_log()
    {
        var data = Path.Combine(_directory.FullName, "data");
        var tokenFile = WriteOwnerOnly("api.token", "published-binary-test-token");
        var url = $"http://127.0.0.1:{DrillSupport.FreePort()}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using (var demo = BinaryRun.Start(binary.Path, ["demo", "--speed", "20", "--data-dir", data, "--urls", url, "--keep-running", "--api-token-file", tokenFile]))
        {
            var summary = await demo.LineAsync(SummaryLine(), Limit);
            Assert.Equal("0", summary.Groups["lost"].Value);

            var status = await GetJsonAsync(http, $"{url}/api/status");
            Assert.Equal("dc2", status["active_data_center"]!.GetValue<string>());

            var rounds = (await GetJsonAsync(http, $"{url}/api/rounds?limit=3"))["rounds"]!.AsArray();
            Assert.Equal(3, rounds.Count);
            var roundStart = rounds[1]!["round_start"]!.GetValue<uint>();
            Assert.Equal(roundStart, (await GetJsonAsync(http, $"{url}/api/rounds/{roundStart}"))["round_start"]!.GetValue<uint>());
            Assert.Equal(Producer, (await GetJsonAsync(http, $"{url}/api/producers/{Producer}/health"))["producer"]!.GetValue<string>());
            var failover = Assert.Single((await GetJsonAsync(http, $"{url}/api/failovers"))["failovers"]!.AsArray());
            Assert.Equal("completed", failover!["outcome"]!.GetValue<string>());
            var events = (await GetJsonAsync(http, $"{url}/api/events?from=1&limit=5"))["events"]!.AsArray();
            Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e!["position"]!.GetValue<long>()));

            using (var stream = await http.GetAsync(new Uri($"{url}/api/stream"), HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
                using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
                Assert.StartsWith("event: ", await reader.ReadLineAsync(), StringComparison.Ordinal);
            }

            var badLimit = await http.GetAsync(new Uri($"{url}/api/rounds?limit=0"));
            Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (badLimit.StatusCode, badLimit.Content.Headers.ContentType?.MediaType));
            Assert.Contains("limit", (await badLimit.Content.ReadAsStringAsync()), StringComparison.Ordinal);

            using (var unauthorised = await http.PostAsync(new Uri($"{url}/api/automation/pause"), Json("""{"reason": "drill"}""")))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
            }

            foreach (var action in new[] { "pause", "resume" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{url}/api/automation/{action}")) { Content = Json("""{"reason": "published binary test", "by": "ci"}""") };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "published-binary-test-token");
                using var response = await http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                Assert.True(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["recorded"]!.GetValue<bool>());
            }

            Assert.Contains("failover_", await http.GetStringAsync(new Uri($"{url}/metrics")), StringComparison.Ordinal);
            Assert.Contains("\"/api/status\"", await http.GetStringAsync(new Uri($"{url}/openapi/v1.json")), StringComparison.Ordinal);
            Assert.Contains("<html", await http.GetStringAsync(new Uri($"{url}/api/reference")), StringComparison.OrdinalIgnoreCase);
            Assert.Contains("<html", await http.GetStringAsync(new Uri($"{url}/")), StringComparison.OrdinalIgnoreCase);
            foreach (var health in new[] { "live", "ready" })
            {
                using var response = await http.GetAsync(new Uri($"{url}/health/{health}"));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"/health/{health}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            Assert.Equal(0, await demo.StopAsync(CommandLimit));
            Assert.DoesNotContain("PVT_", demo.Printed, StringComparison.Ordinal);
        }

        var store = "sqlite:" + Path.Combine(data, "failover.db");
        await AssertVerifiedAsync(store);
        var explain = await CommandAsync("audit", "explain", "--store", store, "--failover", "1");
        Assert.Contains("COMPLETED", explain.Out, StringComparison.Ordinal);
        var replay = await CommandAsync("audit", "replay", "--store", store, "--json");
        Assert.NotNull(JsonNode.Parse(replay.Out));
        var whatIf = await CommandAsync("audit", "what-if", "--store", store, "--set", "Policy:MinParticipation=0.99", "--json");
        Assert.Equal(1, JsonNode.Parse(whatIf.Out)!["decisions"]!.GetValue<int>());
        var decisions = await CommandAsync("audit", "export", "--store", store, "--what", "decisions", "--format", "json");
        Assert.Equal("failover-triggered.v1", Assert.Single(JsonNode.Parse(decisions.Out)!.AsArray())!["type"]!.GetValue<string>());
        var csv = await CommandAsync("audit", "export", "--store", store, "--what", "rounds");
        Assert.True(csv.Out.Split('\n').Length > 3, csv.Out);
        var printed = await CommandAsync("rounds", "--store", store, "--limit", "3");
        Assert.Contains("participation", printed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_that_sets_every_section_runs_the_service_on_postgresql_and_an_unknown_key_is_refused()
    {
        var sim = $"http://127.0.0.1:{DrillSupport.FreePort()}";
        var keysPath = Path.Combine(_directory.FullName, "keys.json");
        var schema = PostgresServer.NewSchema("published");
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.ConnectionStringAsync()) { SearchPath = schema }.ConnectionString;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await using var simulate = BinaryRun.Start(binary.Path, ["simulate", "--urls", sim, "--speed", "20", "--seed", "published", "--keys-out", keysPath]);
            await simulate.LineAsync(DrillSupport.SimulatorListening(), Limit);
            var config = await WriteEveryKeyConfigAsync(http, sim, keysPath, "postgres:" + connectionString);

            var typo = config.Replace("\"MaxHeadAge\"", "\"MaxHeadAg\"", StringComparison.Ordinal).Replace("\"DryRun\": \"false\"", "\"DryRun\": {\"x\": 1}", StringComparison.Ordinal);
            var refused = await BinaryRun.RunAsync(binary.Path, ["run", "--config", WriteOwnerOnly("typo.json", typo), "--urls", $"http://127.0.0.1:{DrillSupport.FreePort()}"], CommandLimit);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("Failover:Policy:MaxHeadAg is not a setting Failover knows", refused.Printed, StringComparison.Ordinal);
            Assert.Contains("Failover:DryRun:x is not a setting Failover knows", refused.Printed, StringComparison.Ordinal);

            // Four rounds observed whole, then compacted: the quiet rounds older than a minute go, the log still verifies.
            var api = $"http://127.0.0.1:{DrillSupport.FreePort()}";
            var configPath = WriteOwnerOnly("failover.json", config);
            var check = await BinaryRun.RunAsync(binary.Path, ["check", "--config", configPath], CommandLimit);
            Assert.DoesNotContain("is not a setting", check.Printed, StringComparison.Ordinal);
            await using (var run = BinaryRun.Start(binary.Path, ["run", "--config", configPath, "--urls", api, "--simulator-clock", sim]))
            {
                var deadline = System.Diagnostics.Stopwatch.StartNew();
                while ((await TryGetJsonAsync(http, $"{api}/api/rounds")) is not { } rounds || rounds["rounds"]!.AsArray().Count < 5)
                {
                    Assert.True(deadline.Elapsed < Limit, $"no five rounds within {Limit.TotalSeconds} s:\n{run.Printed}");
                    await Task.Delay(TimeSpan.FromMilliseconds(250));
                }

                var status = await GetJsonAsync(http, $"{api}/api/status");
                Assert.Equal("dc1", status["active_data_center"]!.GetValue<string>());
                Assert.Equal(0, await run.StopAsync(CommandLimit));
                Assert.DoesNotContain("is not a setting", run.Printed, StringComparison.Ordinal);
            }

            var store = "postgres:" + connectionString;
            await AssertVerifiedAsync(store);
            var compact = await CommandAsync("store", "compact", "--store", store, "--producer", Producer, "--before", "2100-01-01T00:00:00Z", "--protect", "00:01:00");
            Assert.Matches(CompactedLine(), compact.Out);
            await AssertVerifiedAsync(store);
            Assert.Equal(0, await simulate.StopAsync(CommandLimit));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(await PostgresServer.ConnectionStringAsync(), schema);
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>A configuration file for the simulator at <paramref name="sim"/> that gives every key Failover reads a value.</summary>
    private async Task<string> WriteEveryKeyConfigAsync(HttpClient http, string sim, string keysPath, string store)
    {
        var state = JsonNode.Parse(await http.GetStringAsync(new Uri($"{sim}/sim/state")))!;
        var ours = state["producers"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == Producer)!;
        var keyFile = WriteOwnerOnly("failover.key", DrillKeys.Read(keysPath).FailoverPrivateKey);
        var tokenFile = WriteOwnerOnly("api.token", "published-binary-test-token");
        var dataCenters = ours["nodes"]!.AsArray().Select((node, i) => new JsonObject
        {
            ["Name"] = node!["data_center"]!.GetValue<string>(),
            ["Priority"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SigningKey"] = node["signing_key"]!.GetValue<string>(),
            ["FinalizerKey"] = node["finalizer_key"]!.GetValue<string>(),
            ["Endpoint"] = $"{sim}/node/{Producer}/{node["data_center"]!.GetValue<string>()}",
        });
        var config = new JsonObject
        {
            ["Failover"] = new JsonObject
            {
                ["ObserverId"] = "obs-published",
                ["Store"] = store,
                ["Chain"] = new JsonObject { ["Id"] = state["chain_id"]!.GetValue<string>(), ["Endpoints"] = new JsonArray($"{sim}/node/api1", $"{sim}/node/api2"), ["Consensus"] = "savanna" },
                ["Producer"] = Producer,
                ["DataCenters"] = new JsonArray([.. dataCenters]),
                ["Signer"] = new JsonObject { ["Permission"] = "failover", ["KeyFile"] = keyFile },
                ["Policy"] = new JsonObject
                {
                    ["MissedBlocksThreshold"] = "12", ["MinParticipation"] = "0.8", ["MaxHeadAge"] = "00:00:03", ["MaxLibStall"] = "00:00:30",
                    ["Cooldown"] = "00:10:00", ["MaxRotationsPer24h"] = "2", ["MaxStandbyHeadAge"] = "00:00:10",
                    ["FinalizerSilence"] = "00:00:03", ["Degraded"] = "12/36", ["NodeSilence"] = "off",
                },
                ["DryRun"] = "false",
                ["Observer"] = new JsonObject
                {
                    ["PollInterval"] = "00:00:00.5", ["SampleInterval"] = "00:00:05", ["BackfillConcurrency"] = "4", ["BatchSize"] = "50",
                    ["RequestTimeout"] = "00:00:05", ["StaleAfter"] = "00:00:10", ["FromBlock"] = "2",
                },
                ["Api"] = new JsonObject { ["TokenFile"] = tokenFile, ["ProtectReads"] = "false", ["MaxStreams"] = "16" },
                ["Alerts"] = new JsonObject
                {
                    ["Webhooks"] = new JsonArray(new JsonObject { ["Name"] = "ops", ["Url"] = $"{sim}/sim/state", ["Format"] = "json" }),
                    ["MaxAge"] = "01:00:00", ["Timeout"] = "00:00:05",
                },
                ["Retention"] = new JsonObject { ["KeepDays"] = "30", ["Protect"] = "00:10:00" },
            },
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private async Task AssertVerifiedAsync(string store)
    {
        var verify = await CommandAsync("audit", "verify", "--store", store);
        Assert.Contains("VERIFIED", verify.Out, StringComparison.Ordinal);
    }

    /// <summary>Runs a command of the binary to its end; it must succeed and print no private key.</summary>
    private async Task<BinaryResult> CommandAsync(params string[] arguments)
    {
        var result = await BinaryRun.RunAsync(binary.Path, arguments, CommandLimit);
        Assert.True(result.ExitCode == 0, $"failover {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Printed}");
        Assert.DoesNotContain("PVT_", result.Printed, StringComparison.Ordinal);
        return result;
    }

    private string WriteOwnerOnly(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> GetJsonAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(new Uri(url));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    private static async Task<JsonNode?> TryGetJsonAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"Summary: failover\.bp lost (?<lost>\d+) blocks")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"(?m)^Compacted [1-9]\d* events of [1-9]\d* rounds")]
    private static partial Regex CompactedLine();
}
