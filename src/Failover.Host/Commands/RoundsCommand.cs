using System.CommandLine;
using System.Globalization;
using Failover.Antelope;
using Failover.Domain.ReadModels;
using Failover.EventStore.Projections;
using Failover.Service.Api;
using Failover.Service.Configuration;
using Failover.Service.Storage;
using Spectre.Console;
using Failover.EventStore;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover rounds --store STORE [--limit N] [--to ROUND|TIME]</c>: rounds of the <c>RoundHealth</c> read model as a
/// table, newest first — the chain's health without the HTTP API, also hours back around an incident.
/// </summary>
internal static class RoundsCommand
{
    public static Command Create(CliConsole console)
    {
        var store = new Option<string>("--store") { Description = "The event store: sqlite:PATH or postgres:CONNECTION STRING.", Required = true };
        var limit = new Option<int>("--limit") { Description = "How many rounds, newest first (1–200).", DefaultValueFactory = _ => 10 };
        var to = new Option<string?>("--to") { Description = "The newest round to show: a round (its start slot, as the first column prints it) or a UTC time such as 2026-12-01T12:45:00Z. Default: the last." };
        var command = new Command("rounds", "Prints rounds, newest first: schedule, participation of the other producers, LIB lag, our produced/missed slots.") { store, limit, to };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<string>();
            if (!StoreLocation.TryParse(parse.GetValue(store), out var location, out var error))
            {
                problems.Add($"--store {error}.");
            }

            var count = parse.GetValue(limit);
            if (count is < 1 or > QueryApi.MaxRounds)
            {
                problems.Add($"--limit must be 1 to {QueryApi.MaxRounds}, got {count}.");
            }

            var newest = uint.MaxValue;
            if (parse.GetValue(to) is { } bound && !TryParseBound(bound, out newest))
            {
                problems.Add($"--to must be a round (its start slot) or a UTC time such as 2026-12-01T12:45:00Z, got '{bound}'.");
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                }

                return ExitCodes.Usage;
            }

            if (location!.Kind == StoreKind.Sqlite && !File.Exists(location.Target))
            {
                await console.Error.WriteLineAsync($"--store: {location.Target} does not exist.").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await using var opened = await StoreOpener.OpenAsync(location, TimeProvider.System, cancellationToken, readOnly: true).ConfigureAwait(false);
            var rounds = await new ReadModelQueries((IProjectionStore)opened).RoundsAsync(0, newest, count, cancellationToken).ConfigureAwait(false);
            if (rounds.Count == 0)
            {
                await console.Out.WriteLineAsync("No rounds recorded yet: is `failover run` observing into this store?").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            Render(console, rounds);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool TryParseBound(string text, out uint slot)
    {
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out slot))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && time >= BlockTimestamp.FromSlot(0) && time <= BlockTimestamp.FromSlot(uint.MaxValue))
        {
            slot = BlockTimestamp.ToSlot(time);
            return true;
        }

        return false;
    }

    private static void Render(CliConsole console, IReadOnlyList<RoundHealth> rounds)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        ansi.Profile.Width = 160;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("round").AddColumn("starts (UTC)").AddColumn("schedule").AddColumn(new TableColumn("participation").RightAligned())
            .AddColumn("missing").AddColumn(new TableColumn("LIB lag").RightAligned()).AddColumn($"{rounds[0].OurProducer} produced/missed").AddColumn("observed");
        foreach (var round in rounds)
        {
            var ours = round.Ours;
            var missing = round.Producers.Where(p => p.Producer != round.OurProducer && p.Produced == 0).Select(p => p.Producer).ToList();
            table.AddRow(
                round.RoundStart.ToString(CultureInfo.InvariantCulture),
                round.StartsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                "v" + string.Join(", v", round.ScheduleVersions),
                string.Create(CultureInfo.InvariantCulture, $"{round.OthersProducing}/{round.OthersScheduled} ({round.Participation:P0})"),
                Markup.Escape(missing.Count == 0 ? "-" : string.Join(", ", missing)),
                round.LibLag?.ToString(CultureInfo.InvariantCulture) ?? "-",
                ours is null ? "not scheduled" : $"{ours.Produced}/{ours.Missed} ({round.OurStatus})",
                $"{round.ObservedSlots}/{round.Slots} slots");
        }

        ansi.Write(table);
    }
}
