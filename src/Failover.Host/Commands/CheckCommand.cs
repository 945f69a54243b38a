using System.CommandLine;
using Failover.Service.Hosting;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover check --config F</c>: the configuration, then every start-up check against the chain, as a checklist
/// (<see cref="DeploymentCheck"/>). Exit 0 only when every item passes; 1 when one fails; 2 when the configuration is invalid.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var config = new Option<FileInfo?>("--config") { Description = "The service's JSON configuration file (as `failover run --config`)." };
        var command = new Command("check", "Checks a configuration against the chain: store, endpoints, consensus, permission and links, keys, data centers' nodes, webhooks.")
        {
            config,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(console, parse.GetValue(config), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, FileInfo? configFile, CancellationToken cancellationToken)
    {
        var (_, loaded, exitCode) = await RunCommand.LoadSettingsAsync(console, configFile).ConfigureAwait(false);
        if (loaded is not { } settings)
        {
            return exitCode;
        }

        await console.Out.WriteLineAsync("✓ configuration — valid").ConfigureAwait(false);
        using var handler = ChainHttp.Handler(settings);
        var items = await DeploymentCheck.RunAsync(settings, handler, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        foreach (var item in items)
        {
            await console.Out.WriteLineAsync($"{(item.Passed ? "✓" : "✗")} {item.Name} — {item.Detail}").ConfigureAwait(false);
        }

        var failed = items.Count(i => !i.Passed);
        await console.Out.WriteLineAsync(failed == 0 ? $"All {items.Count + 1} checks passed." : $"{failed} of {items.Count + 1} checks failed.").ConfigureAwait(false);
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
