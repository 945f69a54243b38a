using System.Text.RegularExpressions;

namespace Failover.EventStore.Postgres;

public sealed partial class PostgresEventStoreOptions : EventStoreOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=127.0.0.1;Username=failover;Password=…;Database=failover</c>.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The schema holding the store's tables; created if missing. Lower-case letters, digits and '_'.</summary>
    public string Schema { get; init; } = "public";

    /// <summary>The transaction-scoped advisory lock every append takes, so positions commit in order.</summary>
    public long AppendLockKey { get; init; } = 0x4641_494C_4F56_4552; // "FAILOVER"

    /// <summary>How many times an append is retried after a connection failure (safe: appends are idempotent by event id).</summary>
    public int AppendRetries { get; init; } = 3;

    /// <summary>
    /// Open for reading only: no schema is created and no migration runs (the schema must hold every migration of this
    /// build), and every session runs with <c>default_transaction_read_only=on</c>, so any write fails in the server
    /// itself. For auditors: <c>failover audit</c> opens stores this way.
    /// </summary>
    public bool ReadOnly { get; init; }

    internal string NotificationChannel => "failover_events_" + Schema;

    internal void ValidatePostgres()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("The PostgreSQL event store needs a connection string.", nameof(ConnectionString));
        }

        if (!SchemaPattern().IsMatch(Schema))
        {
            throw new ArgumentException(
                $"Schema '{Schema}' is invalid: use 1–40 lower-case letters, digits or '_', starting with a letter or '_'.", nameof(Schema));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(AppendRetries, nameof(AppendRetries));
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaPattern();
}
