using System.CommandLine;
using System.Globalization;
using Failover.Audit;
using Failover.EventStore;
using Failover.Service.Application;
using Failover.Service.Configuration;
using Failover.Service.Storage;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Failover.Domain.Events;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover automation pause|resume|rearm</c> and <c>failover switch --to DC</c>: operator commands recorded in the
/// store through the application's Mediator commands (validated, with who and why); the running service picks them up.
/// </summary>
/// <remarks>
/// Nothing is opened until every argument is valid (all problems listed, exit 2). The store must already exist — these
/// commands record into the store the service runs on and never create one (exit 1 otherwise) — and is first opened
/// read-only, so a path that is no event store is neither created nor migrated. The producer must be one that store
/// knows (<see cref="RecordedTargets.FindProducerAsync"/>), and <c>switch</c>'s data center one of the service's
/// configuration (<c>--config</c>) or, without it, one recorded with the producer's latest decision (exit 2 otherwise).
/// </remarks>
internal static class OperatorCommands
{
    public static IEnumerable<Command> Create(CliConsole console)
    {
        var automation = new Command("automation", "Pause, resume or re-arm automatic failover (recorded with who and why).");
        automation.Subcommands.Add(Operator(console, "pause", "Stop automatic failover; manual switches still work.", (o, _) => new PauseAutomation(o.Producer, o.By, o.Reason)));
        automation.Subcommands.Add(Operator(console, "resume", "Resume automatic failover after a pause.", (o, _) => new ResumeAutomation(o.Producer, o.By, o.Reason)));
        automation.Subcommands.Add(Operator(console, "rearm", "Re-arm automation after it latched at the rotation cap.", (o, _) => new RearmAutomation(o.Producer, o.By, o.Reason)));
        yield return automation;

        var to = new Option<string>("--to") { Description = "The data center to move signing to (e.g. dc2): one of --config's, or without it one the store records.", Required = true };
        yield return Operator(console, "switch", "Ask the service to fail over to a data center now (it checks the target is ready, records and acts).",
            (o, parse) => new RequestManualFailover(o.Producer, parse.GetValue(to)!, o.By, o.Reason), to);
    }

    private sealed record Common(string Producer, string By, string Reason);

    private static Command Operator(CliConsole console, string name, string description, Func<Common, ParseResult, IOperatorCommand> create, params Option[] extra)
    {
        var store = new Option<string?>("--store") { Description = "The service's event store, which must exist: sqlite:PATH or postgres:CONNECTION STRING (default: Failover:Store of --config)." };
        var reason = new Option<string>("--reason") { Description = "Why: kept in the audit trail.", Required = true };
        var producer = new Option<string?>("--producer") { Description = "The producer account, one the store knows (default: Failover:Producer of --config)." };
        var config = new Option<FileInfo?>("--config")
        {
            Description = "The service's configuration file, read as `failover run` reads it: producer, store and data centers are taken from it.",
        };
        var by = new Option<string>("--by") { Description = "Who asks (default: user@host).", DefaultValueFactory = _ => $"{Environment.UserName}@{Environment.MachineName}" };
        var command = new Command(name, description) { store, reason, producer, config, by };
        foreach (var option in extra)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            // 1. Every argument, before anything is opened.
            var problems = new List<string>();
            var configFile = parse.GetValue(config);
            var settings = configFile is null ? null : LoadSettings(configFile, problems);
            StoreLocation? location = null;
            if (parse.GetValue(store) is { } storeText)
            {
                if (!StoreLocation.TryParse(storeText, out location, out var storeError))
                {
                    problems.Add($"--store {storeError}.");
                }
            }
            else if (settings is not null)
            {
                location = settings.Store;
            }
            else if (configFile is null)
            {
                problems.Add("--store (or --config) is required: which event store does the service record into?");
            }

            var producerName = parse.GetValue(producer);
            if (settings is not null && producerName is not null && producerName != settings.Producer.ToString())
            {
                problems.Add($"--producer {producerName} is not the producer of --config, whose service runs for {settings.Producer}.");
            }

            producerName ??= settings?.Producer.ToString();
            if (producerName is null && configFile is null)
            {
                problems.Add("--producer (or --config) is required: which producer's failover process is this for?");
            }

            IReadOnlyList<string>? configured = settings is null ? null : [.. settings.DataCenters.Select(d => d.Name)];
            var operatorCommand = create(new Common(producerName ?? string.Empty, parse.GetValue(by)!, parse.GetValue(reason)!), parse);
            problems.AddRange(await ValidateAsync(operatorCommand, configured, checkProducer: producerName is not null, cancellationToken).ConfigureAwait(false));
            if (problems.Count > 0)
            {
                return await FailAsync(console, ExitCodes.Usage, problems).ConfigureAwait(false);
            }

            // 2. The store must exist: opened read-only first, so nothing is created or migrated if it is not an event store.
            if (location!.Kind == StoreKind.Sqlite && !File.Exists(location.Target))
            {
                return await FailAsync(console, ExitCodes.Failure,
                    [$"--store: there is no event store at {Path.GetFullPath(location.Target)}. Operator commands record into the store the service runs on and never create one: check the path."])
                    .ConfigureAwait(false);
            }

            IReadOnlyList<string>? dataCenters = configured;
            try
            {
                await using (var reading = await StoreOpener.OpenAsync(location, TimeProvider.System, cancellationToken, readOnly: true).ConfigureAwait(false))
                {
                    // 3. The producer and the data center, against what the store records.
                    var targetProblems = new List<string>();
                    if (await RecordedTargets.FindProducerAsync(reading, producerName!, settings?.ChainId?.ToString(), cancellationToken).ConfigureAwait(false) is null)
                    {
                        targetProblems.Add(
                            $"--producer {producerName}: the store {location} knows no producer {producerName} — there is no stream {Streams.Failover(producerName!)} "
                            + $"and {producerName} is in no producer schedule the service's observer recorded there. Check --producer and --store; "
                            + "a service that has only just started knows its chain's producers once it has recorded its first block.");
                    }
                    else if (operatorCommand is RequestManualFailover manual && configured is null)
                    {
                        var recorded = await RecordedTargets.DataCentersAsync(reading, producerName!, cancellationToken).ConfigureAwait(false);
                        if (recorded is null)
                        {
                            targetProblems.Add(
                                $"--to {manual.DataCenter}: the store records no data centers of {producerName} yet (they are recorded with each decision); "
                                + "give --config FILE, the service's configuration, to check the data center against.");
                        }
                        else if (!recorded.Names.Contains(manual.DataCenter, StringComparer.Ordinal))
                        {
                            targetProblems.Add(
                                $"--to {manual.DataCenter} is not a data center of {producerName}: the store records {string.Join(", ", recorded.Names)} "
                                + $"(with its latest decision, at position {recorded.Position}, {recorded.DecidedAt.ToString("u", CultureInfo.InvariantCulture)}). "
                                + "If the configuration has changed since, give --config FILE, the service's configuration.");
                        }

                        dataCenters = recorded?.Names;
                    }

                    if (targetProblems.Count > 0)
                    {
                        return await FailAsync(console, ExitCodes.Usage, targetProblems).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException && AuditStore.IsStoreFailure(e))
            {
                return await FailAsync(console, ExitCodes.Failure, [$"--store: the event store {location} cannot be used: {e.Message}"]).ConfigureAwait(false);
            }

            // 4. Recorded through the application's command (validated again, decided against the process's state).
            try
            {
                await using var opened = await StoreOpener.OpenAsync(location, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                await using var services = new ServiceCollection()
                    .AddSingleton(opened)
                    .AddSingleton(TimeProvider.System)
                    .AddFailoverApplication(dataCenters)
                    .BuildServiceProvider();
                var result = await services.GetRequiredService<IMediator>().Send(operatorCommand, cancellationToken).ConfigureAwait(false);
                if (!result.Recorded)
                {
                    return await FailAsync(console, ExitCodes.Failure, [$"Refused: {result.Message}."]).ConfigureAwait(false);
                }

                await console.Out.WriteLineAsync($"Recorded at position {result.Position}: {result.Message}.").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (ValidationException e)
            {
                return await FailAsync(console, ExitCodes.Usage, [.. e.Errors.Select(x => x.ErrorMessage)]).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && AuditStore.IsStoreFailure(e))
            {
                return await FailAsync(console, ExitCodes.Failure, [$"Not recorded: the event store {location} failed: {e.Message}"]).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>The service's settings from <paramref name="file"/>, read as <c>failover run</c> reads them; null with the problems added when they cannot be.</summary>
    private static FailoverSettings? LoadSettings(FileInfo file, List<string> problems)
    {
        if (!file.Exists)
        {
            problems.Add($"--config: {file.FullName} does not exist.");
            return null;
        }

        if (RunCommand.TryBuildConfiguration(file, out var unreadable) is not { } configuration)
        {
            problems.Add($"--config could not be read: {unreadable}");
            return null;
        }

        var loaded = FailoverSettingsLoader.Load(configuration);

        problems.AddRange(loaded.Problems.Select(p => $"--config: {p}"));
        return loaded.Settings;
    }

    /// <summary>The command's own validators (the Mediator pipeline's), run before any store is opened.</summary>
    private static async Task<IReadOnlyList<string>> ValidateAsync(
        IOperatorCommand command, IReadOnlyList<string>? dataCenters, bool checkProducer, CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection().AddFailoverApplication(dataCenters).BuildServiceProvider();
        var validatorType = typeof(IValidator<>).MakeGenericType(command.GetType());
        var problems = new List<string>();
        foreach (var validator in services.GetServices(validatorType).Cast<IValidator>())
        {
            var result = await validator.ValidateAsync(new ValidationContext<IOperatorCommand>(command), cancellationToken).ConfigureAwait(false);
            problems.AddRange(result.Errors.Where(e => checkProducer || e.PropertyName != nameof(IOperatorCommand.Producer)).Select(e => e.ErrorMessage));
        }

        return problems;
    }

    private static async Task<int> FailAsync(CliConsole console, int exitCode, IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            await console.Error.WriteLineAsync(problem).ConfigureAwait(false);
        }

        return exitCode;
    }
}
