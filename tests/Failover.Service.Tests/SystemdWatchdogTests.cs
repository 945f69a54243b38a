using Failover.Service.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Service.Tests;

/// <summary>issue 18.2: the observer's loop feeds systemd's watchdog — at most twice per interval, only under systemd with a watchdog set.</summary>
public sealed class SystemdWatchdogTests
{
    private sealed class RecordingNotifier(bool enabled) : ISystemdNotifier
    {
        public List<string> Sent { get; } = [];

        public bool IsEnabled => enabled;

        public void Notify(ServiceState state) => Sent.Add(state.ToString());
    }

    [Fact]
    public void A_poll_feeds_the_watchdog_at_most_twice_per_watchdog_interval()
    {
        var notifier = new RecordingNotifier(enabled: true);
        var time = new FakeTimeProvider();
        var watchdog = new SystemdWatchdog(notifier, time, "60000000"); // WatchdogSec=60

        watchdog.Beat();
        time.Advance(TimeSpan.FromSeconds(29));
        watchdog.Beat();
        Assert.Equal(["WATCHDOG=1"], notifier.Sent);

        time.Advance(TimeSpan.FromSeconds(1));
        watchdog.Beat();
        watchdog.Beat();
        Assert.Equal(["WATCHDOG=1", "WATCHDOG=1"], notifier.Sent);
        Assert.True(watchdog.IsEnabled);
    }

    [Theory]
    [InlineData(false, "60000000")] // not under systemd
    [InlineData(true, null)] // no WatchdogSec in the unit
    [InlineData(true, "0")]
    [InlineData(true, "sixty")]
    public void Without_systemd_or_a_watchdog_interval_nothing_is_sent(bool underSystemd, string? watchdogUsec)
    {
        var notifier = new RecordingNotifier(underSystemd);
        var watchdog = new SystemdWatchdog(notifier, new FakeTimeProvider(), watchdogUsec);

        watchdog.Beat();

        Assert.Empty(notifier.Sent);
        Assert.False(watchdog.IsEnabled);
    }

    [Fact]
    public async Task The_observer_calls_back_after_every_poll_whatever_it_found()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        var polls = 0;
        var observer = new Observation.Observer(rig.Instances[0].Settings, rig.Instances[0].Store, new HttpClient(new FailingHandler()), rig.Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
        {
            PollCompleted = () => Interlocked.Increment(ref polls),
        };
        using var stop = new CancellationTokenSource();
        var running = observer.RunAsync(stop.Token);
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // Every endpoint fails: each poll waits out its retry delay and then the poll interval, on the fake clock.
            while (Volatile.Read(ref polls) < 3)
            {
                rig.Clock.Advance(TimeSpan.FromMilliseconds(100));
                await Task.Delay(1, limit.Token);
            }
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(polls >= 3, $"{polls} polls reported");
    }

    private sealed class FailingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("no chain here");
    }
}
