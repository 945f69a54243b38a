using System.Text.Json.Nodes;
using System.Threading.Channels;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;
using Failover.Service.Alerts;
using Failover.Service.Application;
using Failover.Service.Configuration;
using Failover.Service.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Api.Tests;

/// <summary>
/// The alert outbox against a real HTTP receiver (Kestrel on 127.0.0.1): retried with back-off on a fake clock while
/// the receiver is down, delivered once it is back, and never sent again after a restart.
/// </summary>
public sealed class AlertTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-alerts-");
    private readonly TimerWatchingClock _clock = new(ApiRig.Start);
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private ApiRig _rig = null!;
    private SqliteEventStore _store = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _rig = await ApiRig.StartAsync(TimeSpan.Zero, seed: "alerts");
        // The store runs on the real clock: the fake one only times the notifier's back-off, and stamps the commands.
        _store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = Path.Combine(_directory.FullName, "alerts.db"), Durability = SqliteDurability.Normal });
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _store.DisposeAsync();
        await _rig.DisposeAsync();
        await _meters.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    /// <summary>issue 18.7: a receiver's Retry-After is honoured when longer than the back-off, but never beyond five minutes.</summary>
    [Theory]
    [InlineData(1, null, 1)]
    [InlineData(1, 30, 30)]
    [InlineData(3, 2, 4)]
    [InlineData(1, 300, 300)]
    [InlineData(1, 86_400, 300)]
    [InlineData(10, 86_400, 300)]
    public void A_receiver_s_retry_after_lengthens_the_pause_up_to_five_minutes(int attempt, int? retryAfterSeconds, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), AlertNotifier.PauseBefore(attempt, retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null));

    [Fact]
    public async Task An_alert_reaches_the_receiver_after_it_was_down_for_a_minute_and_a_restart_does_not_resend_it()
    {
        var settings = _rig.Settings with { Alerts = AlertSettings.None with { Webhooks = [new WebhookSettings("ops", _receiver.Url, AlertFormat.Json, null)] } };
        await _receiver.GoDownAsync();
        var notifier = Notifier(settings);
        await notifier.StartAsync(CancellationToken.None);
        var pausedAt = _clock.GetUtcNow();
        await CommandAsync(new PauseAutomation(ApiRig.Ours, "alice", "dc1 maintenance"));

        var attempts = 1;
        while (_clock.GetUtcNow() - pausedAt < TimeSpan.FromMinutes(1))
        {
            var pause = AlertNotifier.Backoff(attempts++);
            await _clock.WaitForTimerAsync(pause);
            _clock.Advance(pause);
        }

        // The attempt after the last pause fails too (its back-off is armed) before the receiver comes back: otherwise,
        // on a slow machine, that attempt could run after the comeback and succeed with no back-off to wait for.
        var next = AlertNotifier.Backoff(attempts);
        await _clock.WaitForTimerAsync(next);
        Assert.Empty(_receiver.Requests);
        await _receiver.ComeBackAsync();
        _clock.Advance(next);

        var paused = await _receiver.NextAsync();
        Assert.Equal("paused", (string?)paused["kind"]);
        Assert.Equal("alice", (string?)paused["details"]!["by"]);
        Assert.Equal(_receiver.Requests.Single().Key, (string?)paused["id"]);
        Assert.True(_clock.GetUtcNow() - pausedAt >= TimeSpan.FromMinutes(1));
        Assert.Equal(7, attempts);

        // A restart: a new notifier over the same store starts from the delivery cursor.
        await notifier.StopAsync(CancellationToken.None);
        notifier.Dispose();
        using var restarted = Notifier(settings);
        await restarted.StartAsync(CancellationToken.None);
        await CommandAsync(new ResumeAutomation(ApiRig.Ours, "bob", "maintenance over"));

        var resumed = await _receiver.NextAsync();
        Assert.Equal("resumed", (string?)resumed["kind"]);
        Assert.Equal(["paused", "resumed"], _receiver.Requests.Select(r => (string?)r.Body["kind"]));
        await restarted.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_suppressed_decision_of_note_and_a_latching_trigger_make_alerts_a_routine_suppression_does_not()
    {
        await CommandAsync(new PauseAutomation(ApiRig.Ours, "alice", "x"));
        var recorded = await _store.ReadAllAsync(1, 1).SingleAsync();

        Assert.Single(AlertComposer.Compose(recorded, new AutomationPaused(ApiRig.Ours, "alice", "x", ApiRig.Start), ApiRig.Ours));
        Assert.Empty(AlertComposer.Compose(recorded, new AutomationPaused("someone.else", "alice", "x", ApiRig.Start), ApiRig.Ours));
        Assert.Empty(AlertComposer.Compose(recorded, new EndpointRecovered("obs-1", "http://a/", ApiRig.Start), ApiRig.Ours));
        var latched = Assert.Single(AlertComposer.Compose(recorded, new AutomationLatched(ApiRig.Ours, "missed-1", 2, 2, ApiRig.Start), ApiRig.Ours));
        Assert.Equal((AlertKinds.Latched, "critical"), (latched.Kind, latched.Severity));
        Assert.Contains("rotation 2 within 24 h (cap 2)", latched.Text, StringComparison.Ordinal);
        var ids = new[] { AlertKinds.Paused, AlertKinds.Resumed }.Select(k => Failover.EventStore.DeterministicEventId.Create("alert", k, recorded.EventId.ToString()));
        Assert.Equal(2, ids.Distinct().Count());
    }

    [Theory]
    [InlineData(AlertFormat.Slack)]
    [InlineData(AlertFormat.Telegram)]
    [InlineData(AlertFormat.Json)]
    public void Formats_carry_the_title_text_and_id(AlertFormat format)
    {
        var alert = new Alert(Guid.NewGuid(), AlertKinds.Failed, "critical", ApiRig.Ours, "failover.bp: rotation failed (rejected)", "Transaction <abc> will not apply.",
            ApiRig.Start, 42, "key-rotation-failed.v1", Guid.NewGuid(), new Dictionary<string, string> { ["reason"] = "rejected" });

        var body = JsonNode.Parse(AlertFormatter.Body(alert, new WebhookSettings("w", new Uri("https://hooks.example/x"), format, "-100123")))!;

        var text = format == AlertFormat.Json ? $"{body["title"]} {body["text"]} {body["id"]}" : (string)body["text"]!;
        Assert.Contains("rotation failed", text, StringComparison.Ordinal);
        Assert.Contains(alert.Id.ToString(), text, StringComparison.Ordinal);
        Assert.Equal(format == AlertFormat.Telegram ? "-100123" : null, (string?)body["chat_id"]);
        Assert.Equal(format == AlertFormat.Slack, text.Contains("&lt;abc&gt;", StringComparison.Ordinal));
    }

    private AlertNotifier Notifier(FailoverSettings settings) =>
        new(_store, settings, new FailoverMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), _clock, settings), _clock, NullLogger<AlertNotifier>.Instance);

    private async Task CommandAsync(IOperatorCommand command)
    {
        var handlers = new OperatorCommandHandlers(_store, _clock);
        var result = command switch
        {
            PauseAutomation p => await handlers.Handle(p, CancellationToken.None),
            ResumeAutomation r => await handlers.Handle(r, CancellationToken.None),
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };
        Assert.True(result.Recorded, result.Message);
    }

    /// <summary>A fake clock that reports every timer armed on it, so the test advances exactly when a back-off is pending.</summary>
    private sealed class TimerWatchingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _armed.Writer.TryWrite(dueTime);
            return timer;
        }

        /// <summary>Waits (real time, bounded) until a timer of <paramref name="dueTime"/> is armed.</summary>
        public async Task WaitForTimerAsync(TimeSpan dueTime)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await _armed.Reader.ReadAsync(limit.Token) != dueTime)
            {
            }
        }
    }
}
