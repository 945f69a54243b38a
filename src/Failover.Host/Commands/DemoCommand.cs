using System.CommandLine;
using System.Globalization;
using Failover.Antelope.Chain;
using Failover.Host.Demo;
using Failover.Simulator;
using Failover.Simulator.Http;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover demo</c>: the one-command fire drill. Starts the simulator in-process (21 producers, ours with two data
/// centers) on a sped-up clock, serves its chain API over HTTP, and runs a <see cref="FireDrill"/> against it.
/// </summary>
internal static class DemoCommand
{
    /// <summary>About a minute of wall time for the whole drill (measured; see docs/demo.md).</summary>
    public const double DefaultSpeed = 10;

    public static Command Create(CliConsole console)
    {
        var speed = new Option<double>("--speed") { Description = "Clock speed factor of the simulation.", DefaultValueFactory = _ => DefaultSpeed };
        var urls = new Option<string>("--urls") { Description = "Where the simulator serves its chain API (semicolon-separated URLs).", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var seed = new Option<string>("--seed") { Description = "Every key and the chain id derive from it.", DefaultValueFactory = _ => "failover" };
        var consensus = new Option<string>("--consensus") { Description = "savanna or legacy.", DefaultValueFactory = _ => "savanna" };
        consensus.AcceptOnlyFromAmong("savanna", "legacy");
        var keepRunning = new Option<bool>("--keep-running") { Description = "Keep the simulator serving after the drill until Ctrl+C." };

        var command = new Command("demo", "Fire drill: a simulated chain loses our first data center and the producer is rotated to the second.")
        {
            speed, urls, seed, consensus, keepRunning,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            console,
            parse.GetValue(speed),
            parse.GetValue(urls)!,
            new SimulationOptions
            {
                Seed = parse.GetValue(seed)!,
                Consensus = parse.GetValue(consensus) == "legacy" ? ConsensusMode.Legacy : ConsensusMode.Savanna,
            },
            parse.GetValue(keepRunning),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliConsole console, double speed, string urls, SimulationOptions options, bool keepRunning, CancellationToken cancellationToken)
    {
        var problems = options.Validate().ToList();
        if (!double.IsFinite(speed) || speed <= 0)
        {
            problems.Add($"--speed must be a positive number, got {speed.ToString(CultureInfo.InvariantCulture)}.");
        }

        var listen = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (listen.Length == 0)
        {
            problems.Add("--urls must name at least one URL.");
        }

        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await console.Error.WriteLineAsync(problem).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        var time = new ScaledTimeProvider(speed);
        var simulator = new ChainSimulator(options, time);
        await using var app = SimulatorHost.Build(simulator, listen);
        if (!await SimulateCommand.TryStartAsync(app, simulator, speed, listen, console, cancellationToken).ConfigureAwait(false))
        {
            return ExitCodes.Failure;
        }

        using var http = new HttpClient();
        var chain = new ChainApiClient(http, new ChainApiOptions { BaseAddress = new Uri(app.Urls.First()) });
        var drill = new FireDrill(chain, time, new SimulatorFaults(simulator), DrillPlan.ForSimulation(simulator.Roster), e => console.Out.WriteLine(e));
        DrillOutcome outcome;
        try
        {
            outcome = await drill.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("Demo cancelled.").ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (!outcome.Succeeded)
        {
            await console.Error.WriteLineAsync($"Demo failed: {outcome.FailureReason}").ConfigureAwait(false);
        }

        if (keepRunning)
        {
            await console.Out.WriteLineAsync($"The simulator keeps serving on {string.Join(", ", app.Urls)}; press Ctrl+C to stop.").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return outcome.Succeeded ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
