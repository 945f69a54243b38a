using System.Collections.Concurrent;
using Failover.EventStore.Projections;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failover.Api.Tests;

/// <summary>
/// <see cref="WebApplicationFactory{TEntryPoint}"/> over the composition root <c>failover run</c> uses,
/// <see cref="FailoverApplication.Build"/>: the factory's host-builder path is taken (<see cref="CreateHostBuilder"/>
/// returns a placeholder) and <see cref="CreateHost"/> builds the real application on the test server, given the
/// settings, the seeded store and the fake clock directly — the executable's entry point is System.CommandLine, which
/// the factory's entry-point interception cannot drive (see docs/api.md). The observer and the process manager are the
/// rig's, stepped by the test; everything else (API, projections, metrics, alerts, dashboard) is the application's.
/// </summary>
public sealed class FailoverApiFactory(ApiRig rig, Func<FailoverSettings, FailoverSettings>? configure = null) : WebApplicationFactory<AssemblyMarker>
{
    /// <summary>Every log line the application wrote (checked for secrets).</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public FailoverSettings Settings { get; } = configure?.Invoke(rig.Settings) ?? rig.Settings;

    /// <summary>Waits (bounded, real time) until every projection has caught up with the log as it is now.</summary>
    public async Task CaughtUpAsync()
    {
        var head = await rig.Store.ReadHeadPositionAsync();
        foreach (var projection in Services.GetServices<HostedProjection>())
        {
            await projection.Progress.WaitForCheckpointAsync(head).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    protected override IHostBuilder CreateHostBuilder() => new HostBuilder();

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var app = FailoverApplication.Build(Settings, rig.Store, new FailoverHostOptions
        {
            Time = rig.Clock,
            ChainHandler = rig.Handler,
            RunObserverAndProcessManager = false,
            ConfigureWebHost = web => web.UseTestServer(),
            ConfigureLogging = logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(Logs)),
        });
        app.Start();
        return app;
    }

    /// <summary>Keeps formatted log lines (with exceptions) in memory.</summary>
    private sealed class ListLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}

/// <summary>The factory's TEntryPoint: a type of this assembly, whose entry point (the test SDK's) and deps file the factory checks.</summary>
public sealed class AssemblyMarker;
