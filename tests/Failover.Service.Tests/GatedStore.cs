using System.Runtime.CompilerServices;
using Failover.EventStore;

namespace Failover.Service.Tests;

/// <summary>
/// A store whose subscriptions deliver nothing past the position the rig has released (<paramref name="released"/>):
/// how the rig gives each process manager its turn while the manager runs its real loop. Everything else passes through.
/// </summary>
internal sealed class GatedStore(IEventStore inner, LogProgress released) : IEventStore
{
    public async IAsyncEnumerable<SubscriptionMessage> SubscribeAsync(long checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in inner.SubscribeAsync(checkpoint, cancellationToken).ConfigureAwait(false))
        {
            var position = message switch
            {
                EventAppeared appeared => appeared.Event.Position,
                CaughtUp caughtUp => caughtUp.Position,
                _ => throw new InvalidOperationException($"Unknown subscription message {message.GetType().Name}"),
            };
            await released.WaitForPositionAsync(position, cancellationToken).ConfigureAwait(false);
            yield return message;
        }
    }

    public async IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in SubscribeAsync(checkpoint, cancellationToken).ConfigureAwait(false))
        {
            if (message is EventAppeared { Event: var e })
            {
                yield return e;
            }
        }
    }

    public Task<AppendResult> AppendToStreamAsync(string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default) =>
        inner.AppendToStreamAsync(stream, expected, events, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string stream, Direction direction, long fromVersion, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(stream, direction, fromVersion, maxCount, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition, long maxCount = long.MaxValue, CancellationToken cancellationToken = default) =>
        inner.ReadAllAsync(fromPosition, maxCount, cancellationToken);

    public Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default) => inner.GetStreamMetadataAsync(stream, cancellationToken);

    public Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default) => inner.ReadHeadPositionAsync(cancellationToken);

    /// <summary>The store belongs to the rig, which disposes it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
