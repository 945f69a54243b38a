using System.CommandLine;

namespace Failover.Host.Commands;

/// <summary>The standard streams a command uses; tests pass their own.</summary>
internal sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error);

/// <summary>Exit codes of every <c>failover</c> command (design §7).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}

/// <summary>Entry point of the <c>failover</c> executable, callable in-process by tests.</summary>
internal static class FailoverCli
{
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        if (PrivateKeyArguments.FindFirst(args) is { } position)
        {
            await console.Error.WriteLineAsync(PrivateKeyArguments.Refusal(position)).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var root = new RootCommand("Failover: keeps an Antelope block producer producing when a data center fails.");
        foreach (var command in CliCommands.All(console))
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
