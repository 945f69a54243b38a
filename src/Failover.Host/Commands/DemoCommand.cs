using System.CommandLine;
using System.Globalization;
using Failover.Host.Demo;
using Failover.Simulator;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover demo</c>: the failover service itself against an in-process simulated chain (21 producers, ours with
/// two data centers) on a sped-up clock; see <see cref="DemoRun"/>.
/// </summary>
internal static class DemoCommand
{
    /// <summary>About a minute of wall time for the whole demo (measured; see docs/demo.md).</summary>
    public const double DefaultSpeed = 10;

    /// <summary>The others' windows of one round of the demo's 21 producers: 20 × 6 s.</summary>
    public const double MaxOutageBeforeOurWindow = 120;

    public static Command Create(CliConsole console)
    {
        var speed = new Option<double>("--speed") { Description = "Clock speed factor of the simulation.", DefaultValueFactory = _ => DefaultSpeed };
        var urls = new Option<string>("--urls") { Description = "Where the service serves HTTP (semicolon-separated URLs).", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var seed = new Option<string>("--seed") { Description = "Every key and the chain id derive from it.", DefaultValueFactory = _ => "failover" };
        var consensus = new Option<string>("--consensus") { Description = "savanna or legacy.", DefaultValueFactory = _ => "savanna" };
        consensus.AcceptOnlyFromAmong("savanna", "legacy");
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Where the service keeps its store failover.db: a directory without one — a new or empty one (default: a new folder, printed)." };
        var keepRunning = new Option<bool>("--keep-running") { Description = "Keep the service and the chain running after the failover until Ctrl+C." };
        var outageAt = new Option<double>("--outage-at")
        {
            Description = "SECONDS-BEFORE-OUR-WINDOW: when dc1 goes down (default early enough that no block is lost; 1 is just before our window).",
            DefaultValueFactory = _ => DemoOptions.DefaultOutageBeforeOurWindow.TotalSeconds,
        };
        var tokenFile = new Option<FileInfo?>("--api-token-file") { Description = "A file (owner-only) holding the API token: enables the control routes and the dashboard's buttons. Never printed." };

        var command = new Command("demo", "The failover service against a simulated chain: our first data center goes down and the service rotates to the second.")
        {
            speed, urls, seed, consensus, dataDir, keepRunning, outageAt, tokenFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var simulation = new SimulationOptions
            {
                Seed = parse.GetValue(seed)!,
                Consensus = parse.GetValue(consensus) == "legacy" ? ConsensusMode.Legacy : ConsensusMode.Savanna,
            };
            var problems = simulation.Validate().ToList();
            var factor = parse.GetValue(speed);
            if (!double.IsFinite(factor) || factor <= 0)
            {
                problems.Add($"--speed must be a positive number, got {factor.ToString(CultureInfo.InvariantCulture)}.");
            }

            // Outside our own window, and within one round of it (21 producers × 6 s = 126 s, our 6 s excluded).
            var before = parse.GetValue(outageAt);
            if (!double.IsFinite(before) || before < 0.5 || before > MaxOutageBeforeOurWindow)
            {
                problems.Add($"--outage-at must be 0.5 to {MaxOutageBeforeOurWindow} seconds before our window, got {before.ToString(CultureInfo.InvariantCulture)}.");
            }

            var listen = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (listen.Length == 0)
            {
                problems.Add("--urls must name at least one URL.");
            }

            var directory = parse.GetValue(dataDir);
            if (directory is not null && File.Exists(directory.FullName))
            {
                problems.Add($"--data-dir {directory.FullName} is a file, not a directory.");
            }
            else if (directory is not null && DemoRun.StoreFiles(directory).FirstOrDefault(File.Exists) is { } existing)
            {
                problems.Add($"--data-dir {directory.FullName} already holds a store ({Path.GetFileName(existing)}) from an earlier run, whose events the demo would "
                    + $"replay as its own: use a new directory (or remove {Path.Combine(directory.FullName, DemoRun.StoreFileName)} and its -wal and -shm files).");
            }

            var token = parse.GetValue(tokenFile);
            if (token is not null && Failover.Service.Configuration.FailoverConfigurationValidator.KeyFileProblem(token.FullName) is { } tokenProblem)
            {
                problems.Add($"--api-token-file {tokenProblem}");
            }
            else if (token is not null && File.ReadAllText(token.FullName).Trim().Length < 16)
            {
                problems.Add("--api-token-file must hold a token of 16 characters or more.");
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                }

                return ExitCodes.Usage;
            }

            if (RunCommand.BusyUrl(listen) is { } busy)
            {
                // Before anything is created: the service would start observing before its server failed to bind.
                await console.Error.WriteLineAsync(RunCommand.AddressInUse(busy)).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var run = new DemoRun(console, new DemoOptions(simulation, factor, listen, directory, parse.GetValue(keepRunning))
            {
                ApiTokenFile = token?.FullName,
                OutageBeforeOurWindow = TimeSpan.FromSeconds(before),
            });
            return await run.RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
