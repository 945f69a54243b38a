using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Antelope.Tests.Chain;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer the code under test arms, so a test can advance the clock
/// exactly when a retry pause (or a timeout) is pending instead of guessing.
/// </summary>
internal sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private static readonly TimeSpan ArmingLimit = TimeSpan.FromSeconds(10);
    private readonly Channel<TimeSpan> armed = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        armed.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (in real time, bounded) until a timer due after <paramref name="dueTime"/> is armed.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var limit = new CancellationTokenSource(ArmingLimit);
        while (await armed.Reader.ReadAsync(limit.Token) != dueTime)
        {
        }
    }
}
