using Failover.EventStore.Sqlite;
using Microsoft.Data.Sqlite;

namespace Failover.EventStore.Tests;

/// <summary>The acceptance suite against a fresh SQLite file per test.</summary>
public sealed class SqliteEventStoreTests : EventStoreAcceptanceTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "failover-es-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "nested", "events.db");

    protected override async Task<IEventStore> OpenStoreAsync(StoreSettings settings) =>
        await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions
        {
            Path = DatabasePath,
            TimeProvider = settings.Clock,
            ReadPageSize = settings.ReadPageSize,
            SubscriptionBufferSize = settings.SubscriptionBufferSize,
            PollInterval = TimeSpan.FromSeconds(settings.PollIntervalSeconds),
            GapTimeout = TimeSpan.FromSeconds(settings.GapTimeoutSeconds),
            ReconnectDelay = TimeSpan.FromSeconds(settings.ReconnectDelaySeconds),
            Durability = SqliteDurability.Normal,
        });

    protected override async Task<int> ExecuteRawAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    protected override IReadOnlyList<string> CrashWriterArguments => ["sqlite", DatabasePath];

    /// <summary>What a file of schema version 2 (the build before compaction) is: no compaction table.</summary>
    protected override Task RevertToSchemaBeforeCompactionAsync() => ExecuteRawAsync("DROP TABLE compaction; PRAGMA user_version = 2;");

    protected override Task DeleteDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Opening_creates_the_file_and_its_directory_in_wal_mode()
    {
        Assert.True(File.Exists(DatabasePath));
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    /// <summary>issue 18.7: the log holds the operators' decisions and the rotation's signed transactions: the owner's only.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_new_store_file_and_its_write_ahead_log_are_readable_and_writable_by_their_owner_only()
    {
        await Store.AppendToStreamAsync("s", ExpectedVersion.NoStream, [new EventData(Guid.NewGuid(), "x-happened.v1", "{}"u8.ToArray())]);

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(DatabasePath));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(DatabasePath + "-wal"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_existing_store_file_keeps_its_mode()
    {
        await Store.DisposeAsync();
        const UnixFileMode groupReadable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(DatabasePath, groupReadable);
        await Store.DisposeAsync(); // a second dispose does nothing

        await using var reopened = await OpenStoreAsync(new StoreSettings(Clock));

        Assert.Equal(groupReadable, File.GetUnixFileMode(DatabasePath));
    }

    [Fact]
    public void The_default_file_is_data_failover_db()
    {
        Assert.Equal("./data/failover.db", new SqliteEventStoreOptions().Path);
    }

    [Fact]
    public async Task Reopening_an_existing_file_keeps_its_events_and_schema_version()
    {
        await using (var first = await OpenStoreAsync(new StoreSettings(Clock)))
        {
            await first.AppendToStreamAsync("s", ExpectedVersion.NoStream, [new EventData(Guid.NewGuid(), "x-happened.v1", "{}"u8.ToArray())]);
        }

        await using var second = await OpenStoreAsync(new StoreSettings(Clock));
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";

        Assert.Equal(1, await second.ReadHeadPositionAsync());
        Assert.Equal(3L, await command.ExecuteScalarAsync());
    }
}
