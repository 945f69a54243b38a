using Failover.Host.Commands;

namespace Failover.Audit.Tests;

internal sealed record AuditRun(int ExitCode, string Out, string Error);

/// <summary>Runs <c>failover audit …</c> in-process, as a person would from a shell.</summary>
internal static class Audit
{
    public static async Task<AuditRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FailoverCli.RunAsync(["audit", .. args], new CliConsole(TextReader.Null, output, error));
        return new AuditRun(exit, output.ToString(), error.ToString());
    }
}
