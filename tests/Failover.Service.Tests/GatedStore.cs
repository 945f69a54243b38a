using System.Runtime.CompilerServices;
using Failover.EventStore;
using Failover.Testing;

namespace Failover.Service.Tests;

/// <summary>
/// A store whose subscriptions deliver nothing past the position the rig has released (<paramref name="released"/>):
/// how the rig gives each process manager its turn while the manager runs its real loop. Everything else passes through.
/// </summary>
internal sealed class GatedStore(IEventStore inner, LogProgress released) : DelegatingEventStore(inner)
{
    public override async IAsyncEnumerable<SubscriptionMessage> SubscribeAsync(long checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in Inner.SubscribeAsync(checkpoint, cancellationToken).ConfigureAwait(false))
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

    public override async IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in SubscribeAsync(checkpoint, cancellationToken).ConfigureAwait(false))
        {
            if (message is EventAppeared { Event: var e })
            {
                yield return e;
            }
        }
    }
}
