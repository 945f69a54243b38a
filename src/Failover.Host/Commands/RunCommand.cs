using System.CommandLine;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Failover.Service.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover run</c>: the long-running service (observer, projections, HTTP endpoints). Configuration comes from
/// <c>appsettings.json</c> in the working directory, then <c>--config FILE</c>, then environment variables
/// <c>FAILOVER__…</c>; an invalid configuration stops start-up listing every problem (exit 2) before anything is appended.
/// </summary>
internal static class RunCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static Command Create(CliConsole console)
    {
        var config = new Option<FileInfo?>("--config") { Description = "A JSON configuration file (its Failover section; see README)." };
        var urls = new Option<string>("--urls") { Description = "Where the HTTP endpoints listen (semicolon-separated URLs).", DefaultValueFactory = _ => DefaultUrls };
        var simulatorClock = new Option<string?>("--simulator-clock")
        {
            Description = "Drills only: run on the clock of a `failover simulate` at this URL (its time and --speed), so a sped-up simulated chain looks fresh.",
        };
        var command = new Command("run", "Runs the failover service: observer, projections, process manager and HTTP endpoints, until stopped (SIGTERM or Ctrl+C).")
        {
            config, urls, simulatorClock,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(console, parse.GetValue(config), parse.GetValue(urls)!, parse.GetValue(simulatorClock), cancellationToken));
        return command;
    }

    /// <summary>The configuration sources of <c>failover run</c>, in order of precedence (last wins).</summary>
    public static IConfigurationRoot BuildConfiguration(FileInfo? configFile) =>
        BuildConfiguration(configFile, Directory.GetCurrentDirectory(), new EnvironmentVariablesConfigurationSource());

    /// <summary>
    /// <c>appsettings.json</c> in <paramref name="baseDirectory"/> (optional), then <paramref name="configFile"/>, then
    /// <paramref name="environment"/> (the process's environment variables; tests pass their own), last wins.
    /// </summary>
    public static IConfigurationRoot BuildConfiguration(FileInfo? configFile, string baseDirectory, IConfigurationSource environment)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(baseDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            builder.AddJsonFile(configFile.FullName, optional: false, reloadOnChange: false);
        }

        return builder.Add(environment).Build();
    }

    private static async Task<int> RunAsync(CliConsole console, FileInfo? configFile, string urls, string? simulatorClock, CancellationToken cancellationToken)
    {
        if (configFile is { Exists: false })
        {
            await console.Error.WriteLineAsync($"--config: {configFile.FullName} does not exist.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        IConfigurationRoot configuration;
        try
        {
            configuration = BuildConfiguration(configFile);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            // The file loader wraps the parser's reason (and the line and position it stopped at): show them all.
            var reasons = new List<string>();
            for (Exception? reason = e; reason is not null; reason = reason.InnerException)
            {
                reasons.Add(reason.Message);
            }

            await console.Error.WriteLineAsync($"The configuration could not be read: {string.Join(" ", reasons)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var loaded = FailoverSettingsLoader.Load(configuration);
        if (loaded.Settings is not { } settings)
        {
            await console.Error.WriteLineAsync($"The configuration has {loaded.Problems.Count} problem(s); nothing was started:").ConfigureAwait(false);
            foreach (var problem in loaded.Problems)
            {
                await console.Error.WriteLineAsync("  - " + problem).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        foreach (var warning in loaded.Warnings)
        {
            await console.Error.WriteLineAsync("WARNING: " + warning).ConfigureAwait(false);
        }

        var listen = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var time = TimeProvider.System;
        if (simulatorClock is not null)
        {
            var (clock, problem) = await SimulatorClock.JoinAsync(simulatorClock, cancellationToken).ConfigureAwait(false);
            if (clock is null)
            {
                await console.Error.WriteLineAsync($"--simulator-clock: {problem}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            await console.Error.WriteLineAsync($"WARNING: running on the simulator's clock ({clock.Speed}× real time): for drills against `failover simulate`, never against a real chain.").ConfigureAwait(false);
            time = clock;
            // Timeouts run on the service's clock: keep them as long in real time as configured.
            settings = settings with { Observer = settings.Observer with { RequestTimeout = settings.Observer.RequestTimeout * clock.Speed } };
        }

        Failover.EventStore.IEventStore store;
        try
        {
            store = await StoreOpener.OpenAsync(settings.Store, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await console.Error.WriteLineAsync($"The event store {settings.Store} could not be opened: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await using var opened = store;
        await using var app = FailoverApplication.Build(settings, store, new FailoverHostOptions { Urls = listen, Configuration = configuration, Time = time });
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
