using System.CommandLine;
using System.Reflection;

namespace Failover.Host.Commands;

internal static class VersionCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("version", "Prints the version of this build.");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            console.Out.WriteLine(version);
            return ExitCodes.Ok;
        });
        return command;
    }
}
