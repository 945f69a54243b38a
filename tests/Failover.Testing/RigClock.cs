using Microsoft.Extensions.Time.Testing;

namespace Failover.Testing;

/// <summary>
/// The service's clock in a rig that steps it slot by slot: the rig's <see cref="FakeTimeProvider"/>, except that a
/// one-shot wait shorter than a <paramref name="step"/> (the chain client's retry delay after a transient error) is
/// over at once. The rig moves the fake clock only between steps, so a wait inside a step would otherwise never end; a
/// retry within the same step is what the real service does too, only 100 ms later. Longer timers (request timeouts)
/// run on the fake clock.
/// </summary>
public sealed class RigClock(FakeTimeProvider clock, TimeSpan step) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        dueTime >= TimeSpan.Zero && dueTime < step && period == Timeout.InfiniteTimeSpan
            ? new AtOnce(callback, state)
            : clock.CreateTimer(callback, state, dueTime, period);

    /// <summary>A timer that fires once, now (on the thread pool, after its creator has it).</summary>
    private sealed class AtOnce : ITimer
    {
        public AtOnce(TimerCallback callback, object? state) => ThreadPool.QueueUserWorkItem(_ => callback(state));

        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
