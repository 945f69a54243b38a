namespace Failover.EventStore;

/// <summary>
/// What a subscription delivers: an event, or word that everything stored so far has been delivered. Closed: these two
/// are the only kinds.
/// </summary>
public abstract record SubscriptionMessage
{
    private protected SubscriptionMessage()
    {
    }
}

/// <summary>The next event of the log, in position order; each position exactly once.</summary>
public sealed record EventAppeared(RecordedEvent Event) : SubscriptionMessage;

/// <summary>
/// The subscription has delivered every event stored up to <paramref name="Position"/>, the head of the log when it
/// looked: what came before was history (catch-up), what follows is live. Delivered when the reader reaches the head
/// after delivering events, and once at the start when there is nothing to replay (then <paramref name="Position"/> is
/// the checkpoint).
/// </summary>
public sealed record CaughtUp(long Position) : SubscriptionMessage;
