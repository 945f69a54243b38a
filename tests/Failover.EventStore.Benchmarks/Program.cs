// Event store throughput: our SQLite and PostgreSQL adapters and Marten on the same PostgreSQL server, in one run.
// Not a test. Run (Release):
//   dotnet run -c Release --project tests/Failover.EventStore.Benchmarks [-- --quick] [--rebuild-only]
// PostgreSQL: FAILOVER_TEST_POSTGRES or the local cluster started by scripts/postgres-up.sh.
using Failover.EventStore.Benchmarks;

var quick = args.Contains("--quick");
var rebuildOnly = args.Contains("--rebuild-only");
var connectionString = Environment.GetEnvironmentVariable("FAILOVER_TEST_POSTGRES") is { Length: > 0 } configured
    ? configured
    : "Host=127.0.0.1;Port=5432;Username=failover;Password=failover;Database=failover";
var plan = args.Contains("--dev") ? BenchmarkPlan.Dev : quick ? BenchmarkPlan.Quick : BenchmarkPlan.Full;
var report = new Report();
var workDirectory = Path.Combine(Path.GetTempPath(), "failover-bench-" + Environment.ProcessId);
Directory.CreateDirectory(workDirectory);
try
{
    if (!rebuildOnly)
    {
        await new SqliteTarget(Path.Combine(workDirectory, "bench.db")).RunAsync(plan, report);
        await new PostgresTarget(connectionString).RunAsync(plan, report);
        await new MartenTarget(connectionString).RunAsync(plan, report);
    }

    await new SqliteRebuild(Path.Combine(workDirectory, "rebuild.db")).RunAsync(plan, report);
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(workDirectory, recursive: true);
}

report.Print(plan);
