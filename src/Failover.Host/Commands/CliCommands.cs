using System.CommandLine;

namespace Failover.Host.Commands;

/// <summary>The top-level subcommands of the <c>failover</c> executable; each lives in its own file.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All(CliConsole console)
    {
        yield return VersionCommand.Create(console);
        yield return KeyCommands.Create(console);
        yield return TxCommands.Create(console);
        yield return SimulateCommand.Create(console);
        yield return DemoCommand.Create(console);
        yield return RunCommand.Create(console);
        yield return CheckCommand.Create(console);
        yield return InitCommand.Create(console);
        yield return RoundsCommand.Create(console);
        yield return AuditCommand.Create(console);
        yield return StoreCommand.Create(console);
        foreach (var command in OperatorCommands.Create(console))
        {
            yield return command;
        }
    }
}
