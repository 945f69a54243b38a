using System.Net;
using System.Net.Http.Headers;
using Failover.EventStore;
using Failover.EventStore.Projections;
using Failover.Service.Configuration;
using Failover.Service.Metrics;
using Failover.Service.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Alerts;

/// <summary>
/// Sends alerts to the configured webhooks from a persisted outbox: the log itself. An alert is a pure function of a
/// process event (<see cref="AlertComposer"/>), and the events are already durable, appended with the decisions they
/// record; what is kept per webhook is only a <b>delivery cursor</b> — the position of the last event whose alerts were
/// delivered — stored as the checkpoint of a projection named <c>alert-delivery-&lt;webhook&gt;</c> in the store's own
/// database (no read model uses that name, so rebuilding the read models never moves it).
/// <para>
/// Each webhook is followed on its own, in log order: an alert is retried with back-off (1 s doubling to
/// <see cref="MaxBackoff"/>, or the receiver's Retry-After) until the receiver answers 2xx, and only then does the
/// cursor move past its event — so a receiver that is down, or a restart, loses nothing, and a restart resends nothing
/// already acknowledged. The one window: a crash after the receiver acknowledged an alert and before the cursor was
/// committed resends that event's alerts once; each carries a stable <see cref="Alert.Id"/> to deduplicate by. A 4xx
/// other than 408/429 is a permanent refusal (the alert is dropped and logged); an alert still undelivered
/// <c>Alerts:MaxAge</c> after its event is dropped too. It runs beside the process manager, reading the log, so a slow
/// or dead receiver never holds a decision back.
/// </para>
/// </summary>
public sealed partial class AlertNotifier : BackgroundService
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>Events without alerts move the cursor in batches of this many (fewer writes; a restart re-reads at most this many).</summary>
    public const int CommitEvery = 1000;

    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);

    private readonly IEventStore _store;
    private readonly IProjectionStore _cursors;
    private readonly FailoverSettings _settings;
    private readonly FailoverMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly HttpClient _http;

    public AlertNotifier(IEventStore store, FailoverSettings settings, FailoverMetrics metrics, TimeProvider time, ILogger<AlertNotifier> log, HttpMessageHandler? handler = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _cursors = store as IProjectionStore ?? throw new ArgumentException("The event store must keep projections (the delivery cursors).", nameof(store));
        (_settings, _metrics, _time, _log) = (settings, metrics, time, log);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("failover", "1"));
    }

    /// <summary>The cursor's projection name for a webhook.</summary>
    public static string CursorName(WebhookSettings webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return "alert-delivery-" + webhook.Name;
    }

    /// <summary>The pause before attempt <paramref name="attempt"/> + 1: 1 s, 2 s, 4 s, … up to <see cref="MaxBackoff"/>.</summary>
    /// <summary>The longest a receiver's Retry-After holds its alerts back: a receiver cannot silence them for a day.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>The pause before the next attempt: the back-off, or the receiver's Retry-After when longer, at most <see cref="MaxRetryAfter"/>.</summary>
    public static TimeSpan PauseBefore(int attempt, TimeSpan? retryAfter)
    {
        var pause = Backoff(attempt);
        return retryAfter is { } wait && wait > pause ? (wait < MaxRetryAfter ? wait : MaxRetryAfter) : pause;
    }

    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Clamp(attempt - 1, 0, 30))));

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_settings.Alerts.Webhooks.Select(w => SuperviseAsync(w, stoppingToken)));

    private async Task SuperviseAsync(WebhookSettings webhook, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(webhook, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A cursor moved by another instance, or the store failing: start again from the committed cursor.
                AlertLog.Restarting(_log, webhook.Name, e.GetType().Name, Scrub(e.Message, webhook));
                await Task.Delay(RestartDelay, _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task FollowAsync(WebhookSettings webhook, CancellationToken cancellationToken)
    {
        var cursor = new DeliveryCursor(CursorName(webhook));
        var checkpoint = await _cursors.ReadCheckpointAsync(cursor.Name, cancellationToken).ConfigureAwait(false);
        var passed = new List<RecordedEvent>();
        var producer = _settings.Producer.ToString();
        await foreach (var recorded in _store.SubscribeToAllAsync(checkpoint, cancellationToken).ConfigureAwait(false))
        {
            var alerts = DomainEvents.TryDeserialize(recorded) is { } e ? AlertComposer.Compose(recorded, e, producer) : [];
            passed.Add(recorded);
            if (alerts.Count == 0 && passed.Count < CommitEvery)
            {
                continue;
            }

            foreach (var alert in alerts)
            {
                await DeliverAsync(webhook, alert, cancellationToken).ConfigureAwait(false);
            }

            // Not cancellable: once the receiver took an alert, a graceful stop still records it (only a crash can repeat it).
            checkpoint = await _cursors.CommitAsync(cursor, passed.ToAsyncEnumerable(), checkpoint, CancellationToken.None).ConfigureAwait(false);
            passed.Clear();
        }
    }

    /// <summary>Sends until the receiver takes it, refuses it for good, or it is older than MaxAge.</summary>
    private async Task DeliverAsync(WebhookSettings webhook, Alert alert, CancellationToken cancellationToken)
    {
        var body = AlertFormatter.Body(alert, webhook);
        for (var attempt = 1; ; attempt++)
        {
            if (_time.GetUtcNow() - alert.At > _settings.Alerts.MaxAge)
            {
                _metrics.RecordAlert(webhook.Name, "dropped");
                AlertLog.Dropped(_log, alert.Kind, alert.Id, webhook.Name, _settings.Alerts.MaxAge);
                return;
            }

            var (status, retryAfter, problem) = await SendAsync(webhook, alert, body).ConfigureAwait(false);
            if (status is { } ok && (int)ok is >= 200 and < 300)
            {
                _metrics.RecordAlert(webhook.Name, "delivered");
                AlertLog.Delivered(_log, alert.Kind, alert.Id, webhook.Name, attempt);
                return;
            }

            if (status is { } refused && (int)refused is >= 400 and < 500 && refused is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
            {
                _metrics.RecordAlert(webhook.Name, "rejected");
                AlertLog.Rejected(_log, alert.Kind, alert.Id, webhook.Name, (int)refused);
                return;
            }

            var pause = PauseBefore(attempt, retryAfter);
            _metrics.RecordAlert(webhook.Name, "retried");
            AlertLog.Retrying(_log, alert.Kind, alert.Id, webhook.Name, attempt, problem, pause);
            await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(HttpStatusCode? Status, TimeSpan? RetryAfter, string Problem)> SendAsync(
        WebhookSettings webhook, Alert alert, byte[] body)
    {
        // Not linked to the stopping token: a graceful stop lets a request in flight finish (within the timeout) and
        // records its outcome, so only a crash can leave a delivered alert unrecorded.
        using var timeout = new CancellationTokenSource(_settings.Alerts.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", alert.Id.ToString());
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            return (response.StatusCode, retryAfter, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return (null, null, e is OperationCanceledException ? $"no answer within {_settings.Alerts.Timeout.TotalSeconds} s" : Scrub(e.Message, webhook));
        }
    }

    /// <summary>Error messages may quote the URL, which may hold a secret: never let it reach the log.</summary>
    private static string Scrub(string message, WebhookSettings webhook) =>
        message.Replace(webhook.Url.AbsoluteUri, "<webhook url>", StringComparison.OrdinalIgnoreCase)
            .Replace(webhook.Url.PathAndQuery, "/…", StringComparison.OrdinalIgnoreCase);

    /// <summary>The delivery cursor: a projection that keeps no documents, only its checkpoint.</summary>
    private sealed class DeliveryCursor(string name) : IProjection
    {
        public string Name { get; } = name;

        public ValueTask ApplyAsync(RecordedEvent recorded, IDocumentSession documents, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

internal static partial class AlertLog
{
    [LoggerMessage(LogLevel.Information, "Alert {Kind} {AlertId} delivered to webhook {Webhook} (attempt {Attempt}).")]
    public static partial void Delivered(ILogger logger, string kind, Guid alertId, string webhook, int attempt);

    [LoggerMessage(LogLevel.Warning, "Alert {Kind} {AlertId} not delivered to webhook {Webhook} (attempt {Attempt}: {Problem}); next try in {Pause}.")]
    public static partial void Retrying(ILogger logger, string kind, Guid alertId, string webhook, int attempt, string problem, TimeSpan pause);

    [LoggerMessage(LogLevel.Error, "Alert {Kind} {AlertId} refused by webhook {Webhook} with HTTP {Status}; it is dropped (check the webhook's configuration).")]
    public static partial void Rejected(ILogger logger, string kind, Guid alertId, string webhook, int status);

    [LoggerMessage(LogLevel.Error, "Alert {Kind} {AlertId} dropped: not delivered to webhook {Webhook} within {MaxAge} of its event.")]
    public static partial void Dropped(ILogger logger, string kind, Guid alertId, string webhook, TimeSpan maxAge);

    [LoggerMessage(LogLevel.Warning, "Alert delivery to webhook {Webhook} stopped ({Error}: {Message}); it starts again from its cursor.")]
    public static partial void Restarting(ILogger logger, string webhook, string error, string message);
}
