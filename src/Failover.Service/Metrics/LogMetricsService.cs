using Failover.EventStore;
using Failover.Service.Configuration;
using Failover.Service.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Failover.Domain.Events;

namespace Failover.Service.Metrics;

/// <summary>
/// Feeds <see cref="FailoverMetrics"/> from the log: a subscriber of the events appended after the service started
/// (live only — a restart is a counter reset to Prometheus, and the gauges fill at the next sample, within seconds).
/// </summary>
public sealed partial class LogMetricsService(
    IEventStore store, FailoverMetrics metrics, FailoverSettings settings, TimeProvider time, ILogger<LogMetricsService> log) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);
    private long? _start;

    /// <summary>
    /// Before anything else starts: notes the log's head (the subscription starts after it) and takes this observer's
    /// latest sample from the log, so the gauges and the readiness check know the chain at once.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _start = await store.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
        var stream = Streams.Observer(settings.ObserverId);
        if (await store.GetStreamMetadataAsync(stream, cancellationToken).ConfigureAwait(false) is { } observer)
        {
            await foreach (var recorded in store.ReadStreamAsync(stream, Direction.Backwards, observer.LastVersion, 20, cancellationToken).ConfigureAwait(false))
            {
                if (DomainEvents.TryDeserialize(recorded) is Domain.Events.ParticipationSampled sample)
                {
                    metrics.Apply(sample);
                    break;
                }
            }
        }

        metrics.Applied(_start.Value);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var checkpoint = _start;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                checkpoint ??= await store.ReadHeadPositionAsync(stoppingToken).ConfigureAwait(false);
                await foreach (var recorded in store.SubscribeToAllAsync(checkpoint.Value, stoppingToken).ConfigureAwait(false))
                {
                    if (DomainEvents.TryDeserialize(recorded) is { } e)
                    {
                        metrics.Apply(e);
                    }

                    checkpoint = recorded.Position;
                    metrics.Applied(recorded.Position);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Failed(log, e);
                await Task.Delay(RestartDelay, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "The metrics subscriber failed; it resumes where it stopped.")]
    private static partial void Failed(ILogger logger, Exception exception);
}
