using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Failover.Service.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Hosting;
using Failover.EventStore;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover run</c>: the long-running service (observer, projections, HTTP endpoints). Configuration comes from
/// <c>appsettings.json</c> in the working directory, then <c>--config FILE</c>, then environment variables
/// <c>FAILOVER__…</c>; an invalid configuration stops start-up listing every problem (exit 2) before anything is appended.
/// </summary>
internal static partial class RunCommand
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
    /// <summary>
    /// <see cref="BuildConfiguration(FileInfo?)"/>, with a file that does not parse reported instead of thrown: the
    /// loader wraps the parser's reason (and the line and position it stopped at), so every reason is given.
    /// </summary>
    public static IConfigurationRoot? TryBuildConfiguration(FileInfo? configFile, out string? unreadable)
    {
        try
        {
            unreadable = null;
            return BuildConfiguration(configFile);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            var reasons = new List<string>();
            for (Exception? reason = e; reason is not null; reason = reason.InnerException)
            {
                reasons.Add(reason.Message);
            }

            unreadable = string.Join(" ", reasons);
            return null;
        }
    }

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

    /// <summary>
    /// The configuration and the settings it gives, or the exit code when it does not give any: a file that does not
    /// exist or parse, or every problem it has listed (exit 2). Warnings are printed and the settings returned.
    /// </summary>
    public static async Task<(IConfigurationRoot? Configuration, FailoverSettings? Settings, int ExitCode)> LoadSettingsAsync(CliConsole console, FileInfo? configFile)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (configFile is { Exists: false })
        {
            await console.Error.WriteLineAsync($"--config: {configFile.FullName} does not exist.").ConfigureAwait(false);
            return (null, null, ExitCodes.Usage);
        }

        if (TryBuildConfiguration(configFile, out var unreadable) is not { } configuration)
        {
            await console.Error.WriteLineAsync($"The configuration could not be read: {unreadable}").ConfigureAwait(false);
            return (null, null, ExitCodes.Usage);
        }

        var loaded = FailoverSettingsLoader.Load(configuration);
        if (loaded.Settings is not { } settings)
        {
            await console.Error.WriteLineAsync($"The configuration has {loaded.Problems.Count} problem(s); nothing was started:").ConfigureAwait(false);
            foreach (var problem in loaded.Problems)
            {
                await console.Error.WriteLineAsync("  - " + problem).ConfigureAwait(false);
            }

            return (configuration, null, ExitCodes.Usage);
        }

        foreach (var warning in loaded.Warnings)
        {
            await console.Error.WriteLineAsync("WARNING: " + warning).ConfigureAwait(false);
        }

        return (configuration, settings, ExitCodes.Ok);
    }

    private static async Task<int> RunAsync(CliConsole console, FileInfo? configFile, string urls, string? simulatorClock, CancellationToken cancellationToken)
    {
        var (configuration, loadedSettings, exitCode) = await LoadSettingsAsync(console, configFile).ConfigureAwait(false);
        if (loadedSettings is not { } settings)
        {
            return exitCode;
        }

        var listen = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!configuration!.GetSection("Kestrel:Endpoints").Exists() && BusyUrl(listen) is { } busy)
        {
            // Before the store is opened or anything starts (Kestrel would bind only after the observer had started).
            await console.Error.WriteLineAsync(AddressInUse(busy)).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

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
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsListenFailure(e))
        {
            // The hosted services started before the server: stop them before the store is closed.
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await console.Error.WriteLineAsync(ListenFailure(e, listen)).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>The line for a URL another process listens on.</summary>
    public static string AddressInUse(string url) => $"Could not listen on {url}: address already in use";

    /// <summary>
    /// The first of <paramref name="urls"/> whose address and port a socket is already bound to (a listener), or null:
    /// checked by binding a socket there as Kestrel would, and letting it go. Unix sockets, named pipes and port 0 are
    /// not checked, nor anything that fails for another reason (Kestrel reports it).
    /// </summary>
    public static string? BusyUrl(IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var url in urls)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue;
            }

            if (address.IsUnixPipe || address.IsNamedPipe || address.Port == 0)
            {
                continue;
            }

            // As Kestrel binds: localhost on both loopbacks, an IP as given, any other host on every interface.
            IPAddress[] addresses = string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
                ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
                : IPAddress.TryParse(address.Host, out var ip) ? [ip] : [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any];
            if (addresses.Any(a => IsBound(new IPEndPoint(a, address.Port))))
            {
                return url;
            }
        }

        return null;
    }

    /// <summary>The line for the server failing to start: the address Kestrel names, and why.</summary>
    public static string ListenFailure(Exception exception, IReadOnlyList<string> urls)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var url = KestrelAddress().Match(exception.Message) is { Success: true } named ? named.Groups["url"].Value : string.Join(", ", urls);
        var chain = new List<Exception>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            chain.Add(e);
        }

        return chain.Any(e => e is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            ? AddressInUse(url)
            : $"Could not listen on {url}: {chain[^1].Message}";
    }

    /// <summary>How Kestrel fails to bind: an <see cref="IOException"/> around the socket's error (or that error itself).</summary>
    public static bool IsListenFailure(Exception e) => e is IOException or AddressInUseException or SocketException;

    private static bool IsBound(IPEndPoint endpoint)
    {
        try
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            if (!OperatingSystem.IsWindows())
            {
                // A port left in TIME_WAIT by a previous run is free to Kestrel: only a listener counts as taken.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(endpoint);
            return false;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.AddressAlreadyInUse;
        }
    }

    [GeneratedRegex(@"Failed to bind to address (?<url>\S+?): ")]
    private static partial Regex KestrelAddress();
}
