using Microsoft.Extensions.Hosting.Systemd;

namespace Failover.Service.Hosting;

/// <summary>
/// Feeds systemd's watchdog (<c>WatchdogSec=</c> in the unit) from the observer's loop: <c>WATCHDOG=1</c> after a poll,
/// at most twice per watchdog interval. Does nothing outside systemd or when the unit sets no watchdog.
/// </summary>
public sealed class SystemdWatchdog
{
    private readonly ISystemdNotifier? _notifier;
    private readonly TimeProvider _time;
    private readonly TimeSpan _every;
    private long _lastBeat = long.MinValue;

    public SystemdWatchdog(ISystemdNotifier? notifier, TimeProvider time, string? watchdogMicroseconds)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        if (notifier is { IsEnabled: true } && long.TryParse(watchdogMicroseconds, out var usec) && usec > 0)
        {
            (_notifier, _every) = (notifier, TimeSpan.FromMicroseconds(usec / 2.0));
        }
    }

    /// <summary>Whether beats reach systemd (under systemd, with a watchdog interval).</summary>
    public bool IsEnabled => _notifier is not null;

    public void Beat()
    {
        if (_notifier is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastBeat);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < _every)
        {
            return;
        }

        Interlocked.Exchange(ref _lastBeat, now);
        _notifier.Notify(new ServiceState("WATCHDOG=1"));
    }
}
