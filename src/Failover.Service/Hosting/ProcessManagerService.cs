using Failover.Service.Process;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Hosting;

/// <summary>Runs the process manager for the life of the service; after a failure it starts again from the log.</summary>
public sealed partial class ProcessManagerService(Func<ProcessManager> create, TimeProvider time, ILogger<ProcessManagerService> log) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);

    /// <summary>The manager now running (a new one after each restart).</summary>
    public ProcessManager? Current { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Current = create();
                await Current.RunAsync(stoppingToken).ConfigureAwait(false);
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

    [LoggerMessage(LogLevel.Error, "The process manager failed; it starts again from the log and reconciles with the chain.")]
    private static partial void Failed(ILogger logger, Exception exception);
}
