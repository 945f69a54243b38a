using System.Diagnostics;

namespace Failover.Testing;

/// <summary>
/// Runs a command-line tool the tests check deployment files with (promtool, systemd-analyze). A missing tool fails the
/// test and says how to install it — it is never skipped: CI installs them (.ci/run).
/// </summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}:\n{Output}";
    }

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, string? workingDirectory = null, string? standardInput = null)
    {
        var path = Find(tool) ?? throw new InvalidOperationException(
            $"{tool} is not installed: apt-get install -y {(tool == "promtool" ? "prometheus" : "systemd")} (as .ci/run does).");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            WorkingDirectory = workingDirectory ?? RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output + await error);
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
}
