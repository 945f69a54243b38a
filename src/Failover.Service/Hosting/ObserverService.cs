using Failover.Service.Observation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Hosting;

/// <summary>Runs the observer for the life of the service; a failure is logged and the observer starts again.</summary>
public sealed partial class ObserverService(Observer observer, TimeProvider time, ILogger<ObserverService> log) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await observer.RunAsync(stoppingToken).ConfigureAwait(false);
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

    [LoggerMessage(LogLevel.Error, "The observer failed; it starts again from its streams.")]
    private static partial void Failed(ILogger logger, Exception exception);
}
