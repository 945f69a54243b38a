using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Failover.Host.Commands;

/// <summary><c>failover version</c>: what an operator quotes in a bug report — the version, the commit it was built from, the runtime.</summary>
internal static class VersionCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("version", "Prints the version of this build, the commit it was built from, and the runtime it runs on.");
        command.SetAction(_ =>
        {
            console.Out.WriteLine(Describe(
                typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
                RuntimeInformation.FrameworkDescription,
                RuntimeInformation.RuntimeIdentifier));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The SDK writes the commit after a '+' in the informational version (from git, when the build had one);
    /// "unknown" when it did not.
    /// </summary>
    public static string Describe(string? informationalVersion, string framework, string runtimeIdentifier)
    {
        var (version, commit) = informationalVersion?.Split('+', 2) is [var v, var c] ? (v, c) : (informationalVersion ?? "unknown", "unknown");
        return $"failover {version}\ncommit {commit}\nruntime {framework} ({runtimeIdentifier})";
    }
}
