using System.Diagnostics;
using System.Globalization;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Service.Configuration;
using Failover.Service.Observation;
using Failover.Service.Storage;
using Failover.Simulator;
using Failover.Simulator.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Failover.EventStore;

if (args is ["latency", .. var latencyArgs])
{
    return await Failover.Service.Benchmarks.LatencyBenchmark.RunAsync(latencyArgs);
}

// The observer's backfill rate: a simulated chain of N blocks served over HTTP by the simulator's host (Kestrel on
// loopback), and an observer with FromBlock 2 (after the genesis block) reading it into a fresh SQLite store until it is caught up.
// Usage: dotnet run -c Release --project tests/Failover.Service.Benchmarks -- [blocks=40000] [rounds=3] [concurrency=32]
// (… -- latency [drills=20] [--trace] [--failover PATH]: evidence block received → rotation pushed, LatencyBenchmark.cs)
var blocks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;

var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
var simulator = new ChainSimulator(new SimulationOptions { Seed = "backfill" }, clock);
clock.Advance(TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs * (blocks + 1L)));
var head = simulator.View().Head;
// A node serves blocks it already signed; the simulator signs lazily, so sign them all before timing.
foreach (var block in simulator.View().Blocks)
{
    _ = block.ProducerSignature;
}

await using var app = SimulatorHost.Build(simulator, ["http://127.0.0.1:0"], produceInBackground: false);
await app.StartAsync();
var url = new Uri(app.Urls.First());
Console.WriteLine($"Simulated chain: {head.Number} blocks (Savanna, 21 producers) served on {url}; observer concurrency {concurrency}, batch 1000, SQLite store.");

if (Environment.GetEnvironmentVariable("FETCH_ONLY") == "1")
{
    using var fetchHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = Timeout.InfiniteTimeSpan };
    var endpoint = new ChainEndpoint(url, new Failover.Antelope.Chain.ChainApiClient(fetchHttp, new Failover.Antelope.Chain.ChainApiOptions { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) }));
    var fetchWatch = Stopwatch.StartNew();
    for (uint from = 2; from <= head.Number; from += 1000)
    {
        await endpoint.ReadBlocksAsync(from, Math.Min(head.Number, from + 999), 0, concurrency, CancellationToken.None);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fetch only: {head.Number / fetchWatch.Elapsed.TotalSeconds:N0} blocks/s"));
}

// EARLY=1: the policy failover run defaults to, with Savanna early detection on: blocks are read with get_block (for the
// quorum certificate) and each poll also reads get_finalizer_info. Without it: get_block_info, as before issue 16.
var policy = Environment.GetEnvironmentVariable("EARLY") == "1" ? FailoverPolicy.ServiceDefault : new FailoverPolicy();
Console.WriteLine($"Early detection {(policy.FinalizerSilence is null ? "off (get_block_info)" : "on (get_block with the certificate)")}.");
var rates = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var directory = Directory.CreateTempSubdirectory("failover-backfill-");
    var settings = new FailoverSettings(
        "bench", new StoreLocation(StoreKind.Sqlite, Path.Combine(directory.FullName, "failover.db")), simulator.ChainId, [url],
        ConsensusKind.Savanna, simulator.Roster.OurProducer,
        [.. simulator.Roster.NodesOf(simulator.Roster.OurProducer).Select((n, i) => new DataCenter(n.DataCenter, i + 1, n.SigningKey.PublicKey, n.FinalizerKey, null))],
        new SignerSettings(Roster.FailoverPermission, null, null), policy, true,
        ObserverSettings.Default with { FromBlock = 2, BackfillConcurrency = concurrency, RequestTimeout = TimeSpan.FromSeconds(30) },
        new ApiSettings(null, null, false));
    await using (var store = await StoreOpener.OpenAsync(settings.Store, TimeProvider.System, CancellationToken.None))
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = Timeout.InfiniteTimeSpan };
        var observer = new Observer(settings, store, http, clock, NullLogger.Instance);
        var watch = Stopwatch.StartNew();
        PollOutcome outcome;
        var appended = 0;
        do
        {
            outcome = await observer.PollOnceAsync(CancellationToken.None);
            appended += outcome.ChainEventsAppended;
        }
        while (outcome.Behind || (observer.Chain.Head?.Number ?? 0) < head.Number && outcome.Problem is null);

        if (outcome.Problem is not null || observer.Chain.Head?.Number != head.Number)
        {
            throw new InvalidOperationException($"The observer stopped at {observer.Chain.Head?.Number} of {head.Number}: {outcome.Problem}");
        }

        watch.Stop();
        var rate = head.Number / watch.Elapsed.TotalSeconds;
        rates.Add(rate);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round}: {head.Number} blocks ({appended} chain events) in {watch.Elapsed.TotalSeconds:0.00} s = {rate:N0} blocks/s"));
    }

    directory.Delete(recursive: true);
}

rates.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median {rates[rates.Count / 2]:N0} blocks/s, min {rates[0]:N0}, max {rates[^1]:N0} (target 5,000)"));
await app.StopAsync();
return 0;
