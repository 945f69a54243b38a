using System.CommandLine;
using System.Globalization;
using Failover.Antelope;
using Failover.Audit;
using Failover.Audit.Explain;
using Failover.Audit.Export;
using Failover.Audit.Output;
using Failover.Audit.Replay;
using Failover.Audit.Verification;
using Failover.Audit.WhatIf;
using Failover.EventStore;
using Failover.Service.Configuration;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover audit verify|replay|what-if|explain|export --store STORE</c>: the log replayed, read-only, through the
/// service's own pure functions (src/Failover.Audit; docs/audit.md). Exit 0 ok (verify: the log holds), 1 a finding or
/// a store that cannot be read (with the reason), 2 bad options (every problem listed).
/// </summary>
internal static class AuditCommand
{
    public static Command Create(CliConsole console)
    {
        var audit = new Command("audit", "Proves from the log alone why the key changed, or why it did not: the store is opened read-only and never written.");
        audit.Subcommands.Add(Verify(console));
        audit.Subcommands.Add(Replay(console));
        audit.Subcommands.Add(WhatIf(console));
        audit.Subcommands.Add(Explain(console));
        audit.Subcommands.Add(Export(console));
        return audit;
    }

    private static Command Verify(CliConsole console)
    {
        var anchor = new Option<string[]>("--anchor") { Description = "POSITION:HASH of a link printed by an earlier verify and kept elsewhere; the log must still hold it (repeatable)." };
        var (command, store, json) = Verb("verify", "Checks the hash chain from position 1 and the density of positions and stream versions, re-runs every decision through the policy with its recorded policy and evidence, rebuilds each decision's evidence from the log before it, and checks every rotation step against its request and transaction. Exit 0 when all holds, 1 naming the first bad event.", anchor);
        command.SetAction((parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var anchors = new List<Anchor>();
            foreach (var text in parse.GetValue(anchor) ?? [])
            {
                if (Anchor.TryParse(text, out var parsed, out var problem))
                {
                    anchors.Add(parsed!);
                }
                else
                {
                    problems.Add($"--anchor {problem}.");
                }
            }

            return RunAsync(console, parse, store, json, problems, async (events, _, ct) =>
            {
                var report = await Verifier.VerifyAsync(events, anchors, ct).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await AuditOutput.WriteJsonAsync(console.Out, report, AuditJsonContext.Default.VerifyReport).ConfigureAwait(false);
                }
                else
                {
                    AuditOutput.Verify(AuditOutput.Console(console.Out, IsTerminal(console)), StoreText(parse, store), report);
                }

                return report.Holds ? ExitCodes.Ok : ExitCodes.Failure;
            }, cancellationToken);
        });
        return command;
    }

    private static Command Replay(CliConsole console)
    {
        var producer = new Option<string?>("--producer") { Description = "Our producer (default: inferred from the log's process stream, or its first block of ours)." };
        var from = new Option<string?>("--from") { Description = "Focus: show what the events from this position or time (ISO 8601, UTC) on wrote." };
        var to = new Option<string?>("--to") { Description = "Replay up to this position or time: the read models as they were then." };
        var (command, store, json) = Verb("replay", "Rebuilds every read model of the service (chain health, failover history) from position 1 in memory and prints the rounds and the failover timeline.", producer, from, to);
        command.SetAction((parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var fromBound = Bound(parse.GetValue(from), "--from", problems);
            var toBound = Bound(parse.GetValue(to), "--to", problems);
            var given = Producer(parse.GetValue(producer), problems);
            return RunAsync(console, parse, store, json, problems, async (events, _, ct) =>
            {
                var name = await ProducerAsync(given, events, ct).ConfigureAwait(false);
                if (name is null)
                {
                    return await UsageAsync(console, ["--producer is required: the log shows neither a failover-<producer> stream nor a block of ours."]).ConfigureAwait(false);
                }

                var head = await events.ReadHeadPositionAsync(ct).ConfigureAwait(false);
                var result = await AuditOutput.WithProgressAsync(console.Error, IsErrorTerminal(console), "replaying the log", toBound?.Position is { } last ? Math.Min(last, head) : head,
                    progress => Replayer.ReplayAsync(events, name, fromBound, toBound, progress, ct)).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await AuditOutput.WriteJsonAsync(console.Out, ReplayReports.From(result), AuditJsonContext.Default.ReplayReport).ConfigureAwait(false);
                }
                else
                {
                    AuditOutput.Replay(AuditOutput.Console(console.Out, IsTerminal(console)), result);
                }

                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }

    private static Command WhatIf(CliConsole console)
    {
        var set = new Option<string[]>("--set") { Description = "A changed policy value, Policy:Key=Value (repeatable), e.g. Policy:MinParticipation=0.9 or Policy:MaxHeadAge=00:00:05." };
        var (command, store, json) = Verb("what-if", "Re-evaluates every recorded decision on its recorded evidence under the recorded policy with the changes, and lists which would have differed and how.", set);
        command.SetAction((parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var changes = new List<PolicyOverride>();
            var texts = parse.GetValue(set) ?? [];
            if (texts.Length == 0)
            {
                problems.Add($"--set is required: which policy value to change ({string.Join(", ", PolicyOverrides.Keys.Select(k => "Policy:" + k))})?");
            }

            foreach (var text in texts)
            {
                if (PolicyOverrides.TryParse(text, out var change, out var problem))
                {
                    changes.Add(change!);
                }
                else
                {
                    problems.Add(problem + ".");
                }
            }

            return RunAsync(console, parse, store, json, problems, async (events, _, ct) =>
            {
                var report = await WhatIfAnalysis.AnalyseAsync(events, changes, ct).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await AuditOutput.WriteJsonAsync(console.Out, report, AuditJsonContext.Default.WhatIfReport).ConfigureAwait(false);
                }
                else
                {
                    AuditOutput.WhatIf(AuditOutput.Console(console.Out, IsTerminal(console)), report);
                }

                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }

    private static Command Explain(CliConsole console)
    {
        var position = new Option<string?>("--position") { Description = "The position of a decision (failover-triggered.v1 or failover-suppressed.v1)." };
        var failover = new Option<string?>("--failover") { Description = "A failover: its number in the failover history (1, failover-0000000001) or its incident id (missed-…, manual-…)." };
        var (command, store, json) = Verb("explain", "Tells the story of a decision in plain words: the missed slots that triggered it, participation and who was missing, head age, LIB, endpoints, every gate, and what followed.", position, failover);
        command.SetAction((parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var positionText = parse.GetValue(position);
            var failoverId = parse.GetValue(failover);
            long at = 0;
            if ((positionText is null) == (failoverId is null))
            {
                problems.Add("give exactly one of --position N and --failover ID.");
            }
            else if (positionText is not null && (!long.TryParse(positionText, NumberStyles.None, CultureInfo.InvariantCulture, out at) || at < 1))
            {
                problems.Add($"--position must be a position (1 or more), got '{positionText}'.");
            }
            else if (failoverId is { Length: 0 })
            {
                problems.Add("--failover is empty.");
            }

            return RunAsync(console, parse, store, json, problems, async (events, _, ct) =>
            {
                IReadOnlyList<DecisionStory> stories = positionText is not null
                    ? [await Explainer.ExplainPositionAsync(events, at, ct).ConfigureAwait(false)]
                    : await Explainer.ExplainFailoverAsync(events, failoverId!, ct).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await AuditOutput.WriteJsonAsync(console.Out, new ExplainReport(stories), AuditJsonContext.Default.ExplainReport).ConfigureAwait(false);
                }
                else
                {
                    AuditOutput.Explain(AuditOutput.Console(console.Out, IsTerminal(console)), stories);
                }

                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }

    private static Command Export(CliConsole console)
    {
        var format = new Option<string?>("--format") { Description = "csv or json (default csv; json with --json and no --out)." };
        var what = new Option<string?>("--what") { Description = "events (default), decisions or rounds." };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of standard output." };
        var producer = new Option<string?>("--producer") { Description = "Our producer, for --what rounds (default: inferred from the log)." };
        var (command, store, json) = Verb("export", "Exports the events, the decisions or the replayed rounds as CSV or JSON.", format, what, output, producer);
        command.SetAction((parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var asJson = parse.GetValue(json);
            var formatText = parse.GetValue(format);
            ExportFormat? chosen = formatText switch
            {
                null => asJson && parse.GetValue(output) is null ? ExportFormat.Json : ExportFormat.Csv,
                "csv" => ExportFormat.Csv,
                "json" => ExportFormat.Json,
                _ => null,
            };
            if (chosen is null)
            {
                problems.Add($"--format must be csv or json, got '{formatText}'.");
            }
            else if (asJson && chosen == ExportFormat.Csv && parse.GetValue(output) is null)
            {
                problems.Add("--json writes JSON to standard output, --format csv asks for CSV: drop one, or write the CSV with --out FILE.");
            }

            var whatText = parse.GetValue(what) ?? "events";
            ExportSubject? subject = whatText switch
            {
                "events" => ExportSubject.Events,
                "decisions" => ExportSubject.Decisions,
                "rounds" => ExportSubject.Rounds,
                _ => null,
            };
            if (subject is null)
            {
                problems.Add($"--what must be events, decisions or rounds, got '{whatText}'.");
            }

            var given = Producer(parse.GetValue(producer), problems);
            var file = parse.GetValue(output);
            if (file is { Length: 0 })
            {
                problems.Add("--out is empty.");
            }

            return RunAsync(console, parse, store, json, problems, async (events, location, ct) =>
            {
                if (file is not null && location.Kind == StoreKind.Sqlite && SamePath(file, location.Target))
                {
                    return await UsageAsync(console, [$"--out {file} is the store itself."]).ConfigureAwait(false);
                }

                string? name = null;
                if (subject == ExportSubject.Rounds && (name = await ProducerAsync(given, events, ct).ConfigureAwait(false)) is null)
                {
                    return await UsageAsync(console, ["--producer is required for --what rounds: the log shows neither a failover-<producer> stream nor a block of ours."]).ConfigureAwait(false);
                }

                long rows;
                if (file is null)
                {
                    rows = await Exporter.WriteAsync(events, subject!.Value, chosen!.Value, console.Out, name, ct).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }

                var temporary = file + ".partial";
                await using (var writer = new StreamWriter(temporary, append: false, new System.Text.UTF8Encoding(false)))
                {
                    rows = await Exporter.WriteAsync(events, subject!.Value, chosen!.Value, writer, name, ct).ConfigureAwait(false);
                }

                File.Move(temporary, file, overwrite: true);
                var report = new ExportReport(whatText, chosen.Value.ToString().ToLowerInvariant(), rows, Path.GetFullPath(file));
                if (asJson)
                {
                    await AuditOutput.WriteJsonAsync(console.Out, report, AuditJsonContext.Default.ExportReport).ConfigureAwait(false);
                }
                else
                {
                    await console.Out.WriteLineAsync($"Exported {rows} {whatText} as {report.Format} to {report.Out}.").ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>A verb with the options every verb has: --store and --json.</summary>
    private static (Command Command, Option<string?> Store, Option<bool> Json) Verb(string name, string description, params Option[] options)
    {
        var store = new Option<string?>("--store") { Description = "The event store: sqlite:PATH or postgres:CONNECTION STRING (its Search Path names the schema). Opened read-only." };
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts instead of tables." };
        var command = new Command(name, description) { store, json };
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        return (command, store, json);
    }

    /// <summary>Validates the store and the verb's own options together (exit 2 listing every problem), opens the store read-only and runs the verb.</summary>
    private static async Task<int> RunAsync(
        CliConsole console, ParseResult parse, Option<string?> store, Option<bool> json, List<string> problems,
        Func<IEventStore, StoreLocation, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        StoreLocation? location = null;
        if (parse.GetValue(store) is not { } text)
        {
            problems.Insert(0, "--store is required: sqlite:PATH or postgres:CONNECTION STRING.");
        }
        else if (!StoreLocation.TryParse(text, out location, out var error))
        {
            problems.Insert(0, $"--store {error}.");
        }

        if (problems.Count > 0)
        {
            return await UsageAsync(console, problems).ConfigureAwait(false);
        }

        try
        {
            await using var events = await AuditStore.OpenAsync(location!, cancellationToken).ConfigureAwait(false);
            return await run(events, location!, cancellationToken).ConfigureAwait(false);
        }
        catch (AuditException e)
        {
            return await FailAsync(console, parse.GetValue(json), e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (AuditStore.IsStoreFailure(e))
        {
            return await FailAsync(console, parse.GetValue(json), $"Reading the store {location} failed: {e.Message}").ConfigureAwait(false);
        }
    }

    private static async Task<int> FailAsync(CliConsole console, bool json, string message)
    {
        await console.Error.WriteLineAsync(message).ConfigureAwait(false);
        if (json)
        {
            await AuditOutput.WriteJsonAsync(console.Out, new ErrorReport(message), AuditJsonContext.Default.ErrorReport).ConfigureAwait(false);
        }

        return ExitCodes.Failure;
    }

    private static async Task<int> UsageAsync(CliConsole console, IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            await console.Error.WriteLineAsync(problem).ConfigureAwait(false);
        }

        return ExitCodes.Usage;
    }

    private static LogBound? Bound(string? text, string option, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (LogBound.TryParse(text, out var bound, out var problem))
        {
            return bound;
        }

        problems.Add($"{option} {problem}.");
        return null;
    }

    private static string? Producer(string? text, List<string> problems)
    {
        if (text is not null && !Name.TryParse(text, out _, out var error))
        {
            problems.Add($"--producer '{text}' is not an account name: {error}");
            return null;
        }

        return text;
    }

    private static async Task<string?> ProducerAsync(string? given, IEventStore events, CancellationToken cancellationToken) =>
        given ?? await AuditLog.InferProducerAsync(events, cancellationToken).ConfigureAwait(false);

    private static string StoreText(ParseResult parse, Option<string?> store) =>
        StoreLocation.TryParse(parse.GetValue(store), out var location, out _) ? location!.ToString() : "?";

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Tables are coloured and sized to the window only on the process's own terminal.</summary>
    private static bool IsTerminal(CliConsole console) => ReferenceEquals(console.Out, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>The progress bar goes to standard error, and only when it is a terminal (standard output stays clean for --json).</summary>
    private static bool IsErrorTerminal(CliConsole console) => ReferenceEquals(console.Error, Console.Error) && !Console.IsErrorRedirected;
}
