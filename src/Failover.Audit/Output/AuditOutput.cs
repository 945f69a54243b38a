using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Audit.Explain;
using Failover.Audit.Replay;
using Failover.Audit.Verification;
using Failover.Audit.WhatIf;
using Failover.Domain.ReadModels;
using Spectre.Console;

namespace Failover.Audit.Output;

/// <summary>
/// How the audit prints: Spectre.Console tables (and a progress bar on a terminal), plain sentences, or JSON for
/// scripts. Off a terminal nothing is coloured or animated.
/// </summary>
public static class AuditOutput
{
    public static IAnsiConsole Console(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    public static async Task WriteJsonAsync<T>(TextWriter writer, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync(JsonSerializer.Serialize(value, typeInfo)).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar on <paramref name="error"/> when it is a terminal.</summary>
    public static async Task<T> WithProgressAsync<T>(TextWriter error, bool terminal, string what, long total, Func<IProgress<long>?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!terminal || total <= 0)
        {
            return await work(null).ConfigureAwait(false);
        }

        return await Console(error, terminal: true).Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(what, maxValue: total);
                return await work(new Reporter(task)).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private sealed class Reporter(ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = value;
    }

    public static void Verify(IAnsiConsole console, string store, VerifyReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        Line(console, $"Store {store}, opened read-only.");
        Line(console, report.ChainIntact
            ? $"Hash chain: intact over {report.Events} events (positions 1–{report.HeadPosition}); head {report.HeadPosition} hash {report.HeadHash ?? "-"}."
            : $"Hash chain: BROKEN ({report.Events} events read, head position {report.HeadPosition}).");
        if (report.HeadHash is { } head)
        {
            Line(console, $"Anchor this head elsewhere and check it later with --anchor {report.HeadPosition}:{head}");
        }

        Line(console, $"Streams: {report.Streams}. Decisions: {report.Decisions}, {report.DecisionsRederived} re-derived by the policy from their recorded evidence and policy, "
            + $"{report.EvidenceRebuilt} with evidence rebuilt from the log. Rotations: {report.RotationsRequested} requested, {report.RotationStepsChecked} steps checked.");
        Line(console, $"Deciders: {report.ChainEventsRederived} chain events re-derived by the chain decider from the recorded blocks, "
            + $"{report.ProcessEventsRederived} process events by the failover decider.");
        foreach (var warning in report.Warnings)
        {
            Line(console, "Warning: " + warning);
        }

        if (report.FirstProblem is not { } first)
        {
            Line(console, "VERIFIED: the log is intact, every decision follows from its evidence, and both deciders record what it holds.");
            return;
        }

        Line(console, $"FAILED: the first bad event is at position {first.Position} ({first.Stream ?? "-"}, {first.Type ?? "-"}): [{Check(first.Check)}] {first.What}");
        foreach (var detail in first.Details.Skip(1))
        {
            Line(console, "  also: " + detail);
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"{report.Problems.Count} problem{(report.Problems.Count == 1 ? string.Empty : "s")}")
            .AddColumn(new TableColumn("position").RightAligned()).AddColumn("stream").AddColumn("type").AddColumn("check").AddColumn("what is wrong");
        foreach (var problem in report.Problems.Take(200))
        {
            table.AddRow(Cell(problem.Position.ToString(CultureInfo.InvariantCulture)), Cell(problem.Stream ?? "-"), Cell(problem.Type ?? "-"), Cell(Check(problem.Check)), Cell(problem.What));
        }

        console.Write(table);
        if (report.Problems.Count > 200)
        {
            Line(console, $"… and {report.Problems.Count - 200} more (--json lists them all).");
        }
    }

    public static void Replay(IAnsiConsole console, ReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(result);
        Line(console, $"Replayed {result.Events} events (positions 1–{result.LastPosition}) into {string.Join(", ", result.Projections.Select(p => $"{p.Key} ({p.Value.Count} documents)"))}; our producer {result.Producer}."
            + (result.FocusFrom is { } from ? $" Focus: what the events from position {from} on wrote." : string.Empty));
        var rounds = result.Rounds;
        if (rounds.Count == 0)
        {
            Line(console, "No rounds in focus.");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).Title("Rounds")
                .AddColumn("round").AddColumn("starts (UTC)").AddColumn("schedule").AddColumn(new TableColumn("participation").RightAligned())
                .AddColumn("missing").AddColumn(new TableColumn("LIB lag").RightAligned()).AddColumn($"{result.Producer} produced/missed").AddColumn("observed");
            foreach (var round in rounds)
            {
                var ours = round.Ours;
                var missing = round.Producers.Where(p => p.Producer != round.OurProducer && p.Produced == 0).Select(p => p.Producer).ToList();
                table.AddRow(
                    Cell(round.RoundStart.ToString(CultureInfo.InvariantCulture)),
                    Cell(round.StartsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    Cell("v" + string.Join(", v", round.ScheduleVersions)),
                    Cell(string.Create(CultureInfo.InvariantCulture, $"{round.OthersProducing}/{round.OthersScheduled} ({round.Participation:P0})")),
                    Cell(missing.Count == 0 ? "-" : string.Join(", ", missing)),
                    Cell(round.LibLag?.ToString(CultureInfo.InvariantCulture) ?? "-"),
                    Cell(ours is null ? "not scheduled" : $"{ours.Produced}/{ours.Missed} ({round.OurStatus})"),
                    Cell($"{round.ObservedSlots}/{round.Slots} slots"));
            }

            console.Write(table);
        }

        var failovers = result.Failovers;
        if (failovers.Count == 0)
        {
            Line(console, "No failover incidents in focus.");
            return;
        }

        var timeline = new Table().Border(TableBorder.Rounded).Title("Failover timeline")
            .AddColumn("#").AddColumn("incident").AddColumn("opened (UTC)").AddColumn("decisions").AddColumn("rotation").AddColumn("outcome");
        foreach (var failover in failovers)
        {
            timeline.AddRow(
                Cell(failover.Sequence.ToString(CultureInfo.InvariantCulture)),
                Cell(failover.IncidentId),
                Cell(Clock(failover.OpenedAt)),
                Cell(string.Join("\n", failover.Decisions.Select(d => $"{Clock(d.DecidedAt)} {d.Outcome}{(d.TargetDataCenter is { } t ? " → " + t : string.Empty)}{(d.Reasons.Count > 0 ? $" ({string.Join(", ", d.Reasons)})" : string.Empty)}"))),
                Cell(failover.Rotations.Count == 0 ? "-" : string.Join("\n", failover.Rotations.Select(Rotation))),
                Cell(failover.Outcome));
        }

        console.Write(timeline);
    }

    private static string Rotation(RotationRecord r)
    {
        var steps = new List<string> { $"{r.RotationId} → {r.TargetDataCenter}, tx {r.TransactionId[..Math.Min(12, r.TransactionId.Length)]}…", $"requested {Clock(r.RequestedAt)}" };
        if (r.SubmittedAt is { } submitted)
        {
            steps.Add($"pushed {Clock(submitted)} ({r.SubmitOutcome})");
        }

        if (r.FailureReason is { } failure)
        {
            steps.Add($"FAILED ({failure}{(r.FailureCode is { } code ? $" {code}" : string.Empty)})");
        }

        if (r.KeyRotatedAt is { } rotated)
        {
            steps.Add($"table {Clock(rotated)}");
        }

        if (r.ActivatedAt is { } activated)
        {
            steps.Add($"schedule{(r.ActivatedScheduleVersion is { } v and > 0 ? $" v{v}" : string.Empty)} {Clock(activated)}");
        }

        if (r.CompletedAt is { } completed)
        {
            steps.Add($"completed block {r.CompletedBlockNum} {Clock(completed)}");
        }

        return string.Join(", ", steps);
    }

    public static void WhatIf(IAnsiConsole console, WhatIfReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        Line(console, $"What if {string.Join(", ", report.Changes)}: {report.Differing} of {report.Decisions} recorded decision{(report.Decisions == 1 ? string.Empty : "s")} would have differed.");
        if (report.Results.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("position").RightAligned()).AddColumn("incident").AddColumn("decided (UTC)").AddColumn("recorded").AddColumn("what if").AddColumn("how");
            foreach (var r in report.Results)
            {
                table.AddRow(
                    Cell(r.Position.ToString(CultureInfo.InvariantCulture)),
                    Cell(r.IncidentId),
                    Cell(Clock(r.DecidedAt)),
                    Cell(Describe(r.RecordedOutcome, r.RecordedReasons, r.RecordedTarget)),
                    Cell(Describe(r.Outcome, r.Reasons, r.Target)),
                    Cell(r.Differs ? r.Summary : "same"));
            }

            console.Write(table);
        }

        foreach (var caveat in report.Caveats)
        {
            Line(console, "Note: " + caveat);
        }
    }

    public static void Explain(IAnsiConsole console, IReadOnlyList<DecisionStory> stories)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(stories);
        foreach (var story in stories)
        {
            foreach (var line in story.Narrative)
            {
                Line(console, line);
            }

            var gates = new Table().Border(TableBorder.Rounded).Title("Gates").AddColumn("gate").AddColumn("verdict").AddColumn("detail");
            foreach (var gate in story.Gates)
            {
                gates.AddRow(Cell(gate.Reason), Cell(StoryText.Verdict(gate)), Cell(gate.Detail));
            }

            console.Write(gates);
        }
    }

    private static string Describe(Domain.Decisions.DecisionOutcome outcome, IReadOnlyList<string> reasons, string? target) => outcome switch
    {
        Domain.Decisions.DecisionOutcome.Trigger => $"trigger → {target}",
        Domain.Decisions.DecisionOutcome.Suppress => $"suppress ({string.Join(", ", reasons)})",
        _ => "wait",
    };

    internal static string Check(AuditCheck check) => JsonSerializer.Serialize(check, AuditJsonContext.Default.AuditCheck).Trim('"');

    private static Text Cell(string text) => new(text);

    private static void Line(IAnsiConsole console, string text) => console.Profile.Out.Writer.WriteLine(text);

    private static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.f", CultureInfo.InvariantCulture);
}
