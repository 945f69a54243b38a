using Failover.EventStore;
using Failover.EventStore.Postgres;
using Failover.EventStore.Sqlite;
using Failover.Service.Configuration;

namespace Failover.Service.Storage;

/// <summary>Opens the event store a <see cref="StoreLocation"/> names.</summary>
public static class StoreOpener
{
    public static async Task<IEventStore> OpenAsync(StoreLocation location, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Kind switch
        {
            StoreKind.Sqlite => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = location.Target, TimeProvider = time }, cancellationToken).ConfigureAwait(false),
            _ => await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = location.Target, TimeProvider = time }, cancellationToken).ConfigureAwait(false),
        };
    }
}
