using System.Diagnostics;
using System.Globalization;
using Failover.BlocksLost.Benchmarks;
using Failover.Simulator;

// Blocks lost by our producer when dc1 dies, by the moment of the outage, for four systems on the same simulated chains
// (issue 16): the service as configured by default (early detection on), the service with early detection off
// (reactive: 12 missed blocks), a naive observer following the most-used public script's scheme, and an oracle that
// pushes the rotation at the instant of the outage (the floor). Virtual time; the service is the scenario tests' rig.
// Usage: dotnet run -c Release --project tests/Failover.BlocksLost.Benchmarks -- [seeds=3] [modes=savanna,legacy] [out=docs/benchmarks]
var seeds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var modes = (args.Length > 1 ? args[1] : "savanna,legacy").Split(',').Select(m => m == "legacy" ? ConsensusMode.Legacy : ConsensusMode.Savanna).ToList();
var output = new DirectoryInfo(args.Length > 2 ? args[2] : Path.Combine("docs", "benchmarks"));
output.Create();

var runs = (from mode in modes
            from seed in Enumerable.Range(1, seeds)
            from offset in OutageMoments.All
            from system in Systems.For(mode)
            select new RunSpec(mode, seed, offset, system)).ToList();
Console.WriteLine($"{runs.Count} runs: {string.Join(", ", modes)} × {seeds} seeds × {OutageMoments.All.Count} outage moments × the systems ({string.Join(", ", Systems.All)}; {Systems.Probes} on legacy only); {Environment.ProcessorCount} cores.");

var watch = Stopwatch.StartNew();
var results = new List<RunResult>();
await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (spec, _) =>
{
    var result = await BlocksLostRun.RunAsync(spec);
    lock (results)
    {
        results.Add(result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{results.Count}/{runs.Count} {watch.Elapsed:hh\\:mm\\:ss}] {spec.Mode} seed {spec.Seed} outage {spec.SecondsBeforeOurWindow,5:0.0} s before our window, {spec.System,-8}: lost {result.Lost,3}, push {Report.Seconds(result.OutageToPush)}"));
    }
});

var ordered = results.OrderBy(r => r.Spec.Mode).ThenBy(r => r.Spec.System).ThenBy(r => r.Spec.SecondsBeforeOurWindow).ThenBy(r => r.Spec.Seed).ToList();
await File.WriteAllLinesAsync(Path.Combine(output.FullName, "blocks-lost.csv"), Report.Csv(ordered));
await File.WriteAllTextAsync(Path.Combine(output.FullName, "blocks-lost.svg"), Chart.Svg(ordered));
var table = Report.Markdown(ordered);
await File.WriteAllTextAsync(Path.Combine(output.FullName, "blocks-lost.md"), table);
Console.WriteLine();
Console.WriteLine(table);
Console.WriteLine($"Wrote blocks-lost.csv, blocks-lost.svg and blocks-lost.md to {output.FullName} in {watch.Elapsed:hh\\:mm\\:ss}.");
