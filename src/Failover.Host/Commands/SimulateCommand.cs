using System.CommandLine;
using System.Globalization;
using Failover.Simulator;
using Failover.Simulator.Http;

namespace Failover.Host.Commands;

/// <summary><c>failover simulate</c>: serves a simulated Antelope chain over HTTP until stopped (design §8).</summary>
internal static class SimulateCommand
{
    private const int MaxApiNodes = 100;

    public static Command Create(CliConsole console)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (semicolon-separated URLs).", DefaultValueFactory = _ => "http://127.0.0.1:8888" };
        var producers = new Option<int>("--producers") { Description = "Registered producers, ours included.", DefaultValueFactory = _ => 21 };
        var consensus = new Option<string>("--consensus") { Description = "savanna or legacy.", DefaultValueFactory = _ => "savanna" };
        consensus.AcceptOnlyFromAmong("savanna", "legacy");
        var seed = new Option<string>("--seed") { Description = "Every key and the chain id derive from it.", DefaultValueFactory = _ => "failover" };
        var speed = new Option<double>("--speed") { Description = "Clock speed factor (2 = twice as fast as real time).", DefaultValueFactory = _ => 1.0 };
        var apiNodes = new Option<int>("--api-nodes")
        {
            Description = "API nodes api1 … apiN, each a view of one side of the network at /node/apiK/v1/chain/* (api1 also at /v1/chain/*).",
            HelpName = "N",
            DefaultValueFactory = _ => 2,
        };
        var keysOut = new Option<FileInfo?>("--keys-out") { Description = "Write the simulated accounts' and nodes' test keys to this JSON file." };

        var command = new Command("simulate", "Serves a simulated Antelope producer network with fault injection: API nodes (/v1/chain/*, /node/{api node}/v1/chain/*), " +
            "each producer node's own API while it is up (/node/{producer}/{dc}/v1/chain/*), faults (/sim/*).")
        {
            urls, producers, consensus, seed, speed, apiNodes, keysOut,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var apiNodeCount = parse.GetValue(apiNodes);
            var options = new SimulationOptions
            {
                ProducerCount = parse.GetValue(producers),
                Consensus = parse.GetValue(consensus) == "legacy" ? ConsensusMode.Legacy : ConsensusMode.Savanna,
                Seed = parse.GetValue(seed)!,
                ApiNodes = [.. Enumerable.Range(1, Math.Clamp(apiNodeCount, 1, MaxApiNodes)).Select(i => $"api{i}")],
            };
            var problems = options.Validate();
            var speedFactor = parse.GetValue(speed);
            if (!double.IsFinite(speedFactor) || speedFactor <= 0)
            {
                problems = [.. problems, $"--speed must be a positive number, got {speedFactor}."];
            }

            if (apiNodeCount is < 1 or > MaxApiNodes)
            {
                problems = [.. problems, $"--api-nodes must be between 1 and {MaxApiNodes}, got {apiNodeCount}."];
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                }

                return ExitCodes.Usage;
            }

            var simulator = new ChainSimulator(options, new ScaledTimeProvider(speedFactor));
            if (parse.GetValue(keysOut) is { } file)
            {
                // Simulation keys only, but still secrets in form: readable by the owner alone.
                var access = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    access.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                await using var stream = new FileStream(file.FullName, access);
                if (!OperatingSystem.IsWindows())
                {
                    // The create mode applies only to a new file; an existing one is narrowed before keys go into it.
                    File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                SimulationKeysFile.Write(simulator.Roster, stream);
                await console.Out.WriteLineAsync($"Wrote simulation keys to {file.FullName}").ConfigureAwait(false);
            }

            var listen = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            await using var app = SimulatorHost.Build(simulator, listen);
            if (!await TryStartAsync(app, simulator, speedFactor, listen, console, cancellationToken).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Starts the simulator's HTTP host and prints the line that names the URLs it listens on (the bound port when
    /// asked for port 0), or why it cannot listen.
    /// </summary>
    internal static async Task<bool> TryStartAsync(
        WebApplication app, ChainSimulator simulator, double speed, string[] listen, CliConsole console, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await console.Error.WriteLineAsync($"Cannot listen on {string.Join(", ", listen)}: {e.Message}").ConfigureAwait(false);
            return false;
        }

        var options = simulator.Options;
        await console.Out.WriteLineAsync(
            $"Simulating {options.ProducerCount} producers ({options.Consensus.ToString().ToLowerInvariant()}, seed '{options.Seed}', " +
            $"speed {speed.ToString(CultureInfo.InvariantCulture)}, API nodes {string.Join(", ", options.ApiNodes)}) chain {simulator.ChainId} on {string.Join(", ", app.Urls)}").ConfigureAwait(false);
        return true;
    }
}
