using System.Text.Json;
using Failover.Domain.Chain;
using Failover.EventStore;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Failover.Service.Observation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Failover.Service.Metrics;

/// <summary>
/// <c>/health/ready</c>: the store answers, the observer is within its lag budget (it recorded a participation sample
/// recently), a majority of the endpoints agree with the recorded chain, and every projection has caught up with the
/// log. 503 lists the failing checks.
/// </summary>
public static class ReadinessChecks
{
    public const string Tag = "ready";

    /// <summary>A projection may trail the log by this many events and still count as caught up (a second or two of blocks).</summary>
    public const long ProjectionSlack = 100;

    /// <summary>How old the observer's latest sample may be: a few sample intervals (it samples at least every SampleInterval).</summary>
    public static TimeSpan ObserverBudget(ObserverSettings observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return observer.SampleInterval * 3 + observer.PollInterval * 4;
    }

    public static IHealthChecksBuilder AddFailoverReadiness(this IHealthChecksBuilder checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        return checks
            .AddCheck<StoreCheck>("store", tags: [Tag])
            .AddCheck<ObserverCheck>("observer", tags: [Tag])
            .AddCheck<EndpointsCheck>(EndpointsCheck.Name, tags: [Tag])
            .AddCheck<ProjectionsCheck>("projections", tags: [Tag]);
    }

    /// <summary>Writes the report as JSON: the overall status, the failing checks and every check with its description.</summary>
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString().ToLowerInvariant());
            json.WriteStartArray("failing");
            foreach (var failing in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
            {
                json.WriteStringValue(failing.Key);
            }

            json.WriteEndArray();
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString().ToLowerInvariant());
                json.WriteString("description", entry.Description);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The store answers a read of its head within a few seconds.</summary>
    private sealed class StoreCheck(IEventStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                var head = await store.ReadHeadPositionAsync(timeout.Token).ConfigureAwait(false);
                return HealthCheckResult.Healthy($"the log holds {head} events");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"the event store does not answer: {e.GetType().Name}");
            }
        }
    }

    /// <summary>This service's observer recorded a sample within its budget (it is polling and caught up).</summary>
    private sealed class ObserverCheck(FailoverMetrics metrics, FailoverSettings settings, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var budget = ObserverBudget(settings.Observer);
            var last = metrics.LastSampleAt;
            var age = last is { } at ? time.GetUtcNow() - at : (TimeSpan?)null;
            return Task.FromResult(age is { } a && a <= budget
                ? HealthCheckResult.Healthy($"observer {settings.ObserverId} sampled {a.TotalSeconds:0.0} s ago (budget {budget.TotalSeconds:0} s)")
                : HealthCheckResult.Unhealthy(age is { } late
                    ? $"observer {settings.ObserverId} last sampled {late.TotalSeconds:0.0} s ago, over its budget of {budget.TotalSeconds:0} s (endpoints down, stale or still catching up?)"
                    : $"observer {settings.ObserverId} has recorded no sample since the service started (budget {budget.TotalSeconds:0} s)"));
        }
    }

    /// <summary>
    /// A majority of the configured endpoints agreed with the recorded chain at this observer's latest sample (as the log
    /// shows it) — else no failover could pass the endpoints gate, and the check names the endpoints that do not count
    /// and why.
    /// </summary>
    private sealed class EndpointsCheck(FailoverMetrics metrics, FailoverSettings settings) : IHealthCheck
    {
        public const string Name = "endpoints";

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var view = metrics.Observer;
            var configured = settings.Endpoints.Select(ChainEndpoint.NameOf).ToList();
            var missing = EndpointJudgement.BelowMajority(view, configured);
            return Task.FromResult(missing.Count == 0
                ? HealthCheckResult.Healthy(view.LatestSample is { } sample
                    ? $"{sample.EndpointsAgreeing} of {configured.Count} endpoints agree with the recorded chain"
                    : "no participation sample yet")
                : HealthCheckResult.Unhealthy(
                    $"fewer than a majority of the {configured.Count} configured endpoints agree with the recorded chain, so a failover could not pass the endpoints gate: {string.Join(", ", missing)}"));
        }
    }

    /// <summary>Every projection caught up once and trails the log by at most <see cref="ProjectionSlack"/> events.</summary>
    private sealed class ProjectionsCheck(IEnumerable<HostedProjection> projections, IEventStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var head = await store.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
            var behind = projections
                .Where(p => !p.Progress.CaughtUp.IsCompletedSuccessfully || (!p.Progress.IsCaughtUp && head - p.Progress.Checkpoint > ProjectionSlack))
                .Select(p => $"{p.Projection.Name} at {p.Progress.Checkpoint} of {head}")
                .ToList();
            return behind.Count == 0
                ? HealthCheckResult.Healthy($"every projection is caught up (log head {head})")
                : HealthCheckResult.Unhealthy("behind: " + string.Join(", ", behind));
        }
    }
}
