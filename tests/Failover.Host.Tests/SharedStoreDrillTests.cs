using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Host.Commands;
using Failover.Service.Storage;
using Failover.Testing;

namespace Failover.Host.Tests;

/// <summary>
/// Issue 17.2, real processes: three <c>failover run</c> instances (observers obs-1, obs-2, obs-3, each on its own
/// port) on one PostgreSQL store — a server of the test's own, so it can be crashed — against <c>failover simulate</c>
/// on a sped-up clock. dc1 goes down; the instance that records the rotation's request is killed with SIGKILL as soon
/// as the request is in the store, and PostgreSQL crashes and restarts. Exactly one rotation reaches the chain, the
/// standby produces, the two survivors keep running, and <c>failover audit verify</c> passes on the store.
/// </summary>
[Collection(RealClockTests.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SharedStoreDrillTests : IDisposable
{
    private const string Speed = "20";
    private static readonly TimeSpan DrillLimit = TimeSpan.FromSeconds(240);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-shared-store-");
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    [Fact]
    public async Task Three_observers_on_one_postgres_store_rotate_once_when_the_one_that_recorded_the_request_is_killed_and_postgres_crashes()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var store = "postgres:" + postgres.ConnectionString("shared");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var sim = $"http://127.0.0.1:{DrillSupport.FreePort()}";
        var keysPath = Path.Combine(_directory.FullName, "sim-keys.json");
        var processes = new Dictionary<string, Process>();
        try
        {
            processes["simulate"] = Start("simulate", ["simulate", "--urls", sim, "--keys-out", keysPath, "--seed", "shared-store", "--speed", Speed, "--api-nodes", "2"]);
            var state = await WaitFor("the simulator", processes, async () => await GetStringOrNullAsync(http, $"{sim}/sim/state"));
            var chainId = JsonDocument.Parse(state).RootElement.GetProperty("chain_id").GetString()!;
            var keyFile = DrillSupport.WriteKeyFile(_directory, DrillKeys.Read(keysPath).FailoverPrivateKey);
            var services = new Dictionary<string, string>();
            foreach (var observer in new[] { "obs-1", "obs-2", "obs-3" })
            {
                services[observer] = $"http://127.0.0.1:{DrillSupport.FreePort()}";
                var config = WriteConfig(observer, store, sim, chainId, DrillKeys.Read(keysPath), keyFile);
                processes[observer] = Start(observer, ["run", "--config", config, "--urls", services[observer], "--simulator-clock", sim]);
            }

            foreach (var (observer, url) in services)
            {
                await WaitFor($"{observer}'s /health/live", processes, () => DrillSupport.GetOrNullAsync(http, $"{url}/health/live"));
            }

            // Two whole rounds observed, so the participation of a full round is known to every instance.
            await WaitFor("two rounds in the store", processes, async () => await RoundsRecordedAsync(store, chainId) >= 2 ? "yes" : null);
            var chain = new ChainApiClient(http, new ChainApiOptions { BaseAddress = new Uri(sim + "/") });
            var downAtBlock = (await chain.GetInfoAsync()).HeadBlockNum;
            using (var down = await http.PostAsync(new Uri($"{sim}/sim/nodes/{DrillSupport.Producer}/dc1/down"), null))
            {
                Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            }

            var (request, recorder) = await WaitFor("the rotation's request", processes, () => FirstRequestAsync(store), pollMs: 10);
            processes[recorder].Kill(); // SIGKILL, at once
            await processes[recorder].WaitForExitAsync();
            await postgres.CrashAndRestartAsync();

            var survivors = services.Keys.Where(o => o != recorder).ToList();
            var completed = await WaitFor("a block of ours signed by the standby", processes.Where(p => p.Key != recorder).ToDictionary(), async () =>
                (await ProcessEventsAsync(store)).OfType<FailoverCompleted>().FirstOrDefault());
            foreach (var observer in survivors)
            {
                Assert.False(processes[observer].HasExited, $"{observer} stopped");
                Assert.Equal("ok", await DrillSupport.GetOrNullAsync(http, $"{services[observer]}/health/live"));
            }

            var log = await ProcessEventsAsync(store);
            Assert.Equal([request.TransactionId], log.OfType<KeyRotationRequested>().Select(r => r.TransactionId));
            Assert.Equal([request.TransactionId], await DrillSupport.TransactionsInBlocksAsync(chain, downAtBlock, completed.BlockNum));
            Assert.Equal("dc2", completed.DataCenter);
            Assert.Empty(log.OfType<KeyRotationFailed>());

            var verify = await CliRunner.RunAsync("audit", "verify", "--store", store);
            Assert.True(verify.ExitCode == ExitCodes.Ok, verify.Out + verify.Error);
        }
        finally
        {
            foreach (var process in processes.Values.Where(p => !p.HasExited))
            {
                process.Kill(entireProcessTree: true);
            }

            foreach (var process in processes.Values)
            {
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>The built CLI (copied next to the tests), its output in a file of the drill's directory.</summary>
    private Process Start(string name, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "failover"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["NO_COLOR"] = "1" },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var output = new StreamWriter(Path.Combine(_directory.FullName, name + ".log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(output, e.Data);
        process.ErrorDataReceived += (_, e) => Write(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Write(StreamWriter output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.WriteLine(line);
            }
        }
    }

    private string Logs() => string.Join('\n', _directory.GetFiles("*.log").Select(f => $"--- {f.Name}\n{Tail(f)}"));

    private static string Tail(FileInfo file)
    {
        using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n');
        return string.Join('\n', lines.TakeLast(15));
    }

    private async Task<T> WaitFor<T>(string what, Dictionary<string, Process> running, Func<Task<T?>> probe, int pollMs = 100)
    {
        while (true)
        {
            Assert.False(running.Values.Any(p => p.HasExited), $"a process ended while waiting for {what}:\n{Logs()}");
            Assert.True(_elapsed.Elapsed < DrillLimit, $"no {what} within {DrillLimit.TotalSeconds} s real:\n{Logs()}");
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(pollMs);
        }
    }

    private static async Task<string?> GetStringOrNullAsync(HttpClient http, string url)
    {
        try
        {
            return await http.GetStringAsync(new Uri(url));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Rounds spanned by the chain stream (null-safe while PostgreSQL is away: none).</summary>
    private static async Task<int> RoundsRecordedAsync(string store, string chainId)
    {
        var slots = new List<uint>();
        await ReadAsync(store, Streams.Chain(chainId), e =>
        {
            if (e is BlockProduced block)
            {
                slots.Add(block.Slot);
            }
        });
        return slots.Count < 2 ? 0 : (int)((slots[^1] - slots[0]) / 252);
    }

    private sealed record RecordedRequest(KeyRotationRequested Request, string Recorder);

    private static async Task<RecordedRequest?> FirstRequestAsync(string store)
    {
        RecordedRequest? found = null;
        await ReadRecordsAsync(store, Streams.Failover(DrillSupport.Producer), (recorded, e) =>
        {
            if (found is null && e is KeyRotationRequested request)
            {
                found = new RecordedRequest(request, recorded.Metadata.ObserverId!);
            }
        });
        return found;
    }

    private static async Task<List<object>> ProcessEventsAsync(string store)
    {
        var events = new List<object>();
        await ReadAsync(store, Streams.Failover(DrillSupport.Producer), events.Add);
        return events;
    }

    private static Task ReadAsync(string store, string stream, Action<object> each) => ReadRecordsAsync(store, stream, (_, e) => each(e));

    /// <summary>A stream read from the store as an auditor would (read-only); while PostgreSQL restarts, nothing.</summary>
    private static async Task ReadRecordsAsync(string store, string stream, Action<RecordedEvent, object> each)
    {
        try
        {
            var location = StoreLocation.TryParse(store, out var parsed, out var problem) ? parsed! : throw new ArgumentException(problem, nameof(store));
            await using var events = await StoreOpener.OpenAsync(location, TimeProvider.System, CancellationToken.None, readOnly: true);
            await foreach (var recorded in events.ReadStreamAsync(stream, Direction.Forwards, 0, int.MaxValue))
            {
                if (DomainEvents.TryDeserialize(recorded) is { } e)
                {
                    each(recorded, e);
                }
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
        }
    }

    private string WriteConfig(string observer, string store, string sim, string chainId, DrillKeys keys, string keyFile)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Failover"] = new Dictionary<string, object>
            {
                ["ObserverId"] = observer,
                ["Store"] = store,
                ["Chain"] = new Dictionary<string, object> { ["Id"] = chainId, ["Endpoints"] = new[] { $"{sim}/node/api1", $"{sim}/node/api2" } },
                ["Producer"] = DrillSupport.Producer,
                ["DataCenters"] = new object[]
                {
                    new Dictionary<string, object> { ["Name"] = "dc1", ["Priority"] = 1, ["SigningKey"] = keys.Dc1Signing.ToString(), ["FinalizerKey"] = keys.Dc1Finalizer },
                    new Dictionary<string, object> { ["Name"] = "dc2", ["Priority"] = 2, ["SigningKey"] = keys.Dc2Signing.ToString(), ["FinalizerKey"] = keys.Dc2Finalizer },
                },
                ["Signer"] = new Dictionary<string, object> { ["Permission"] = "failover", ["KeyFile"] = keyFile },
            },
        });
        var path = Path.Combine(_directory.FullName, observer + ".json");
        File.WriteAllText(path, json, Encoding.UTF8);
        return path;
    }
}
