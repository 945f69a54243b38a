namespace Failover.EventStore;

/// <summary>Settings shared by every adapter.</summary>
public abstract class EventStoreOptions
{
    /// <summary>The clock that stamps recorded-at and times polling, reconnect and gap waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Events read per query when reading the log or catching up.</summary>
    public int ReadPageSize { get; init; } = 1000;

    /// <summary>Events a subscription reads ahead of its consumer before it waits (back-pressure).</summary>
    public int SubscriptionBufferSize { get; init; } = 1000;

    /// <summary>
    /// How often a live subscription looks for new events when no wake-up arrives (appends by another process; a lost
    /// notification). Wake-ups make delivery immediate; polling only bounds the delay.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a subscription waits before reconnecting after a transient failure.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a subscription waits for a missing position while later ones are visible (a commit not yet visible)
    /// before it fails with <see cref="MissingPositionException"/>: a hole that outlives this is damage, not a race.
    /// </summary>
    public TimeSpan GapTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadPageSize, 1, nameof(ReadPageSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(SubscriptionBufferSize, 1, nameof(SubscriptionBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectDelay, TimeSpan.Zero, nameof(ReconnectDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(GapTimeout, TimeSpan.Zero, nameof(GapTimeout));
    }
}
