namespace Failover.Simulator;

/// <summary>
/// Real time sped up (or slowed down) by a factor from the moment of creation: <see cref="GetUtcNow"/> runs
/// <c>speed</c> times as fast as the inner clock, and timers fire after <c>1/speed</c> of their virtual duration.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly double _speed;
    private readonly DateTimeOffset _startTime;
    private readonly long _startTimestamp;

    /// <param name="startAt">The virtual time at creation (default: the inner clock's now), e.g. another process's clock.</param>
    public ScaledTimeProvider(double speed, TimeProvider? inner = null, DateTimeOffset? startAt = null)
    {
        if (!double.IsFinite(speed) || speed <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "The speed factor must be a positive number.");
        }

        _inner = inner ?? System;
        _speed = speed;
        _startTime = startAt ?? _inner.GetUtcNow();
        _startTimestamp = _inner.GetTimestamp();
    }

    public double Speed => _speed;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() =>
        _startTime + TimeSpan.FromTicks((long)(_inner.GetElapsedTime(_startTimestamp).Ticks * _speed));

    public override long GetTimestamp() => _startTimestamp + (long)((_inner.GetTimestamp() - _startTimestamp) * _speed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _inner.CreateTimer(callback, state, ToInner(dueTime), ToInner(period));

    private TimeSpan ToInner(TimeSpan virtualSpan) =>
        virtualSpan == Timeout.InfiniteTimeSpan || virtualSpan <= TimeSpan.Zero ? virtualSpan : TimeSpan.FromTicks(Math.Max(1, (long)(virtualSpan.Ticks / _speed)));
}
