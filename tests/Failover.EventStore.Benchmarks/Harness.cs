using System.Diagnostics;
using System.Globalization;

namespace Failover.EventStore.Benchmarks;

internal sealed record BenchmarkPlan(int Streams, int Batch1Appends, int Batch100Appends, int Repetitions, int RebuildEvents)
{
    public static BenchmarkPlan Full { get; } = new(Streams: 100, Batch1Appends: 1000, Batch100Appends: 100, Repetitions: 7, RebuildEvents: 1_000_000);

    public static BenchmarkPlan Quick { get; } = new(Streams: 100, Batch1Appends: 200, Batch100Appends: 20, Repetitions: 3, RebuildEvents: 100_000);
}

internal interface IBenchmarkTarget : IAsyncDisposable
{
    string Name { get; }

    Task SetUpAsync(BenchmarkPlan plan);

    /// <summary>Appends <paramref name="appends"/> batches of <paramref name="batch"/> events; returns the event count.</summary>
    Task<long> AppendAsync(int appends, int batch);

    /// <summary>Reads the whole log; returns the event count.</summary>
    Task<long> ReadAllAsync();
}

internal static class Measure
{
    /// <summary>One warm-up round, then <c>Repetitions</c> rounds running every target once; reports each target's median rate.</summary>
    public static async Task InterleavedAsync<T>(
        Report report, BenchmarkPlan plan, string operation, IReadOnlyList<T> targets, Func<T, Task<long>> run)
        where T : IBenchmarkTarget
    {
        var rates = targets.ToDictionary(t => t.Name, _ => new List<double>());
        for (var round = 0; round <= plan.Repetitions; round++)
        {
            foreach (var target in targets)
            {
                var stopwatch = Stopwatch.StartNew();
                var events = await run(target);
                if (round > 0)
                {
                    rates[target.Name].Add(events / stopwatch.Elapsed.TotalSeconds);
                }
            }
        }

        foreach (var target in targets)
        {
            var sorted = rates[target.Name].Order().ToList();
            report.Add(target.Name, operation, sorted[sorted.Count / 2], sorted[0], sorted[^1]);
        }
    }
}

internal sealed class Report
{
    private readonly List<(string Target, string Operation, double Median, double Min, double Max)> _rows = [];

    public void Add(string target, string operation, double median, double min, double max)
    {
        _rows.Add((target, operation, median, min, max));
        Console.Error.WriteLine($"{target,-30} {operation,-32} {median,12:N0} events/s (min {min:N0}, max {max:N0})");
    }

    public void Print(BenchmarkPlan plan)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine("| target | operation | events/s (median) | min | max |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var (target, operation, median, min, max) in _rows)
        {
            Console.WriteLine(string.Create(c, $"| {target} | {operation} | {median:N0} | {min:N0} | {max:N0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| ratio (medians) | value |");
        Console.WriteLine("|---|---:|");
        foreach (var ours in _rows.Where(r => r.Target == PostgresTarget.TargetName))
        {
            foreach (var marten in _rows.Where(r => r.Operation == ours.Operation && r.Target == MartenTarget.TargetName))
            {
                Console.WriteLine(string.Create(c, $"| our PostgreSQL / Marten, {ours.Operation} | {ours.Median / marten.Median:N2} |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"Plan: {plan.Streams} streams; per repetition {plan.Batch1Appends} batch-1 appends and {plan.Batch100Appends} "
            + $"batch-100 appends per target; {plan.Repetitions} repetitions after one warm-up round, interleaved across targets; "
            + $"rebuild log {plan.RebuildEvents:N0} events; {Environment.ProcessorCount} logical CPUs."));
    }
}

internal static class Payloads
{
    /// <summary>A ~200-byte JSON event, the size of a block observation.</summary>
    public static BlockObserved Block(long n) => new(
        "eosnationftw", n, "0000" + n.ToString("x12", CultureInfo.InvariantCulture) + "2c5e7b0f1e8fd4a6b30a4bb4c1c7a54a6f0d3a0f6c1e2d3",
        DateTimeOffset.UnixEpoch.AddSeconds(n / 2.0), 12);
}

public sealed record BlockObserved(string Producer, long BlockNum, string BlockId, DateTimeOffset Timestamp, int ScheduleVersion);

[System.Text.Json.Serialization.JsonSerializable(typeof(BlockObserved))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
internal sealed partial class BenchmarkJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
