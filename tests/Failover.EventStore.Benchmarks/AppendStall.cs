using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Failover.EventStore.Projections;
using Failover.EventStore.Sqlite;
using Projections = Failover.EventStore.Projections;

namespace Failover.EventStore.Benchmarks;

/// <summary>
/// How long a live append waits while a projection rebuild runs on the same SQLite store: one append of one event every
/// 10 ms (the rate of an observer that appends each block as it sees it, with margin), timed one by one, while
/// <see cref="ProjectionRunner.RebuildAsync"/> replays a 1,000,000-event log. Reports the longest, 99th-percentile and
/// median append latency, the same alone (no rebuild) for reference, and the rebuild's rate.
/// </summary>
internal static class AppendStall
{
    private static readonly TimeSpan AppendInterval = TimeSpan.FromMilliseconds(10);

    public static async Task RunAsync(string workDirectory, int logEvents, int rounds, int batchSize)
    {
        var path = Path.Combine(workDirectory, "stall.db");
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadPageSize = 5000 });
        await FillAsync(store, logEvents);
        var runner = new ProjectionRunner(store, store, batchSize);
        var projection = new BlocksPerProducer();
        var live = new LiveAppender(store);

        var alone = await live.AppendUntilAsync(Task.Delay(TimeSpan.FromSeconds(20)));
        Console.Error.WriteLine($"alone: {Describe(alone)}");
        await runner.RebuildAsync(projection); // warm-up round
        var rows = new List<(List<double> Latencies, double RebuildRate)>();
        for (var round = 0; round < rounds; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            // The runner works on its own thread, as a hosted projection does: SQLite work is synchronous underneath.
            var rebuild = Task.Run(() => runner.RebuildAsync(projection));
            var latencies = await live.AppendUntilAsync(rebuild);
            var rate = await rebuild / stopwatch.Elapsed.TotalSeconds;
            rows.Add((latencies, rate));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {Describe(latencies)}; rebuild {rate:N0} events/s"));
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine("| live append, batch 1, every 10 ms | appends | median ms | p99 ms | max ms | rebuild events/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(c, $"| alone (no rebuild) | {alone.Count} | {Percentile(alone, 0.5):F2} | {Percentile(alone, 0.99):F2} | {alone.Max():F2} | – |"));
        for (var round = 0; round < rows.Count; round++)
        {
            var (latencies, rate) = rows[round];
            Console.WriteLine(string.Create(c,
                $"| during rebuild, round {round + 1} | {latencies.Count} | {Percentile(latencies, 0.5):F2} | {Percentile(latencies, 0.99):F2} | {latencies.Max():F2} | {rate:N0} |"));
        }

        List<double> all = [.. rows.SelectMany(r => r.Latencies)];
        var rates = rows.Select(r => r.RebuildRate).Order().ToList();
        Console.WriteLine(string.Create(c,
            $"| during rebuild, all rounds | {all.Count} | {Percentile(all, 0.5):F2} | {Percentile(all, 0.99):F2} | {all.Max():F2} | {rates[rates.Count / 2]:N0} (median; {rates[0]:N0}–{rates[^1]:N0}) |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"Plan: {logEvents:N0}-event SQLite log (synchronous=FULL), rebuild batch {batchSize:N0} events, {rounds} rounds after one warm-up; "
            + $"{Environment.ProcessorCount} logical CPUs."));
    }

    private static async Task FillAsync(IEventStore store, int events)
    {
        for (var n = 0; n < events;)
        {
            var batch = new EventData[1000];
            for (var j = 0; j < batch.Length; j++, n++)
            {
                batch[j] = new EventData(Guid.CreateVersion7(), "block-observed.v1",
                    JsonSerializer.SerializeToUtf8Bytes(Payloads.Block(n), BenchmarkJsonContext.Default.BlockObserved));
            }

            await store.AppendToStreamAsync($"producer-{n / 1000 % 100}", ExpectedVersion.Any, batch);
        }
    }

    private static string Describe(List<double> latencies) => string.Create(CultureInfo.InvariantCulture,
        $"{latencies.Count} appends, median {Percentile(latencies, 0.5):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, max {latencies.Max():F2} ms");

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(List<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Appends one block observation every 10 ms to its own stream and times each append.</summary>
    private sealed class LiveAppender(IEventStore store)
    {
        private long _next;

        public async Task<List<double>> AppendUntilAsync(Task done)
        {
            var latencies = new List<double>();
            using var timer = new PeriodicTimer(AppendInterval);
            do
            {
                var data = new EventData(Guid.CreateVersion7(), "block-observed.v1",
                    JsonSerializer.SerializeToUtf8Bytes(Payloads.Block(++_next), BenchmarkJsonContext.Default.BlockObserved));
                var (started, paused) = (Stopwatch.GetTimestamp(), GC.GetTotalPauseDuration());
                await store.AppendToStreamAsync("live", ExpectedVersion.Any, [data]);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (latencies[^1] > 50)
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  slow append: {latencies[^1]:F1} ms, of which GC pauses {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F1} ms"));
                }
            }
            while (!done.IsCompleted && await timer.WaitForNextTickAsync());

            await done;
            return latencies;
        }
    }

    /// <summary>The rebuild benchmark's projection: one JSON document per producer stream, updated by every event.</summary>
    private sealed class BlocksPerProducer : IProjection
    {
        public string Name => "blocks-per-producer";

        public async ValueTask ApplyAsync(RecordedEvent recorded, Projections.IDocumentSession documents, CancellationToken cancellationToken)
        {
            var count = await documents.LoadAsync(recorded.Stream, BenchmarkJsonContext.Default.Int64, cancellationToken);
            documents.Store(recorded.Stream, count + 1, BenchmarkJsonContext.Default.Int64);
        }
    }
}
