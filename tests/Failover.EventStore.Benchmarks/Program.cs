// Event store throughput: our SQLite and PostgreSQL adapters and Marten on the same PostgreSQL server, in one run.
// Not a test. Run (Release):
//   dotnet run -c Release --project tests/Failover.EventStore.Benchmarks [-- --quick]
//   dotnet run -c Release --project tests/Failover.EventStore.Benchmarks -- --stall [--batch 5000] [--quick]
// --stall measures live-append latency while a projection rebuild runs on the same SQLite store (SQLite only).
// PostgreSQL: FAILOVER_TEST_POSTGRES or the local cluster started by scripts/postgres-up.sh.
// Targets are measured interleaved (each repetition runs every target once), so load from other processes on a shared
// machine hits them alike; each figure is the median over the repetitions.
using Failover.EventStore.Benchmarks;

var plan = args.Contains("--quick") ? BenchmarkPlan.Quick : BenchmarkPlan.Full;
var connectionString = Environment.GetEnvironmentVariable("FAILOVER_TEST_POSTGRES") is { Length: > 0 } configured
    ? configured
    : "Host=127.0.0.1;Port=5432;Username=failover;Password=failover;Database=failover";
var workDirectory = Path.Combine(Path.GetTempPath(), "failover-bench-" + Environment.ProcessId);
Directory.CreateDirectory(workDirectory);
if (args.Contains("--stall"))
{
    var batch = args.SkipWhile(a => a != "--batch").Skip(1).Select(int.Parse).FirstOrDefault(5000);
    try
    {
        await AppendStall.RunAsync(workDirectory, plan.RebuildEvents, rounds: plan.Repetitions, batch);
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(workDirectory, recursive: true);
    }

    return;
}

var report = new Report();
try
{
    IBenchmarkTarget[] targets =
    [
        new SqliteTarget(Path.Combine(workDirectory, "bench.db")),
        new PostgresTarget(connectionString),
        new MartenTarget(connectionString),
    ];
    foreach (var target in targets)
    {
        await target.SetUpAsync(plan);
    }

    await Measure.InterleavedAsync(report, plan, "append, batch 1", targets, t => t.AppendAsync(plan.Batch1Appends, 1));
    await Measure.InterleavedAsync(report, plan, "append, batch 100", targets, t => t.AppendAsync(plan.Batch100Appends, 100));
    await Measure.InterleavedAsync(report, plan, "read all", targets, t => t.ReadAllAsync());
    foreach (var target in targets)
    {
        await target.DisposeAsync();
    }

    await using var rebuild = new SqliteRebuild(Path.Combine(workDirectory, "rebuild.db"));
    await rebuild.SetUpAsync(plan);
    await Measure.InterleavedAsync(report, plan, $"read all, {plan.RebuildEvents:N0}-event log", [rebuild], t => t.ReadAllAsync());
    await Measure.InterleavedAsync(report, plan, $"rebuild, {plan.RebuildEvents:N0}-event log", [rebuild], _ => rebuild.RebuildAsync());
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(workDirectory, recursive: true);
    await using var connection = new Npgsql.NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var drop = new Npgsql.NpgsqlCommand("DROP SCHEMA IF EXISTS bench_failover, bench_marten CASCADE", connection);
    await drop.ExecuteNonQueryAsync();
}

report.Print(plan);
