using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Failover.Antelope;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;
using Failover.Host.Commands;
using Failover.Service.Configuration;
using Failover.Service.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace Failover.Host.Tests;

/// <summary>
/// <c>failover run --config FILE</c> in-process, as an operator starts it: against a <c>failover simulate</c> served
/// on a loopback port (shared by the tests of this class), with a SQLite store of each test's own, stopped through the
/// cancellation token that Ctrl+C and SIGTERM cancel. The service does not print the port it bound, so each run is
/// given a free port picked beforehand.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class RunCommandTests(RunCommandTests.Simulator simulator) : IClassFixture<RunCommandTests.Simulator>, IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-run-test-");

    private string StorePath => Path.Combine(_directory.FullName, "data", "failover.db");

    [Fact]
    public async Task An_invalid_configuration_exits_2_listing_every_problem_and_creates_no_store()
    {
        var config = WriteConfig(Configuration() with
        {
            ObserverId = "obs 1",
            Endpoints = ["ftp://node-a:8888"],
            Dc2Finalizer = null,
            Policy = new Dictionary<string, object> { ["MinParticipation"] = 1.5, ["MisedBlocksThreshold"] = 12 },
            FromBlock = "1",
        });

        var result = await CliRunner.RunAsync("run", "--config", config, "--urls", $"http://127.0.0.1:{DrillSupport.FreePort()}");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        string[] expected =
        [
            "The configuration has 6 problem(s); nothing was started:",
            "  - Failover:Policy:MisedBlocksThreshold is not a setting Failover knows (a typo?).",
            "  - Failover:ObserverId must be 1–64 letters, digits, '-', '_' or '.' (e.g. obs-1), got 'obs 1'.",
            "  - Failover:Chain:Endpoints:0 must be an absolute http:// or https:// URL (it may carry a path, e.g. http://127.0.0.1:8888/node/api2), got 'ftp://node-a:8888'.",
            "  - Failover:DataCenters:1:FinalizerKey is required on a Savanna chain: a producing node pauses without its finalizer's votes, so a rotation must activate the standby's finalizer key (actfinkey) too.",
            "  - Failover:Policy: MinParticipation must be at least 0 and below 1, got 1.5.",
            "  - Failover:Observer: FromBlock must be a block number after the genesis block (2 or more), got '1'.",
        ];
        Assert.Equal(expected, Lines(result.Error));
        Assert.Empty(result.Out);
        Assert.False(Directory.Exists(Path.GetDirectoryName(StorePath)), "the store's directory was created");
    }

    [Fact]
    public async Task A_missing_config_file_exits_2_naming_it()
    {
        var missing = Path.Combine(_directory.FullName, "missing.json");

        var result = await CliRunner.RunAsync("run", "--config", missing);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal([$"--config: {missing} does not exist."], Lines(result.Error));
    }

    [Theory]
    [InlineData("{ \"Failover\": { \"ObserverId\": \"obs-1\",, } }", "LineNumber: 0")]
    [InlineData("{ \"Failover\": {\n  \"ObserverId\": \"obs-1\"\n  \"Store\": \"sqlite:x.db\" } }", "LineNumber: 2")]
    [InlineData("[ \"Failover\" ]", "Top-level JSON element must be an object")]
    [InlineData("{ \"Failover\": { \"ObserverId\": \"a\", \"ObserverId\": \"b\" } }", "A duplicate key 'Failover:ObserverId' was found")]
    public async Task A_malformed_config_file_exits_2_saying_which_file_and_where(string json, string where)
    {
        var config = Path.Combine(_directory.FullName, "malformed.json");
        await File.WriteAllTextAsync(config, json);

        var result = await CliRunner.RunAsync("run", "--config", config);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var message = Assert.Single(Lines(result.Error));
        Assert.StartsWith("The configuration could not be read: ", message, StringComparison.Ordinal);
        Assert.Contains(config, message, StringComparison.Ordinal);
        Assert.Contains(where, message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal); // no stack trace
        Assert.False(Directory.Exists(Path.GetDirectoryName(StorePath)));
    }

    [Fact]
    public void Environment_variables_override_the_config_file_which_overrides_appsettings_json()
    {
        File.WriteAllText(Path.Combine(_directory.FullName, "appsettings.json"), """
            { "Failover": { "ObserverId": "from-appsettings", "Producer": "appsettings", "Policy": { "MinParticipation": 0.7, "MissedBlocksThreshold": 6 } } }
            """);
        var config = Path.Combine(_directory.FullName, "config.json");
        File.WriteAllText(config, """
            { "Failover": { "ObserverId": "from-config", "Policy": { "MinParticipation": 0.8 }, "DryRun": false } }
            """);

        var configuration = RunCommand.BuildConfiguration(
            new FileInfo(config), _directory.FullName, EnvironmentVariables(("FAILOVER__Policy__MinParticipation", "0.85"), ("FAILOVER__DRYRUN", "true")));

        Assert.Equal("from-config", configuration["Failover:ObserverId"]);
        Assert.Equal("appsettings", configuration["Failover:Producer"]);
        Assert.Equal("6", configuration["Failover:Policy:MissedBlocksThreshold"]);
        Assert.Equal("0.85", configuration["Failover:Policy:MinParticipation"]);
        Assert.Equal("true", configuration["Failover:DryRun"]);
    }

    [Fact]
    public void An_environment_variable_reaches_the_settings_and_can_fix_what_the_file_got_wrong()
    {
        var config = WriteConfig(Configuration() with { ObserverId = "obs 1" });

        var fromFile = FailoverSettingsLoader.Load(RunCommand.BuildConfiguration(new FileInfo(config), _directory.FullName, EnvironmentVariables()));
        var overridden = FailoverSettingsLoader.Load(RunCommand.BuildConfiguration(
            new FileInfo(config), _directory.FullName, EnvironmentVariables(("FAILOVER__ObserverId", "obs-env"), ("FAILOVER__Policy__MinParticipation", "0.85"))));

        Assert.Contains(fromFile.Problems, p => p.StartsWith("Failover:ObserverId must be", StringComparison.Ordinal));
        Assert.Empty(overridden.Problems);
        Assert.Equal(("obs-env", 0.85), (overridden.Settings!.ObserverId, overridden.Settings.Policy.MinParticipation));
    }

    [Fact]
    public void Run_reads_appsettings_json_in_the_working_directory_then_the_config_file_then_the_process_environment()
    {
        var config = WriteConfig(Configuration());

        var providers = RunCommand.BuildConfiguration(new FileInfo(config)).Providers.ToList();

        Assert.Equal(3, providers.Count);
        var appsettings = Assert.IsType<JsonConfigurationProvider>(providers[0]);
        Assert.Equal(("appsettings.json", true), (appsettings.Source.Path, appsettings.Source.Optional));
        Assert.Equal(Directory.GetCurrentDirectory(), ((Microsoft.Extensions.FileProviders.PhysicalFileProvider)appsettings.Source.FileProvider!).Root.TrimEnd('/'));
        var file = Assert.IsType<JsonConfigurationProvider>(providers[1]);
        Assert.Equal(("config.json", false), (file.Source.Path, file.Source.Optional));
        Assert.IsType<EnvironmentVariablesConfigurationProvider>(providers[2]);
    }

    [Fact]
    public async Task Run_serves_health_on_the_given_url_appends_the_chain_and_exits_0_when_stopped()
    {
        var config = WriteConfig(Configuration());
        var port = DrillSupport.FreePort();

        var (exit, error) = await RunUntilAsync(config, port, async () =>
        {
            using var http = new HttpClient();
            var live = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            await WaitForAsync(async () => (await ReadLogAsync()).Count(IsBlock) >= 4, "four blocks in the chain stream");
        });

        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("WARNING: Failover:Chain:Endpoints lists 1 endpoint(s)", error, StringComparison.Ordinal);
        var log = await ReadLogAsync();
        Assert.True(log.Count(IsBlock) >= 4);
        Assert.All(log.Where(e => e.Stream.StartsWith("chain-", StringComparison.Ordinal)), e => Assert.Equal("chain-" + simulator.ChainId, e.Stream));
        AssertRecordedOnce(log);
    }

    [Fact]
    public async Task A_second_run_on_the_same_store_continues_the_chain_and_appends_nothing_the_first_stored()
    {
        var config = WriteConfig(Configuration());

        var (firstExit, first) = await RunUntilAsync(config, DrillSupport.FreePort(), () => WaitForAsync(async () => (await ReadLogAsync()).Count(IsBlock) >= 3, "three blocks"));
        var afterFirst = await ReadLogAsync();
        var lastBlockOfFirst = afterFirst.Where(IsBlock).Select(e => ((BlockProduced)DomainEvents.TryDeserialize(e)!).BlockNum).Max();
        var (secondExit, second) = await RunUntilAsync(config, DrillSupport.FreePort(), () => WaitForAsync(
            async () => (await ReadLogAsync()).Where(IsBlock).Any(e => ((BlockProduced)DomainEvents.TryDeserialize(e)!).BlockNum >= lastBlockOfFirst + 3),
            "three blocks after the first run's last"));
        var log = await ReadLogAsync();

        Assert.True(firstExit == ExitCodes.Ok, first);
        Assert.True(secondExit == ExitCodes.Ok, second);
        Assert.Equal(afterFirst.Select(e => (e.Position, e.EventId)), log.Take(afterFirst.Count).Select(e => (e.Position, e.EventId)));
        Assert.True(log.Count > afterFirst.Count, "the second run appended nothing");
        AssertRecordedOnce(log);
    }

    [Fact]
    public async Task A_signer_key_file_readable_by_others_is_refused_without_showing_the_key()
    {
        var keyFile = Path.Combine(_directory.FullName, "failover-0644.key");
        await File.WriteAllTextAsync(keyFile, simulator.FailoverPrivateKey);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var config = WriteConfig(Configuration() with { KeyFile = keyFile });

        var result = await CliRunner.RunAsync("run", "--config", config, "--urls", $"http://127.0.0.1:{DrillSupport.FreePort()}");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            [
                "The configuration has 1 problem(s); nothing was started:",
                $"  - Failover:Signer:KeyFile '{keyFile}' is readable or writable by its group or others (mode 644); chmod 400 it.",
            ],
            Lines(result.Error));
        Assert.DoesNotContain("PVT_", result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(simulator.FailoverPrivateKey[7..], result.Out + result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(StorePath)));
    }

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>
    /// Starts <c>failover run</c>, waits until it serves <c>/health/live</c>, runs <paramref name="whileRunning"/>, then
    /// cancels it as Ctrl+C would and returns its exit code.
    /// </summary>
    private static async Task<(int Exit, string Error)> RunUntilAsync(string config, int port, Func<Task> whileRunning)
    {
        using var console = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var run = FailoverCli.RunAsync(["run", "--config", config, "--urls", $"http://127.0.0.1:{port}"], console.Console, stop.Token);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await WaitForAsync(
                async () =>
                {
                    Assert.False(run.IsCompleted, $"run ended early ({(run.IsCompletedSuccessfully ? run.Result : -1)}): {console.Error}");
                    try
                    {
                        return (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"))).StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                "/health/live");
            await whileRunning();
        }
        finally
        {
            await stop.CancelAsync();
        }

        return (await run.WaitAsync(Limit), console.Error);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <see cref="Limit"/>.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>The whole log, read as an auditor would: read-only, while the service may still be writing.</summary>
    private async Task<List<RecordedEvent>> ReadLogAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = StorePath, ReadOnly = true });
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadAllAsync(GlobalPosition.Start))
        {
            events.Add(e);
        }

        return events;
    }

    private static bool IsBlock(RecordedEvent e) => e.Type == "block-produced.v1";

    /// <summary>
    /// Nothing appended twice: event ids unique, positions and every stream's versions dense from their start, each
    /// block on the followed branch recorded once and linked to the one before, each schedule version recorded once.
    /// </summary>
    private static void AssertRecordedOnce(List<RecordedEvent> log)
    {
        Assert.Equal(log.Count, log.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, log.Count).Select(p => (long)p), log.Select(e => e.Position));
        foreach (var stream in log.GroupBy(e => e.Stream))
        {
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
        }

        var onBranch = new Dictionary<uint, string>();
        var schedules = new HashSet<uint>();
        string? head = null;
        foreach (var e in log.Where(e => e.Stream.StartsWith("chain-", StringComparison.Ordinal)).Select(DomainEvents.TryDeserialize))
        {
            switch (e)
            {
                case BlockProduced block:
                    Assert.True(onBranch.TryAdd(block.BlockNum, block.BlockId), $"block {block.BlockNum} recorded twice");
                    Assert.True(head is null || block.Previous == head, $"block {block.BlockNum} does not follow the one recorded before it");
                    head = block.BlockId;
                    break;
                case ForkSwitched fork:
                    foreach (var orphan in fork.OrphanedBlocks)
                    {
                        onBranch.Remove(orphan.BlockNum);
                    }

                    head = fork.ForkBlockId;
                    break;
                case ProducerScheduleChanged schedule:
                    Assert.True(schedules.Add(schedule.Version), $"schedule version {schedule.Version} recorded twice");
                    break;
            }
        }

        Assert.NotEmpty(onBranch);
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    /// <summary>Environment variables as the process would have them (NAME__KEY → NAME:KEY), without touching the process's own.</summary>
    private static MemoryConfigurationSource EnvironmentVariables(params (string Name, string Value)[] variables) =>
        new() { InitialData = variables.Select(v => KeyValuePair.Create(v.Name.Replace("__", ":", StringComparison.Ordinal), (string?)v.Value)) };


    /// <summary>A valid configuration for the simulator: its chain, its two data centers of failover.bp, the failover permission's key (mode 0600).</summary>
    private RunConfiguration Configuration()
    {
        var keyFile = Path.Combine(_directory.FullName, "failover.key");
        if (!File.Exists(keyFile))
        {
            DrillSupport.WriteKeyFile(_directory, simulator.FailoverPrivateKey);
        }

        return new RunConfiguration(
            "obs-run", "sqlite:" + StorePath, simulator.ChainId, [simulator.Url], simulator.Dc1SigningKey, simulator.Dc1Finalizer, simulator.Dc2SigningKey,
            simulator.Dc2Finalizer, keyFile, new Dictionary<string, object> { ["MissedBlocksThreshold"] = 12, ["MinParticipation"] = 0.8 }, null);
    }

    private string WriteConfig(RunConfiguration c)
    {
        var dataCenter2 = new Dictionary<string, object> { ["Name"] = "dc2", ["Priority"] = 2, ["SigningKey"] = c.Dc2SigningKey };
        if (c.Dc2Finalizer is not null)
        {
            dataCenter2["FinalizerKey"] = c.Dc2Finalizer;
        }

        var observer = new Dictionary<string, object> { ["PollInterval"] = "00:00:00.2" };
        if (c.FromBlock is not null)
        {
            observer["FromBlock"] = c.FromBlock;
        }

        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Failover"] = new Dictionary<string, object>
            {
                ["ObserverId"] = c.ObserverId,
                ["Store"] = c.Store,
                ["Chain"] = new Dictionary<string, object> { ["Id"] = c.ChainId, ["Endpoints"] = c.Endpoints },
                ["Producer"] = "failover.bp",
                ["DataCenters"] = new object[]
                {
                    new Dictionary<string, object> { ["Name"] = "dc1", ["Priority"] = 1, ["SigningKey"] = c.Dc1SigningKey, ["FinalizerKey"] = c.Dc1Finalizer },
                    dataCenter2,
                },
                ["Signer"] = new Dictionary<string, object> { ["Permission"] = "failover", ["KeyFile"] = c.KeyFile },
                ["Policy"] = c.Policy,
                ["Observer"] = observer,
                ["DryRun"] = false,
            },
        });
        var path = Path.Combine(_directory.FullName, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    private sealed record RunConfiguration(
        string ObserverId,
        string Store,
        string ChainId,
        string[] Endpoints,
        string Dc1SigningKey,
        string Dc1Finalizer,
        string Dc2SigningKey,
        string? Dc2Finalizer,
        string KeyFile,
        Dictionary<string, object> Policy,
        string? FromBlock);

    /// <summary><c>failover simulate</c> on a loopback port for the whole class, with the keys it wrote.</summary>
    public sealed partial class Simulator : IAsyncLifetime, IDisposable
    {
        private readonly DemoConsole _console = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-run-simulator-");
        private Task<int>? _run;

        public string Url { get; private set; } = "";

        public string ChainId { get; private set; } = "";

        public string FailoverPrivateKey { get; private set; } = "";

        public string Dc1SigningKey { get; private set; } = "";

        public string Dc1Finalizer { get; private set; } = "";

        public string Dc2SigningKey { get; private set; } = "";

        public string Dc2Finalizer { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var keysPath = Path.Combine(_directory.FullName, "keys.json");
            _run = FailoverCli.RunAsync(["simulate", "--urls", "http://127.0.0.1:0", "--keys-out", keysPath, "--seed", "run-command-tests"], _console.Console, _stop.Token);
            var listening = await _console.LineAsync(DrillSupport.SimulatorListening());
            (Url, ChainId) = (listening.Groups["url"].Value, listening.Groups["chain"].Value);
            var keys = JsonDocument.Parse(await File.ReadAllTextAsync(keysPath)).RootElement;
            FailoverPrivateKey = keys.GetProperty("accounts").GetProperty("failover.bp").GetProperty("failover")[0].GetString()!;
            var nodes = keys.GetProperty("nodes");
            (Dc1SigningKey, Dc1Finalizer) = NodeKeys(nodes.GetProperty("failover.bp/dc1"));
            (Dc2SigningKey, Dc2Finalizer) = NodeKeys(nodes.GetProperty("failover.bp/dc2"));
        }

        public async Task DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null)
            {
                await _run.WaitAsync(Limit);
            }

            _directory.Delete(recursive: true);
        }

        /// <summary>After <see cref="DisposeAsync"/> (xUnit disposes a fixture's async lifetime first).</summary>
        public void Dispose()
        {
            _stop.Dispose();
            _console.Dispose();
        }

        private static (string Signing, string Finalizer) NodeKeys(JsonElement node) =>
            (PrivateKey.Parse(node.GetProperty("signing").GetString()!).PublicKey.ToString(), node.GetProperty("finalizer").GetString()!);
    }
}
