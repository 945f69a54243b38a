using Failover.Host.Commands;

namespace Failover.Host.Tests;

internal sealed record CliResult(int ExitCode, string Out, string Error);

internal static class CliRunner
{
    public static async Task<CliResult> RunWithInputAsync(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FailoverCli.RunAsync(args, new CliConsole(new StringReader(stdin), output, error));
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(string.Empty, args);
}
