using Failover.Domain.ReadModels;
using Failover.EventStore.Projections;
using Failover.EventStore;
using Failover.Service.Alerts;
using Failover.Service.Api;
using Failover.Service.Application;
using Failover.Service.Configuration;
using Failover.Service.Dashboard;
using Failover.Service.Metrics;
using Failover.Service.Observation;
using Failover.Service.Projections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace Failover.Service.Hosting;

/// <summary>How to host the service: where to listen, which clock, and (for tests and the demo) how to reach the chain.</summary>
public sealed record FailoverHostOptions
{
    /// <summary>Where the HTTP endpoints listen (e.g. http://127.0.0.1:5080); empty: the framework's default.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Sends the chain API requests (default: the network). The demo and tests pass the simulator's handler.</summary>
    public HttpMessageHandler? ChainHandler { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Configuration the web host reads too (e.g. <c>Logging</c>), usually the one the settings came from.</summary>
    public Microsoft.Extensions.Configuration.IConfiguration? Configuration { get; init; }

    /// <summary>Replaces the web host's server (tests pass the test server).</summary>
    public Action<IWebHostBuilder>? ConfigureWebHost { get; init; }

    /// <summary>
    /// Runs the observer and the process manager as hosted services (default). Tests that step them slot by slot on a
    /// fake clock run their own over the same store and settings, and set this false.
    /// </summary>
    public bool RunObserverAndProcessManager { get; init; } = true;
}

/// <summary>
/// Composes <c>failover run</c>: the observer, the projections and the HTTP endpoints over one event store, in one
/// ASP.NET Core process with graceful shutdown (design §3 "Host").
/// </summary>
public static class FailoverApplication
{
    public static WebApplication Build(FailoverSettings settings, IEventStore store, FailoverHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        if (options.Urls.Count > 0)
        {
            builder.WebHost.UseUrls([.. options.Urls]);
        }

        // Requests are logged when they fail, not each one (a journal is read by people); a configuration can say otherwise.
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")]);
        if (options.Configuration is { } configuration)
        {
            builder.Configuration.AddConfiguration(configuration);
        }

        options.ConfigureWebHost?.Invoke(builder.WebHost);
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is { } configure)
        {
            configure(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        var services = builder.Services;
        // Under systemd (a no-op elsewhere): READY=1 once started, STOPPING=1, journald's one-line log format without colour.
        services.AddSystemd();
        services.AddSingleton(sp => new SystemdWatchdog(sp.GetService<ISystemdNotifier>(), TimeProvider.System, Environment.GetEnvironmentVariable("WATCHDOG_USEC")));
        services.AddSingleton(settings);
        // Every append is timed (failover_store_append_duration_seconds): everything below gets the decorated store.
        services.AddSingleton<FailoverMetrics>();
        services.AddSingleton<IEventStore>(sp => new InstrumentedEventStore(store, sp.GetRequiredService<FailoverMetrics>()));
        services.AddSingleton(options.Time);
        services.AddSingleton(new ChainHttp(new HttpClient(options.ChainHandler ?? ChainHttp.Handler(settings))
        {
            Timeout = Timeout.InfiniteTimeSpan, // each call has its own limit (ChainApiOptions.Timeout)
        }));
        services.AddSingleton(sp => new Observer(settings, sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ChainHttp>().Client, options.Time, sp.GetRequiredService<ILoggerFactory>().CreateLogger<Observer>())
        {
            PollCompleted = sp.GetRequiredService<SystemdWatchdog>().Beat,
        });
        foreach (var readModel in ReadModelSet.For(settings.Producer.ToString()))
        {
            services.AddSingleton(new HostedProjection(new ReadModelProjection(readModel), new ProjectionProgress()));
        }

        services.AddSingleton<Func<Process.ProcessManager>>(sp => () => new Process.ProcessManager(
            settings, sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ChainHttp>().Client, options.Time, sp.GetRequiredService<ILoggerFactory>().CreateLogger<Process.ProcessManager>()));
        services.AddSingleton<ProcessManagerService>();
        // First: it reads the log's head before the observer and the process manager append anything.
        services.AddHostedService<LogMetricsService>();
        if (options.RunObserverAndProcessManager)
        {
            services.AddHostedService(sp => sp.GetRequiredService<ProcessManagerService>());
            services.AddHostedService<ObserverService>();
        }

        services.AddHostedService<ProjectionService>();
        services.AddFailoverApplication([.. settings.DataCenters.Select(d => d.Name)]);
        services.AddSingleton(new ReadModelQueries((IProjectionStore)store));
        services.AddSingleton(new ApiToken(settings.Api));
        services.AddSingleton<ApiGuard>();
        // AllowedHosts (ASP.NET Core's key, e.g. "failover.example;localhost"): other Host headers get 400. Default: any.
        services.Configure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(o =>
            o.AllowedHosts = (builder.Configuration["AllowedHosts"] ?? "*").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            // Source-generated metadata only, in every build: the installed binary is trimmed and has no reflection
            // fallback, so a type missing from ApiJsonContext fails the tests too, not only the binary.
            var resolvers = json.SerializerOptions.TypeInfoResolverChain;
            foreach (var reflection in resolvers.OfType<System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver>().ToList())
            {
                resolvers.Remove(reflection);
            }
        });
        services.AddProblemDetails();
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Failover";
            document.Info.Description = "Chain health per round, the failover process and its audit feed; control routes need a bearer token.";
            return Task.CompletedTask;
        }));
        var readiness = services.AddHealthChecks().AddFailoverReadiness();
        if (options.RunObserverAndProcessManager)
        {
            // Only where this host runs the manager (tests that step their own leave the check out).
            readiness.Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
                ProcessManagerReadiness.Name,
                sp => new ProcessManagerReadiness(() => sp.GetRequiredService<ProcessManagerService>().Current),
                null,
                [ReadinessChecks.Tag]));
        }

        services.AddHostedService<AlertNotifier>();
        services.AddSingleton<LogBroadcast>();
        services.AddHostedService(sp => sp.GetRequiredService<LogBroadcast>());
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(FailoverMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.UseHostFiltering();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        // After routing (the endpoint is known), before any endpoint runs (its body is not read yet).
        var guard = app.Services.GetRequiredService<ApiGuard>();
        app.Use(guard.InvokeAsync);
        app.UseFailoverDashboard();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadinessChecks.Tag), ResponseWriter = ReadinessChecks.WriteAsync });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenApi();
        // Offline: the page's script comes from the package; no CDN fonts, no telemetry.
        app.MapScalarApiReference("/api/reference", reference => reference.WithTitle("Failover API").DisableDefaultFonts().DisableTelemetry());
        var reads = app.MapGroup("/api").WithTags("read");
        if (settings.Api.ProtectReads)
        {
            reads.WithMetadata(RequiresApiToken.Instance);
        }

        reads.MapQueryApi().MapEventsApi();
        app.MapGroup("/api").WithTags("control").MapControlApi();
        return app;
    }
}

/// <summary>The HTTP client every chain API call goes through.</summary>
public sealed record ChainHttp(HttpClient Client)
{
    /// <summary>
    /// Connections to the chain's nodes: enough for the observer's backfill, renewed every 5 minutes (DNS changes), and
    /// no redirect followed — an answer comes from the node configured, never from wherever a node points.
    /// </summary>
    public static SocketsHttpHandler Handler(FailoverSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(4, settings.Observer.BackfillConcurrency),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        };
    }
}
