using System.Diagnostics;
using System.Globalization;
using Failover.Service.Tests.Campaign;

// The fault campaign's long form (issue 17.1; the CI sample is FaultCampaignTests). Each seed draws a schedule of faults
// (FaultSchedule.Draw) and runs it in virtual time with the invariants checked (FaultCampaign); a failing seed prints
// its schedule and what it broke, and replays alone with `-- seed N`.
// Usage: dotnet run -c Release --project tests/Failover.FaultCampaign -- [first=1] [count=100] [minutes=15] [parallel=2]
//        dotnet run -c Release --project tests/Failover.FaultCampaign -- seed N [minutes=15]
if (args is ["seed", var one, .. var rest])
{
    var schedule = FaultSchedule.Draw(int.Parse(one, CultureInfo.InvariantCulture), Minutes(rest, 0));
    Console.WriteLine(schedule);
    var outcome = await FaultCampaign.RunAsync(schedule);
    Console.WriteLine(outcome);
    return outcome.Passed ? 0 : 1;
}

var first = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var length = Minutes(args, 2);
var parallel = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2;
Console.WriteLine($"Fault campaign: seeds {first}–{first + count - 1}, {length.TotalMinutes:0} min of faults each, {parallel} at a time.");
var watch = Stopwatch.StartNew();
var outcomes = new List<CampaignOutcome>();
await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (seed, _) =>
{
    var outcome = await FaultCampaign.RunAsync(FaultSchedule.Draw(seed, length));
    lock (outcomes)
    {
        outcomes.Add(outcome);
        if (!outcome.Passed)
        {
            Console.WriteLine(outcome);
        }
        else if (outcomes.Count % 50 == 0)
        {
            Console.WriteLine($"{outcomes.Count} seeds run, {outcomes.Count(o => !o.Passed)} failed ({watch.Elapsed.TotalMinutes:0} min)");
        }
    }
});

var faults = outcomes.SelectMany(o => o.Schedule.Faults).GroupBy(f => f.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
var failed = outcomes.Where(o => !o.Passed).Select(o => o.Schedule.Seed).Order().ToList();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{outcomes.Count} seeds ({outcomes.Count(o => o.Schedule.Consensus == Failover.Simulator.ConsensusMode.Savanna)} Savanna), {outcomes.Sum(o => o.Schedule.Faults.Count)} faults drawn ({string.Join(", ", faults)}); " +
    $"{outcomes.Sum(o => o.Rotations)} rotations requested, {outcomes.Sum(o => o.Crashes)} crashes, {outcomes.Sum(o => o.Pushes)} pushes; " +
    $"invariant violations: {outcomes.Sum(o => o.Violations.Count)} in {failed.Count} seeds{(failed.Count > 0 ? " (" + string.Join(", ", failed) + ")" : "")}; {watch.Elapsed.TotalMinutes:0.0} min"));
return failed.Count == 0 ? 0 : 1;

static TimeSpan Minutes(string[] args, int at) =>
    TimeSpan.FromMinutes(args.Length > at ? double.Parse(args[at], CultureInfo.InvariantCulture) : FaultCampaignTests.Length.TotalMinutes);
