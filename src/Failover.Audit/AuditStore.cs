using System.Data.Common;
using Failover.EventStore;
using Failover.EventStore.Projections;

namespace Failover.Audit;

/// <summary>
/// Opens the store a <see cref="StoreLocation"/> names (the syntax of <c>Failover:Store</c>) <b>read-only</b>: SQLite
/// with <c>Mode=ReadOnly</c>, PostgreSQL with read-only sessions; neither creates nor migrates anything. A PostgreSQL
/// connection string's <c>Search Path</c> names the store's schema (default <c>public</c>).
/// </summary>
public static class AuditStore
{
    public static async Task<IEventStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        try
        {
            return await StoreOpener.OpenAsync(location, TimeProvider.System, cancellationToken, readOnly: true).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw new AuditException($"Cannot open the store {location} read-only: {e.Message}", e);
        }
    }

    /// <summary>The projection side of an opened store (both adapters keep read models in the store's database).</summary>
    public static IProjectionStore Projections(IEventStore store) =>
        store as IProjectionStore ?? throw new AuditException($"The store {store?.GetType().Name} keeps no projections.");

    /// <summary>Failures of the database or the file, as opposed to bugs: reported with their reason, exit 1.</summary>
    public static bool IsStoreFailure(Exception e) =>
        e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException or DbException
            or InvalidOperationException or ArgumentException or TimeoutException or System.Net.Sockets.SocketException;
}
