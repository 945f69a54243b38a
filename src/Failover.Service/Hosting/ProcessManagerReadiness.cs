using Failover.Service.Process;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Failover.Service.Hosting;

/// <summary>
/// <c>/health/ready</c>'s <c>process-manager</c> check, where the host runs the process manager: unhealthy while the
/// manager knows something that keeps it from rotating (<see cref="ProcessManager.Blockers"/>: the signing key as read
/// at start-up, the signing permission as the chain last showed it, a configured consensus that is not the chain's, a
/// data center whose finalizer key the chain does not register to our producer).
/// </summary>
public sealed class ProcessManagerReadiness(Func<ProcessManager?> current) : IHealthCheck
{
    public const string Name = "process-manager";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (current() is not { } manager)
        {
            return Task.FromResult(HealthCheckResult.Healthy("the process manager is starting"));
        }

        var blockers = manager.Blockers;
        return Task.FromResult(blockers.Count == 0
            ? HealthCheckResult.Healthy(manager.IsLive ? "the process manager is live" : "the process manager is replaying the log")
            : HealthCheckResult.Unhealthy("the process manager cannot rotate: " + string.Join("; ", blockers)));
    }
}
