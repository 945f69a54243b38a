using Failover.EventStore;

namespace Failover.Testing;

/// <summary>
/// A test's decorator of an event store: everything passes through to <paramref name="inner"/> unless a subclass
/// overrides it. The store belongs to whoever opened it: disposing the decorator leaves it open (unless a subclass says otherwise).
/// </summary>
public abstract class DelegatingEventStore(IEventStore inner) : IEventStore
{
    protected IEventStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public virtual Task<AppendResult> AppendToStreamAsync(string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default) =>
        Inner.AppendToStreamAsync(stream, expected, events, cancellationToken);

    public virtual IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string stream, Direction direction, long fromVersion, int maxCount, CancellationToken cancellationToken = default) =>
        Inner.ReadStreamAsync(stream, direction, fromVersion, maxCount, cancellationToken);

    public virtual IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition, long maxCount = long.MaxValue, CancellationToken cancellationToken = default) =>
        Inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);

    public virtual IAsyncEnumerable<SubscriptionMessage> SubscribeAsync(long checkpoint, CancellationToken cancellationToken = default) =>
        Inner.SubscribeAsync(checkpoint, cancellationToken);

    public virtual IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long checkpoint, CancellationToken cancellationToken = default) =>
        Inner.SubscribeToAllAsync(checkpoint, cancellationToken);

    public virtual Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default) =>
        Inner.GetStreamMetadataAsync(stream, cancellationToken);

    public virtual Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default) => Inner.ReadHeadPositionAsync(cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
