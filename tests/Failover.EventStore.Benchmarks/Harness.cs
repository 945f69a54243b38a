using System.Diagnostics;
using System.Globalization;

namespace Failover.EventStore.Benchmarks;

internal sealed record BenchmarkPlan(int Streams, int Batch1Appends, int Batch100Appends, int Repetitions, int RebuildEvents)
{
    public static BenchmarkPlan Full { get; } = new(Streams: 100, Batch1Appends: 2000, Batch100Appends: 200, Repetitions: 5, RebuildEvents: 1_000_000);

    public static BenchmarkPlan Dev { get; } = new(Streams: 100, Batch1Appends: 300, Batch100Appends: 30, Repetitions: 1, RebuildEvents: 300_000);

    public static BenchmarkPlan Quick { get; } = new(Streams: 100, Batch1Appends: 300, Batch100Appends: 30, Repetitions: 3, RebuildEvents: 100_000);
}

/// <summary>Runs an operation once to warm up, then <c>repetitions</c> times; keeps the median rate.</summary>
internal static class Measure
{
    public static async Task<double> EventsPerSecondAsync(int repetitions, Func<Task<long>> operation)
    {
        await operation();
        var rates = new List<double>();
        for (var i = 0; i < repetitions; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var events = await operation();
            rates.Add(events / stopwatch.Elapsed.TotalSeconds);
        }

        rates.Sort();
        return rates[rates.Count / 2];
    }
}

internal sealed class Report
{
    private readonly List<(string Target, string Operation, double Rate)> _rows = [];

    public void Add(string target, string operation, double rate)
    {
        _rows.Add((target, operation, rate));
        Console.Error.WriteLine($"{target,-28} {operation,-32} {rate,14:N0} events/s");
    }

    public double? Rate(string target, string operation) =>
        _rows.Where(r => r.Target == target && r.Operation == operation).Select(r => (double?)r.Rate).FirstOrDefault();

    public void Print(BenchmarkPlan plan)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"| target | operation | events/s |");
        Console.WriteLine("|---|---|---:|");
        foreach (var (target, operation, rate) in _rows)
        {
            Console.WriteLine(string.Create(c, $"| {target} | {operation} | {rate:N0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| ratio | value |");
        Console.WriteLine("|---|---:|");
        foreach (var operation in _rows.Select(r => r.Operation).Distinct())
        {
            var ours = Rate(PostgresTarget.Name, operation);
            foreach (var marten in _rows.Where(r => r.Operation == operation && r.Target.StartsWith("Marten", StringComparison.Ordinal)))
            {
                if (ours is { } o)
                {
                    Console.WriteLine(string.Create(c, $"| our PostgreSQL / {marten.Target}, {operation} | {o / marten.Rate:N2} |"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"Plan: {plan.Streams} streams, batch-1 appends {plan.Batch1Appends}, batch-100 appends {plan.Batch100Appends}, "
            + $"median of {plan.Repetitions} repetitions after one warm-up, rebuild log {plan.RebuildEvents:N0} events."));
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
