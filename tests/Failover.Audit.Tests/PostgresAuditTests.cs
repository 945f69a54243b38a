using System.Text.Json;
using Failover.Audit.Replay;
using Failover.EventStore.Postgres;
using Failover.EventStore.Projections;
using Failover.EventStore.Sqlite;
using Failover.Service.Hosting;
using Failover.Service.Projections;
using Npgsql;
using Failover.Domain.ReadModels;

namespace Failover.Audit.Tests;

/// <summary>Every verb on a PostgreSQL store holding the demo's events (their streams, order, ids and payloads), opened read-only.</summary>
[Collection(DemoStoreFixture.Name)]
public sealed class PostgresAuditTests(DemoStore demo) : IAsyncLifetime
{
    private readonly string _schema = "audit_" + Guid.NewGuid().ToString("N");
    private string _location = string.Empty;

    public async Task InitializeAsync()
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await using (var target = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema }))
        {
            await using var source = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = demo.DatabasePath, ReadOnly = true });
            await StoreCopy.CopyEventsAsync(source, target);
            var runner = new ProjectionRunner(target, target);
            foreach (var readModel in ReadModelSet.For("failover.bp"))
            {
                await runner.CatchUpAsync(new ReadModelProjection(readModel));
            }
        }

        _location = "postgres:" + new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = _schema };
    }

    [Fact]
    public async Task Verify_what_if_explain_and_export_work_on_a_postgres_store()
    {
        var verify = await Audit.RunAsync("verify", "--store", _location, "--json");
        var whatIf = await Audit.RunAsync("what-if", "--store", _location, "--set", "Policy:MinParticipation=1", "--json");
        var explain = await Audit.RunAsync("explain", "--store", _location, "--failover", "1");
        var export = await Audit.RunAsync("export", "--store", _location, "--what", "decisions");
        var rounds = await Audit.RunAsync("export", "--store", _location, "--what", "rounds", "--format", "json");
        var sqliteRounds = await Audit.RunAsync("export", "--store", demo.Location, "--what", "rounds", "--format", "json");

        Assert.True(verify.ExitCode == 0, verify.Out + verify.Error);
        var report = JsonDocument.Parse(verify.Out).RootElement;
        Assert.Equal(1, report.GetProperty("decisions_rederived").GetInt32());
        Assert.Equal(1, report.GetProperty("evidence_rebuilt").GetInt32());
        Assert.Equal(1, JsonDocument.Parse(whatIf.Out).RootElement.GetProperty("differing").GetInt32());
        Assert.Contains("the service decided to ROTATE failover.bp's signing key to dc2", explain.Out, StringComparison.Ordinal);
        Assert.Contains("COMPLETED — block", explain.Out, StringComparison.Ordinal);
        Assert.Contains(",failover-triggered.v1,failover.bp,missed-", export.Out, StringComparison.Ordinal);
        Assert.Equal(sqliteRounds.Out, rounds.Out); // the same rounds from the same events
    }

    [Fact]
    public async Task A_postgres_schema_without_a_store_is_exit_1_and_stays_absent()
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();
        var absent = "absent_" + Guid.NewGuid().ToString("N");

        var run = await Audit.RunAsync("verify", "--store", "postgres:" + new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = absent });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Schema '{absent}' holds no event store", run.Error, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1", connection);
        exists.Parameters.Add(new() { Value = absent });
        Assert.Equal(0L, await exists.ExecuteScalarAsync());
    }

    public async Task DisposeAsync()
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
