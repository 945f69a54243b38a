using Failover.EventStore;
using Failover.EventStore.Projections;
using Failover.Service.Projections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Hosting;

/// <summary>A hosted projection and how far it has got.</summary>
public sealed record HostedProjection(ReadModelProjection Projection, ProjectionProgress Progress);

/// <summary>Keeps every read model caught up with the log, live; a failure is logged and the projection resumes from its checkpoint.</summary>
public sealed partial class ProjectionService(
    IEventStore store, IEnumerable<HostedProjection> projections, TimeProvider time, ILogger<ProjectionService> log) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(projections.Select(p => RunAsync(p, stoppingToken)));

    private async Task RunAsync(HostedProjection hosted, CancellationToken stoppingToken)
    {
        var runner = new ProjectionRunner(store, (IProjectionStore)store);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.RunAsync(hosted.Projection, hosted.Progress, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Failed(log, e, hosted.Projection.Name);
                await Task.Delay(RestartDelay, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Projection {Projection} failed; it resumes from its checkpoint.")]
    private static partial void Failed(ILogger logger, Exception exception, string projection);
}
