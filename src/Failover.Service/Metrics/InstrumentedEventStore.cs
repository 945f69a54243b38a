using System.Diagnostics;
using Failover.EventStore;
using Failover.EventStore.Projections;

namespace Failover.Service.Metrics;

/// <summary>
/// The event store with every append timed into <c>failover_store_append_duration_seconds</c> (real elapsed time,
/// whatever clock the service runs on). Everything else, projections included, passes straight through.
/// </summary>
public sealed class InstrumentedEventStore(IEventStore inner, FailoverMetrics metrics) : IEventStore, IProjectionStore
{
    private readonly IProjectionStore _projections = inner as IProjectionStore
        ?? throw new ArgumentException("The event store must keep projections too.", nameof(inner));

    public IEventStore Inner { get; } = inner;

    public async Task<AppendResult> AppendToStreamAsync(string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await Inner.AppendToStreamAsync(stream, expected, events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            metrics.RecordAppend(Stopwatch.GetElapsedTime(started));
        }
    }

    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string stream, Direction direction, long fromVersion, int maxCount, CancellationToken cancellationToken = default) =>
        Inner.ReadStreamAsync(stream, direction, fromVersion, maxCount, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition, long maxCount = long.MaxValue, CancellationToken cancellationToken = default) =>
        Inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);

    public IAsyncEnumerable<SubscriptionMessage> SubscribeAsync(long checkpoint, CancellationToken cancellationToken = default) =>
        Inner.SubscribeAsync(checkpoint, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long checkpoint, CancellationToken cancellationToken = default) =>
        Inner.SubscribeToAllAsync(checkpoint, cancellationToken);

    public Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default) =>
        Inner.GetStreamMetadataAsync(stream, cancellationToken);

    public Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default) => Inner.ReadHeadPositionAsync(cancellationToken);

    public Task<long> ReadCheckpointAsync(string projection, CancellationToken cancellationToken = default) =>
        _projections.ReadCheckpointAsync(projection, cancellationToken);

    public Task<long> CommitAsync(IProjection projection, IAsyncEnumerable<RecordedEvent> events, long expectedCheckpoint, CancellationToken cancellationToken = default) =>
        _projections.CommitAsync(projection, events, expectedCheckpoint, cancellationToken);

    public Task ResetAsync(string projection, CancellationToken cancellationToken = default) => _projections.ResetAsync(projection, cancellationToken);

    public Task<byte[]?> ReadDocumentAsync(string projection, string id, CancellationToken cancellationToken = default) =>
        _projections.ReadDocumentAsync(projection, id, cancellationToken);

    public Task<IReadOnlyList<ProjectionDocument>> ReadDocumentsAsync(
        string projection, string fromId, string toId, int limit, bool descending, CancellationToken cancellationToken = default) =>
        _projections.ReadDocumentsAsync(projection, fromId, toId, limit, descending, cancellationToken);

    /// <summary>The store belongs to whoever opened it: disposing the decorator leaves it open.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
