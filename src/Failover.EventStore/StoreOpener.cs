using Failover.EventStore.Postgres;
using Failover.EventStore.Sqlite;
using Npgsql;

namespace Failover.EventStore;

/// <summary>
/// Opens the event store a <see cref="StoreLocation"/> names (the syntax of <c>Failover:Store</c>). A PostgreSQL
/// connection string's <c>Search Path</c> names the store's schema (default <c>public</c>). Read-only: SQLite with
/// <c>Mode=ReadOnly</c>, PostgreSQL with read-only sessions; neither creates nor migrates anything.
/// </summary>
public static class StoreOpener
{
    public static async Task<IEventStore> OpenAsync(StoreLocation location, TimeProvider time, CancellationToken cancellationToken, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Kind switch
        {
            StoreKind.Sqlite => await SqliteEventStore.OpenAsync(
                new SqliteEventStoreOptions { Path = location.Target, TimeProvider = time, ReadOnly = readOnly }, cancellationToken).ConfigureAwait(false),
            _ => await PostgresEventStore.OpenAsync(PostgresOptions(location.Target, time, readOnly), cancellationToken).ConfigureAwait(false),
        };
    }

    private static PostgresEventStoreOptions PostgresOptions(string connectionString, TimeProvider time, bool readOnly)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var schema = string.IsNullOrWhiteSpace(builder.SearchPath) ? "public" : builder.SearchPath.Trim();
        return new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = schema, TimeProvider = time, ReadOnly = readOnly };
    }
}
