using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Scheduling;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;
using Failover.Host.Commands;
using Failover.Service.Storage;
using Failover.Simulator.Http;
using Failover.Simulator.Network;

namespace Failover.Host.Tests;

/// <summary>
/// The acceptance drill of issue 15, over HTTP against the real commands: <c>failover simulate --speed 20 --api-nodes 2</c>
/// and <c>failover run --simulator-clock</c>, configured as an operator would from the simulator's keys file, with the
/// faults and the outage switched on through <c>/sim/*</c> as by hand. The same fault on virtual time, in process:
/// Service <c>RotationFailureScenarioTests.A_push_refused_for_CPU_is_sent_again_…</c>.
/// </summary>
[Collection(RealClockTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class RotationDrillTests : IDisposable
{
    private const string Producer = "failover.bp";
    private const string Speed = "20";
    private const long TxCpuUsageExceeded = 3080004;

    /// <summary>Real time for the whole drill (about 20 s unloaded: up to three rounds of 6.3 s each, then a rotation).</summary>
    private static readonly TimeSpan DrillLimit = TimeSpan.FromSeconds(150);

    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);
    private static readonly string[] ApiNodes = ["api1", "api2"];
    private static readonly string[] PushRoutes = ["push_transaction", "send_transaction", "send_transaction2"];

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-drill-test-");

    private string StorePath => Path.Combine(_directory.FullName, "data", "failover.db");

    [Fact]
    public async Task A_drill_against_failover_simulate_whose_api_nodes_refuse_the_first_two_pushes_for_CPU_rotates_exactly_once_and_the_standby_produces()
    {
        var elapsed = Stopwatch.StartNew();
        using var simulatorConsole = new DemoConsole();
        using var serviceConsole = new DemoConsole();
        using var stopSimulator = new CancellationTokenSource();
        using var stopService = new CancellationTokenSource();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var keysPath = Path.Combine(_directory.FullName, "sim-keys.json");
        var simulate = FailoverCli.RunAsync(
            ["simulate", "--urls", "http://127.0.0.1:0", "--keys-out", keysPath, "--seed", "rotation-drill", "--speed", Speed, "--api-nodes", "2"],
            simulatorConsole.Console, stopSimulator.Token);
        Task<int>? run = null;
        DrillOutcome outcome;
        try
        {
            var listening = await simulatorConsole.LineAsync(DrillSupport.SimulatorListening());
            var (sim, chainId) = (listening.Groups["url"].Value, listening.Groups["chain"].Value);
            var keys = DrillKeys.Read(keysPath);
            var config = WriteConfig(sim, chainId, keys);
            var service = $"http://127.0.0.1:{DrillSupport.FreePort()}";
            run = FailoverCli.RunAsync(["run", "--config", config, "--urls", service, "--simulator-clock", sim], serviceConsole.Console, stopService.Token);
            Task<int>[] commands = [simulate, run];
            string Printed() => $"simulate:\n{simulatorConsole.Out}{simulatorConsole.Error}\nrun:\n{serviceConsole.Out}{serviceConsole.Error}";
            async Task<T> WaitFor<T>(string what, Func<Task<T?>> probe)
                where T : class
            {
                while (true)
                {
                    Assert.False(commands.Any(c => c.IsCompleted), $"a command ended while waiting for {what}:\n{Printed()}");
                    Assert.True(elapsed.Elapsed < DrillLimit, $"no {what} within {DrillLimit.TotalSeconds} s real:\n{Printed()}");
                    if (await probe() is { } found)
                    {
                        return found;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(100));
                }
            }

            await WaitFor("/health/live", async () => await DrillSupport.GetOrNullAsync(http, $"{service}/health/live"));

            // The CPU faults on every API node: the next two pushes each answer 500 with tx_cpu_usage_exceeded.
            var posted = new Dictionary<string, ApiFaults>();
            foreach (var node in ApiNodes)
            {
                using var response = await http.PostAsync(new Uri($"{sim}/sim/api/{node}/faults"), JsonBody(
                    $$"""{"routes": ["push_transaction", "send_transaction", "send_transaction2"], "error_code": {{TxCpuUsageExceeded}}, "count": 2}"""));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                posted[node] = await FaultsAsync(http, sim, node);
            }

            // The service judges the others' participation over the last round it observed whole: dc1 goes down after our
            // window in that round, before our window in the round after it (then our 12 slots there are the incident).
            var chain = new ChainApiClient(http, new ChainApiOptions { BaseAddress = new Uri(sim + "/") });
            var firstSlot = await WaitFor("the service's first recorded block", () => FirstRecordedBlockAsync(chainId));
            var schedule = (await chain.GetProducerScheduleAsync()).Active!.Producers.Select(p => p.ProducerName).ToList();
            var (ourIndex, roundLength) = ((uint)schedule.IndexOf(Producer), (uint)Slots.RoundLength(schedule.Count));
            var headSlot = BlockTimestamp.ToSlot((await chain.GetInfoAsync()).HeadBlockTime);
            var earliest = Math.Max(Slots.RoundStart(firstSlot.Slot, schedule.Count) + (2 * roundLength), headSlot + 20);
            var ourWindow = Slots.RoundStart(earliest, schedule.Count) + (ourIndex * Slots.PerWindow);
            ourWindow += ourWindow < earliest ? roundLength : 0;
            await WaitFor("the end of our window before the drill's", async () =>
                BlockTimestamp.ToSlot((await chain.GetInfoAsync()).HeadBlockTime) >= ourWindow - roundLength + Slots.PerWindow ? "over" : null);
            using (var down = await http.PostAsync(new Uri($"{sim}/sim/nodes/{Producer}/dc1/down"), null))
            {
                Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            }

            var downAtBlock = (await chain.GetInfoAsync()).HeadBlockNum;
            var completed = await WaitFor("a block of ours signed by the standby", async () =>
            {
                var process = await ProcessEventsAsync();
                var failed = process.OfType<KeyRotationFailed>().FirstOrDefault();
                Assert.True(failed is null, $"the rotation failed: {failed?.Reason} {failed?.Detail}");
                return process.OfType<FailoverCompleted>().FirstOrDefault();
            });

            outcome = new DrillOutcome(
                keys,
                posted,
                completed,
                await chain.GetBlockAsync(completed.BlockNum),
                (await chain.GetProducerRowsAsync(Producer, 1)).Rows[0].ProducerKey,
                await DrillSupport.TransactionsInBlocksAsync(chain, downAtBlock, completed.BlockNum),
                await Task.WhenAll(ApiNodes.Select(node => FaultsAsync(http, sim, node))),
                await http.GetStringAsync(new Uri($"{service}/api/status")));
        }
        finally
        {
            // The service first (it reads the simulator until it stops), then the simulator; exit codes are checked below.
            await stopService.CancelAsync();
            await Task.WhenAny(run ?? Task.CompletedTask, Task.Delay(StopLimit));
            await stopSimulator.CancelAsync();
        }

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(StopLimit));
        Assert.Equal(ExitCodes.Ok, await simulate.WaitAsync(StopLimit));
        var log = await ProcessEventsAsync();
        var requested = Assert.Single(log.OfType<KeyRotationRequested>());
        var pushes = log.OfType<KeyRotationSubmitted>().ToList();

        // The faults were in place, then taken by the refused pushes: none left on any API node.
        Assert.All(outcome.Posted.Values, f => Assert.Equal(new ApiFaults(Routes: PushRoutes, ErrorCode: TxCpuUsageExceeded, Count: 2), f));
        Assert.All(outcome.FaultsAfter, f => Assert.Equal(ApiFaults.None, f));

        // Four refusals (two on each API node, taking turns), each recorded as not applied, then the same bytes accepted.
        Assert.Equal([.. Enumerable.Repeat(PushOutcomes.NotApplied, 4), PushOutcomes.Accepted], pushes.Select(p => p.Outcome));
        Assert.All(pushes.SkipLast(1), p => Assert.Equal((TxCpuUsageExceeded, "tx_cpu_usage_exceeded"), (p.ErrorCode, p.ErrorName)));
        Assert.All(pushes, p => Assert.Equal(requested.TransactionId, p.TransactionId));
        Assert.All(ApiNodes, node => Assert.Equal(2, pushes.SkipLast(1).Count(p => p.Endpoint.TrimEnd('/').EndsWith("/node/" + node, StringComparison.Ordinal))));
        Assert.NotEqual(pushes[0].Endpoint, pushes[1].Endpoint);

        // Exactly one rotation reached the chain: one transaction in the blocks from the outage to the standby's first
        // block, the recorded one; the producers table shows dc2's key; no failure, one decision to rotate (on a loaded
        // machine a first decision may be suppressed for a stale head and taken again at the next block).
        Assert.Equal([requested.TransactionId], outcome.TransactionsOnChain);
        Assert.Equal(outcome.Keys.Dc2Signing, PublicKey.Parse(outcome.RegisteredKey));
        Assert.Equal(("dc2", outcome.Keys.Dc2Signing.ToString()), (requested.TargetDataCenter, requested.TargetKey));
        Assert.Single(log.OfType<FailoverTriggered>());
        Assert.Empty(log.OfType<KeyRotationFailed>());

        // The standby produces: the block the service saw is ours on chain, signed by dc2's key.
        Assert.Equal(("dc2", outcome.Keys.Dc2Signing.ToString()), (outcome.Completed.DataCenter, outcome.Completed.Key));
        Assert.Equal((Producer, outcome.Completed.BlockId), (outcome.CompletedBlock.Producer, outcome.CompletedBlock.Id));
        Assert.Equal(
            outcome.Keys.Dc2Signing,
            BlockSignature.RecoverSavannaSigner(Signature.Parse(outcome.CompletedBlock.ProducerSignature), Checksum256.Parse(outcome.CompletedBlock.Id)));
        using var status = JsonDocument.Parse(outcome.Status);
        Assert.Equal("dc2", status.RootElement.GetProperty("active_data_center").GetString());

        // As an auditor reads it afterwards: the whole log verifies, and the failover's story lists the refusals and the acceptance.
        var verify = await CliRunner.RunAsync("audit", "verify", "--store", "sqlite:" + StorePath);
        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.Out + verify.Error);
        var explain = await CliRunner.RunAsync("audit", "explain", "--store", "sqlite:" + StorePath, "--failover", "1");
        Assert.True(explain.ExitCode == ExitCodes.Ok, explain.Error);
        var story = explain.Out.Split('\n');
        Assert.Equal(4, story.Count(l => l.Contains(": not-applied (3080004 tx_cpu_usage_exceeded", StringComparison.Ordinal)));
        Assert.Single(story, l => l.Contains(": accepted", StringComparison.Ordinal));
        Assert.Single(story, l => l.Contains("COMPLETED", StringComparison.Ordinal));

        Assert.DoesNotContain("PVT_", verify.Out + explain.Out + simulatorConsole.Out + simulatorConsole.Error + serviceConsole.Out + serviceConsole.Error + outcome.Status, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<ApiFaults> FaultsAsync(HttpClient http, string sim, string node) =>
        JsonSerializer.Deserialize(await http.GetStringAsync(new Uri($"{sim}/sim/api/{node}/faults")), SimJsonContext.Default.ApiFaults)!;

    /// <summary>The first block the service recorded in the chain stream, read from its store as an auditor would (read-only).</summary>
    private async Task<BlockProduced?> FirstRecordedBlockAsync(string chainId)
    {
        if (!File.Exists(StorePath))
        {
            return null;
        }

        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = StorePath, ReadOnly = true });
        await foreach (var e in store.ReadStreamAsync(Streams.Chain(chainId), Direction.Forwards, 0, 16))
        {
            if (DomainEvents.TryDeserialize(e) is BlockProduced block)
            {
                return block;
            }
        }

        return null;
    }

    /// <summary>The process stream of our producer, read from the service's store (read-only, while it may still be writing).</summary>
    private async Task<List<object>> ProcessEventsAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = StorePath, ReadOnly = true });
        var events = new List<object>();
        await foreach (var e in store.ReadStreamAsync(Streams.Failover(Producer), Direction.Forwards, 0, int.MaxValue))
        {
            events.Add(DomainEvents.TryDeserialize(e) ?? e);
        }

        return events;
    }

    /// <summary>
    /// The service's configuration as an operator writes it from the simulator's keys file: both API nodes as endpoints,
    /// dc1 and dc2 with their signing and finalizer public keys, the failover permission's key in a file only its owner reads.
    /// </summary>
    private string WriteConfig(string sim, string chainId, DrillKeys keys)
    {
        var keyFile = DrillSupport.WriteKeyFile(_directory, keys.FailoverPrivateKey);

        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Failover"] = new Dictionary<string, object>
            {
                ["ObserverId"] = "drill",
                ["Store"] = "sqlite:" + StorePath,
                ["Chain"] = new Dictionary<string, object> { ["Id"] = chainId, ["Endpoints"] = ApiNodes.Select(n => $"{sim}/node/{n}").ToArray() },
                ["Producer"] = Producer,
                ["DataCenters"] = new object[]
                {
                    new Dictionary<string, object> { ["Name"] = "dc1", ["Priority"] = 1, ["SigningKey"] = keys.Dc1Signing.ToString(), ["FinalizerKey"] = keys.Dc1Finalizer },
                    new Dictionary<string, object> { ["Name"] = "dc2", ["Priority"] = 2, ["SigningKey"] = keys.Dc2Signing.ToString(), ["FinalizerKey"] = keys.Dc2Finalizer },
                },
                ["Signer"] = new Dictionary<string, object> { ["Permission"] = "failover", ["KeyFile"] = keyFile },
                ["DryRun"] = false,
            },
        });
        var path = Path.Combine(_directory.FullName, "drill.json");
        File.WriteAllText(path, json);
        return path;
    }


    /// <summary>What the drill read before the commands were stopped.</summary>
    private sealed record DrillOutcome(
        DrillKeys Keys,
        Dictionary<string, ApiFaults> Posted,
        FailoverCompleted Completed,
        GetBlockResult CompletedBlock,
        string RegisteredKey,
        List<string> TransactionsOnChain,
        ApiFaults[] FaultsAfter,
        string Status);
}
