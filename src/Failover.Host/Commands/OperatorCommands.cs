using System.CommandLine;
using Failover.EventStore;
using Failover.Service.Application;
using Failover.Service.Configuration;
using Failover.Service.Storage;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover automation pause|resume|rearm</c> and <c>failover switch --to DC</c>: operator commands recorded in the
/// store through the application's Mediator commands (validated, with who and why); the running service picks them up.
/// </summary>
internal static class OperatorCommands
{
    public static IEnumerable<Command> Create(CliConsole console)
    {
        var automation = new Command("automation", "Pause, resume or re-arm automatic failover (recorded with who and why).");
        automation.Subcommands.Add(Operator(console, "pause", "Stop automatic failover; manual switches still work.", (o, _) => new PauseAutomation(o.Producer, o.By, o.Reason)));
        automation.Subcommands.Add(Operator(console, "resume", "Resume automatic failover after a pause.", (o, _) => new ResumeAutomation(o.Producer, o.By, o.Reason)));
        automation.Subcommands.Add(Operator(console, "rearm", "Re-arm automation after it latched at the rotation cap.", (o, _) => new RearmAutomation(o.Producer, o.By, o.Reason)));
        yield return automation;

        var to = new Option<string>("--to") { Description = "The data center to move signing to (e.g. dc2).", Required = true };
        yield return Operator(console, "switch", "Ask the service to fail over to a data center now (it checks the target is ready, records and acts).",
            (o, parse) => new RequestManualFailover(o.Producer, parse.GetValue(to)!, o.By, o.Reason), to);
    }

    private sealed record Common(string Producer, string By, string Reason);

    private static Command Operator(CliConsole console, string name, string description, Func<Common, ParseResult, IOperatorCommand> create, params Option[] extra)
    {
        var store = new Option<string>("--store") { Description = "The event store: sqlite:PATH or postgres:CONNECTION STRING.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why: kept in the audit trail.", Required = true };
        var producer = new Option<string?>("--producer") { Description = "The producer account (default: Failover:Producer of --config)." };
        var config = new Option<FileInfo?>("--config") { Description = "The service's configuration file: producer and data centers are taken from it." };
        var by = new Option<string>("--by") { Description = "Who asks (default: user@host).", DefaultValueFactory = _ => $"{Environment.UserName}@{Environment.MachineName}" };
        var command = new Command(name, description) { store, reason, producer, config, by };
        foreach (var option in extra)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<string>();
            if (!StoreLocation.TryParse(parse.GetValue(store), out var location, out var storeError))
            {
                problems.Add($"--store {storeError}.");
            }

            IReadOnlyList<string>? dataCenters = null;
            var producerName = parse.GetValue(producer);
            if (parse.GetValue(config) is { } file)
            {
                var loaded = FailoverSettingsLoader.Load(RunCommand.BuildConfiguration(file));
                if (loaded.Settings is { } settings)
                {
                    producerName ??= settings.Producer.ToString();
                    dataCenters = [.. settings.DataCenters.Select(d => d.Name)];
                }
                else
                {
                    problems.AddRange(loaded.Problems.Select(p => $"--config: {p}"));
                }
            }

            if (producerName is null)
            {
                problems.Add("--producer (or --config) is required: which producer's failover process is this for?");
            }

            if (problems.Count > 0)
            {
                return await FailAsync(console, problems).ConfigureAwait(false);
            }

            await using var opened = await StoreOpener.OpenAsync(location!, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await using var services = new ServiceCollection()
                .AddSingleton(opened)
                .AddSingleton(TimeProvider.System)
                .AddFailoverApplication(dataCenters)
                .BuildServiceProvider();
            var mediator = services.GetRequiredService<IMediator>();
            CommandResult result;
            try
            {
                result = await mediator.Send(create(new Common(producerName!, parse.GetValue(by)!, parse.GetValue(reason)!), parse), cancellationToken).ConfigureAwait(false);
            }
            catch (ValidationException e)
            {
                return await FailAsync(console, [.. e.Errors.Select(x => x.ErrorMessage)]).ConfigureAwait(false);
            }

            if (!result.Recorded)
            {
                await console.Error.WriteLineAsync($"Refused: {result.Message}.").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await console.Out.WriteLineAsync($"Recorded at position {result.Position}: {result.Message}.").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> FailAsync(CliConsole console, IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            await console.Error.WriteLineAsync(problem).ConfigureAwait(false);
        }

        return ExitCodes.Usage;
    }
}
