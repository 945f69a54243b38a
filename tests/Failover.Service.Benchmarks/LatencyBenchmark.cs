using System.Diagnostics;
using OsProcess = System.Diagnostics.Process;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Service.Storage;
using Failover.Simulator;
using Failover.Simulator.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Failover.Service.Benchmarks;

/// <summary>
/// Issue 16.7: from the evidence block received to the rotation's transaction pushed, in real time over HTTP. Each drill
/// is a fresh simulated chain (six minutes of history, real clock) served by this process on loopback, and a fresh
/// <c>failover run</c> process — the built CLI, default policy, SQLite store — so the decision's code runs cold, as it
/// does at a real service's first incident. dc1 goes down; the decision records the head it was taken at. The simulator
/// times both ends: when it finished sending that block's <c>get_block</c> answer, and when the push arrived.
/// <c>--trace</c> lists every chain call in between; with <c>JITLOG=path</c> in the environment each service writes the
/// methods its JIT compiled there (what runs cold at the incident).
/// </summary>
internal static class LatencyBenchmark
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PushDeadline = TimeSpan.FromSeconds(90);

    public static async Task<int> RunAsync(string[] args)
    {
        var drills = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } count ? int.Parse(count, CultureInfo.InvariantCulture) : 20;
        var trace = args.Contains("--trace");
        var failover = Option(args, "--failover") ?? Path.Combine("src", "Failover.Host", "bin", "Release", "net10.0", "failover");
        if (!File.Exists(failover))
        {
            await Console.Error.WriteLineAsync($"{failover} not found: build it first (dotnet build -c Release src/Failover.Host) or give --failover PATH.");
            return 2;
        }

        Console.WriteLine($"Latency: {drills} drills (after one warm-up drill that warms the simulator, not counted), each a fresh simulated chain on loopback and a fresh `{failover} run` process.");
        var results = new List<Drill>();
        for (var i = 0; i <= drills; i++)
        {
            var drill = await DrillAsync(failover, i, trace);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(i == 0 ? "warm-up  " : $"drill {i,3}")}: {drill.Kind,-16} evidence block {drill.EvidenceBlock,5}  sent → decision recorded {drill.ToDecided,6:0.0} ms  → push arrived {drill.ToPush,6:0.0} ms"));
            if (i > 0)
            {
                results.Add(drill);
            }
        }

        var pushes = results.Select(r => r.ToPush).Order().ToArray();
        var decided = results.Select(r => r.ToDecided).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"evidence block → push, {pushes.Length} drills: median {Percentile(pushes, 0.5):0.0} ms, p90 {Percentile(pushes, 0.9):0.0} ms, p99 {Percentile(pushes, 0.99):0.0} ms, max {pushes[^1]:0.0} ms (decision recorded: median {Percentile(decided, 0.5):0.0} ms, max {decided[^1]:0.0} ms)"));
        return 0;
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;

    /// <summary>Nearest-rank percentile of sorted values (with fewer than 100 values, p99 is the maximum).</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed record Drill(string Kind, uint EvidenceBlock, double ToDecided, double ToPush);

    private static async Task<Drill> DrillAsync(string failover, int index, bool trace)
    {
        var simulator = new ChainSimulator(new SimulationOptions { Seed = $"latency-{index}", GenesisTime = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(6) }, TimeProvider.System);
        var calls = new CallLog();
        await using var chain = SimulatorHost.Build(simulator, ["http://127.0.0.1:0"]);
        chain.Use(calls.TimeAsync);
        await chain.StartAsync();
        var directory = Directory.CreateTempSubdirectory("failover-latency-");
        try
        {
            var config = WriteConfiguration(simulator, chain.Urls.First().TrimEnd('/'), directory);
            using (var service = OsProcess.Start(new ProcessStartInfo(failover)
            {
                ArgumentList = { "run", "--config", config, "--urls", "http://127.0.0.1:0" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["DOTNET_JitDisasmSummary"] = Environment.GetEnvironmentVariable("JITLOG") is null ? null : "1", ["DOTNET_JitStdOutFile"] = Environment.GetEnvironmentVariable("JITLOG") },
            })!)
            {
                var output = Task.WhenAll(service.StandardOutput.ReadToEndAsync(), service.StandardError.ReadToEndAsync());
                await Task.Delay(Settle);
                if (service.HasExited)
                {
                    throw new InvalidOperationException($"failover run exited with {service.ExitCode}: {string.Concat(await output)}");
                }

                simulator.SetNodeDown($"{simulator.Roster.OurProducer}/dc1", down: true);
                await calls.PushArrived.WaitAsync(PushDeadline);
                await Task.Delay(TimeSpan.FromSeconds(1)); // lets the service record the push's answer before it stops
                using (var terminate = OsProcess.Start("kill", ["-TERM", service.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await terminate.WaitForExitAsync();
                }

                await service.WaitForExitAsync();
                await output;
            }

            return await MeasureAsync(Path.Combine(directory.FullName, "failover.db"), calls, trace);
        }
        finally
        {
            await chain.StopAsync();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<Drill> MeasureAsync(string storePath, CallLog calls, bool trace)
    {
        FailoverTriggered? triggered = null;
        DateTimeOffset decidedAt = default;
        await using (var store = await StoreOpener.OpenAsync(new StoreLocation(StoreKind.Sqlite, storePath), TimeProvider.System, CancellationToken.None))
        {
            await foreach (var recorded in store.ReadAllAsync(0, long.MaxValue))
            {
                if (DomainEvents.TryDeserialize(recorded) is FailoverTriggered decision)
                {
                    (triggered, decidedAt) = (decision, recorded.RecordedAt);
                    break;
                }
            }
        }

        if (triggered is null)
        {
            throw new InvalidOperationException("A push arrived with no decision recorded.");
        }

        var head = triggered.Evidence.Chain.HeadBlockNum;
        var sent = calls.BlockSent(head) ?? throw new InvalidOperationException($"Block {head} was never served by get_block.");
        var push = calls.Entries.First(c => c.IsPush);
        if (trace)
        {
            foreach (var call in calls.Entries.Where(c => c.Completed >= sent.Completed && c.Arrived <= push.Arrived))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    +{Ms(sent.Completed, call.Arrived),7:0.0} ms … +{Ms(sent.Completed, call.Completed),7:0.0} ms  {call.Path}{(call.BlockNum is { } n ? $" {n}" : "")}"));
            }
        }

        return new Drill(
            triggered.Evidence.Incident?.Kind is { } kind ? JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString()) : "manual",
            head,
            (decidedAt - calls.WallClock(sent.Completed)).TotalMilliseconds,
            Ms(sent.Completed, push.Arrived));
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>The service's configuration as an operator writes it: the simulated chain, our data centers, the permission's key file.</summary>
    private static string WriteConfiguration(ChainSimulator simulator, string url, DirectoryInfo directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The service's key file checks are Unix file modes.");
        }

        var roster = simulator.Roster;
        var keyFile = Path.Combine(directory.FullName, "failover.key");
        File.WriteAllText(keyFile, roster.Accounts.Single(a => a.Account == roster.OurProducer).Permissions[Roster.FailoverPermission].ExportPvtK1());
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var history = simulator.View().Head.Number;
        var configuration = new JsonObject
        {
            ["Failover"] = new JsonObject
            {
                ["ObserverId"] = "latency",
                ["Store"] = "sqlite:" + Path.Combine(directory.FullName, "failover.db"),
                ["Chain"] = new JsonObject
                {
                    ["Id"] = simulator.ChainId.ToString(),
                    ["Endpoints"] = new JsonArray([.. simulator.Options.ApiNodes.Select(node => JsonValue.Create($"{url}/node/{node}"))]),
                },
                ["Producer"] = roster.OurProducer.ToString(),
                ["DataCenters"] = new JsonArray([.. roster.NodesOf(roster.OurProducer).Select((node, i) => new JsonObject
                {
                    ["Name"] = node.DataCenter,
                    ["Priority"] = i + 1,
                    ["SigningKey"] = node.SigningKey.PublicKey.ToString(),
                    ["FinalizerKey"] = node.FinalizerKey,
                })]),
                ["Signer"] = new JsonObject { ["Permission"] = Roster.FailoverPermission.ToString(), ["KeyFile"] = keyFile },
                // Two and a half rounds of history, so the participation of a full round is known at once.
                ["Observer"] = new JsonObject { ["FromBlock"] = (history - 600).ToString(CultureInfo.InvariantCulture) },
            },
        };
        var path = Path.Combine(directory.FullName, "failover.json");
        File.WriteAllText(path, configuration.ToJsonString());
        return path;
    }

    /// <summary>Every chain call the simulator served: its path, when it arrived and when its answer was sent (Stopwatch ticks).</summary>
    private sealed class CallLog
    {
        private readonly Lock _gate = new();
        private readonly List<Call> _calls = [];
        private readonly TaskCompletionSource _pushArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly long _originTicks = Stopwatch.GetTimestamp();
        private readonly DateTimeOffset _originTime = DateTimeOffset.UtcNow;

        public Task PushArrived => _pushArrived.Task;

        public IReadOnlyList<Call> Entries
        {
            get
            {
                lock (_gate)
                {
                    return [.. _calls.OrderBy(c => c.Arrived)];
                }
            }
        }

        /// <summary>The first time the answer for block <paramref name="number"/> left <c>get_block</c>.</summary>
        public Call? BlockSent(uint number) => Entries.Where(c => c.BlockNum == number).MinBy(c => c.Completed);

        /// <summary>A Stopwatch timestamp as the wall clock the store records with.</summary>
        public DateTimeOffset WallClock(long ticks) => _originTime + Stopwatch.GetElapsedTime(_originTicks, ticks);

        /// <summary>Middleware: times each chain call; a push is timed on arrival, every other call when its answer has been sent.</summary>
        public async Task TimeAsync(HttpContext context, RequestDelegate next)
        {
            var arrived = Stopwatch.GetTimestamp();
            var path = context.Request.Path.Value ?? string.Empty;
            var isPush = path.EndsWith("/push_transaction", StringComparison.Ordinal) || path.EndsWith("/send_transaction2", StringComparison.Ordinal);
            if (isPush)
            {
                Add(new Call(path, arrived, arrived, null, IsPush: true));
                _pushArrived.TrySetResult();
                await next(context);
                return;
            }

            uint? blockNum = null;
            if (path.EndsWith("/get_block", StringComparison.Ordinal))
            {
                context.Request.EnableBuffering();
                using (var body = await JsonDocument.ParseAsync(context.Request.Body))
                {
                    var id = body.RootElement.GetProperty("block_num_or_id");
                    blockNum = id.ValueKind == JsonValueKind.Number ? id.GetUInt32() : uint.Parse(id.GetString()!, CultureInfo.InvariantCulture);
                }

                context.Request.Body.Position = 0;
            }

            context.Response.OnCompleted(() =>
            {
                Add(new Call(path, arrived, Stopwatch.GetTimestamp(), blockNum, IsPush: false));
                return Task.CompletedTask;
            });
            await next(context);
        }

        private void Add(Call call)
        {
            lock (_gate)
            {
                _calls.Add(call);
            }
        }
    }

    private sealed record Call(string Path, long Arrived, long Completed, uint? BlockNum, bool IsPush);
}
