using System.Text;
using Failover.EventStore.Postgres;
using Failover.EventStore.Projections;
using Failover.EventStore.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Failover.EventStore.Tests;

/// <summary>
/// Stores opened read-only (what <c>failover audit</c> does): they read what is stored, create and migrate nothing,
/// and the database itself refuses every write.
/// </summary>
public sealed class ReadOnlyStoreTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-readonly-");
    private readonly string _schema = "ro_" + Guid.NewGuid().ToString("N");

    private string DatabasePath => Path.Combine(_directory.FullName, "failover.db");

    [Fact]
    public async Task Sqlite_read_only_reads_the_log_and_the_database_refuses_appends_and_projection_writes()
    {
        await using (var writable = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath }))
        {
            await writable.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, [Event("a"), Event("b")]);
        }

        var before = await File.ReadAllBytesAsync(DatabasePath);
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath, ReadOnly = true });

        Assert.Equal(2, await store.ReadHeadPositionAsync());
        Assert.True((await store.VerifyHashChainAsync()).IsIntact);
        var append = await Assert.ThrowsAsync<SqliteException>(() => store.AppendToStreamAsync("s-1", ExpectedVersion.Exact(1), [Event("c")]));
        Assert.Equal(8, append.SqliteErrorCode); // SQLITE_READONLY
        var projection = await Assert.ThrowsAsync<SqliteException>(() => new ProjectionRunner(store, store).CatchUpAsync(new CountingProjection()));
        Assert.Equal(8, projection.SqliteErrorCode);
        await Assert.ThrowsAsync<SqliteException>(() => store.ResetAsync("counting"));
        Assert.Equal(2, await store.ReadHeadPositionAsync());
        Assert.Equal(0, await store.ReadCheckpointAsync("counting"));
        Assert.Equal(before, await File.ReadAllBytesAsync(DatabasePath));
    }

    [Fact]
    public async Task Sqlite_read_only_refuses_to_compact_and_leaves_the_file_unchanged()
    {
        await using (var writable = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath }))
        {
            await writable.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, [Event("a"), Event("b")]);
        }

        var before = await File.ReadAllBytesAsync(DatabasePath);
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath, ReadOnly = true });

        var compaction = await Assert.ThrowsAsync<SqliteException>(() => store.CompactAsync(1, 1, ["thing-happened.v1"], 1));

        Assert.Equal(8, compaction.SqliteErrorCode); // SQLITE_READONLY
        Assert.Equal([1L, 2], (await store.ReadAllAsync(GlobalPosition.Start).ToListAsync()).Select(e => e.Position));
        Assert.Equal(0, await store.ReadCompactedThroughAsync());
        Assert.Equal(before, await File.ReadAllBytesAsync(DatabasePath));
    }

    [Fact]
    public async Task Sqlite_read_only_opens_a_store_of_this_builds_schema_version_with_its_compacted_through_mark()
    {
        await using (var writable = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath }))
        {
            await writable.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, [Event("a"), Event("b"), Event("c")]);
            await writable.CompactAsync(1, 2, ["thing-happened.v1"], 2);
        }

        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath, ReadOnly = true });

        Assert.Equal(3L, await ExecuteSqliteAsync("PRAGMA user_version"));
        Assert.Equal(2, await store.ReadCompactedThroughAsync());
        Assert.Equal(["E3", "C3"], (await store.SubscribeAsync(GlobalPosition.Start).TakeAsync(2, TimeSpan.FromSeconds(30)))
            .Select(m => m is EventAppeared e ? "E" + e.Event.Position : "C" + ((CaughtUp)m).Position));
    }

    [Fact]
    public async Task Sqlite_read_only_does_not_create_a_missing_file()
    {
        var missing = Path.Combine(_directory.FullName, "nested", "none.db");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = missing, ReadOnly = true }));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // before compaction
    public async Task Sqlite_read_only_refuses_a_schema_it_would_have_to_migrate_and_leaves_it_unmigrated(int version)
    {
        await using (var writable = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath }))
        {
            await writable.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, [Event("a")]);
        }

        await ExecuteSqliteAsync($"PRAGMA user_version = {version}");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = DatabasePath, ReadOnly = true }));

        Assert.Contains($"schema version {version}", error.Message, StringComparison.Ordinal);
        Assert.Contains("this build reads version 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("not migrated", error.Message, StringComparison.Ordinal);
        Assert.Equal((long)version, await ExecuteSqliteAsync("PRAGMA user_version"));
    }

    [Fact]
    public async Task Postgres_read_only_reads_the_log_and_the_server_refuses_appends_and_projection_writes()
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await using (var writable = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema }))
        {
            await writable.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, [Event("a"), Event("b")]);
        }

        await using var store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema, ReadOnly = true });

        Assert.Equal(2, await store.ReadHeadPositionAsync());
        Assert.True((await store.VerifyHashChainAsync()).IsIntact);
        var append = await Assert.ThrowsAsync<PostgresException>(() => store.AppendToStreamAsync("s-1", ExpectedVersion.Exact(1), [Event("c")]));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, append.SqlState);
        var projection = await Assert.ThrowsAsync<PostgresException>(() => new ProjectionRunner(store, store).CatchUpAsync(new CountingProjection()));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, projection.SqlState);
        await Assert.ThrowsAsync<PostgresException>(() => store.ResetAsync("counting"));
        Assert.Equal(2, await store.ReadHeadPositionAsync());
        Assert.Equal(0, await store.ReadCheckpointAsync("counting"));
    }

    [Fact]
    public async Task Postgres_read_only_the_server_refuses_to_compact()
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await using (var writable = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema }))
        {
            await writable.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, [Event("a"), Event("b")]);
        }

        await using var store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema, ReadOnly = true });

        var compaction = await Assert.ThrowsAsync<PostgresException>(() => store.CompactAsync(1, 1, ["thing-happened.v1"], 1));

        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, compaction.SqlState);
        Assert.Equal([1L, 2], (await store.ReadAllAsync(GlobalPosition.Start).ToListAsync()).Select(e => e.Position));
        Assert.Equal(0, await store.ReadCompactedThroughAsync());
    }

    [Fact]
    public async Task Postgres_read_only_refuses_a_schema_without_a_store_and_creates_nothing()
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema, ReadOnly = true }));

        Assert.Contains("holds no event store", error.Message, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1", connection);
        exists.Parameters.Add(new() { Value = _schema });
        Assert.Equal(0L, await exists.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Postgres_read_only_refuses_a_schema_missing_a_migration()
    {
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await using (await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema }))
        {
        }

        await ExecutePostgresAsync(connectionString, $"DELETE FROM {_schema}.schema_migrations WHERE version = 3");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema, ReadOnly = true }));

        Assert.Contains("lacks migration(s) 003_", error.Message, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await ExecutePostgresAsync(connectionString, $"DROP SCHEMA IF EXISTS {_schema} CASCADE");
    }

    private static EventData Event(string name) =>
        new(DeterministicEventId.Create("read-only", name), "thing-happened.v1", Encoding.UTF8.GetBytes($$"""{"name":"{{name}}"}"""));

    private async Task<object?> ExecuteSqliteAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task ExecutePostgresAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A projection that writes a document per event, so a commit has something to write.</summary>
    private sealed class CountingProjection : IProjection
    {
        public string Name => "counting";

        public ValueTask ApplyAsync(RecordedEvent recorded, IDocumentSession documents, CancellationToken cancellationToken)
        {
            documents.Store("event-" + recorded.Position, new Counted(recorded.Position), CountedJson.Default.Counted);
            return ValueTask.CompletedTask;
        }
    }
}

internal sealed record Counted(long Position);

[System.Text.Json.Serialization.JsonSerializable(typeof(Counted))]
internal sealed partial class CountedJson : System.Text.Json.Serialization.JsonSerializerContext;
