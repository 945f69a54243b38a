namespace Failover.EventStore.Sqlite;

/// <summary>How a SQLite database file makes each commit durable (PRAGMA synchronous in WAL mode).</summary>
public enum SqliteDurability
{
    /// <summary>fsync at every commit: a commit survives power loss.</summary>
    Full,

    /// <summary>fsync at WAL checkpoints only: a commit survives a process crash, the last ones may be lost on power loss.</summary>
    Normal,
}

public sealed class SqliteEventStoreOptions : EventStoreOptions
{
    public const string DefaultPath = "./data/failover.db";

    /// <summary>The database file; created, with its directory, on first use.</summary>
    public string Path { get; init; } = DefaultPath;

    public SqliteDurability Durability { get; init; } = SqliteDurability.Full;

    /// <summary>How long a writer waits for another process's write lock before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Open an existing file for reading only (SQLite <c>Mode=ReadOnly</c>): nothing is created or migrated, the schema
    /// must be the current one, and every write — append, projection commit, reset — fails in SQLite itself. For
    /// auditors: <c>failover audit</c> opens stores this way.
    /// </summary>
    public bool ReadOnly { get; init; }
}
