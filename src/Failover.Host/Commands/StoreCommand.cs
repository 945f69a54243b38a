using System.CommandLine;
using System.Globalization;
using Failover.Antelope;
using Failover.Audit;
using Failover.Audit.Retention;
using Failover.EventStore;
using Failover.Service.Configuration;

namespace Failover.Host.Commands;

/// <summary>
/// <c>failover store compact (--config F | --store STORE --producer P) (--keep-days N | --before TIME)</c>: the retention policy
/// (issue 18.6, <see cref="LogCompactor"/>). Safe while the service runs on the same store; run it from one place
/// (a timer: deploy/systemd/failover-compact.timer). Exit 0 done, 1 the store failed or holds something compaction
/// refuses (with the reason), 2 bad options (every problem listed).
/// </summary>
internal static class StoreCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("store", "Maintenance of the event store.");
        command.Subcommands.Add(Compact(console));
        return command;
    }

    private static Command Compact(CliConsole console)
    {
        var config = new Option<FileInfo?>("--config") { Description = "The service's configuration: its Failover:Store and Failover:Producer are used (--store and --producer override them)." };
        var store = new Option<string?>("--store") { Description = "The event store: sqlite:PATH or postgres:CONNECTION STRING (its Search Path names the schema)." };
        var producer = new Option<string?>("--producer") { Description = "Our producer (its failover process's events, and the observations around them, are kept)." };
        var keepDays = new Option<string?>("--keep-days") { Description = "Keep the observations of the last N days (whole days, 1 or more); older ones are compacted. Default with --config: its Failover:Retention:KeepDays, else 30." };
        var before = new Option<string?>("--before") { Description = "Compact the observations recorded before this UTC time (ISO 8601, e.g. 2026-11-01T00:00:00Z) instead of --keep-days." };
        var protect = new Option<string?>("--protect") { Description = "Keep the observations within this long of any event of the failover process whole (default: --config's Failover:Retention:Protect, else 00:10:00; before a decision at least 15 min, back from the earliest moment its evidence names), so every decision stays re-derivable." };
        var compact = new Command("compact", "Deletes old chain observations and participation samples, keeping per-round summaries and an anchor that keeps the hash chain provable; decisions, rotations, operator commands, schedule changes and endpoint judgements are never deleted.")
        {
            config, store, producer, keepDays, before, protect,
        };
        compact.SetAction(async (parse, cancellationToken) =>
        {
            var problems = new List<string>();
            var configured = Configured(parse.GetValue(config), problems);
            var (configuredStore, configuredProducer) = (configured?["Failover:Store"], configured?["Failover:Producer"]);
            StoreLocation? location = null;
            if ((parse.GetValue(store) ?? configuredStore) is not { } storeText)
            {
                problems.Add("--store (or --config) is required: sqlite:PATH or postgres:CONNECTION STRING.");
            }
            else if (!StoreLocation.TryParse(storeText, out location, out var storeError))
            {
                problems.Add($"--store {storeError}.");
            }

            var producerText = parse.GetValue(producer) ?? configuredProducer;
            if (producerText is null)
            {
                problems.Add("--producer (or --config) is required: the producer whose failover process the store records.");
            }
            else if (!Name.TryParse(producerText, out _, out var nameError) || producerText.Length == 0)
            {
                problems.Add($"--producer: {nameError ?? "an empty name is not an account."}");
            }

            var now = TimeProvider.System.GetUtcNow();
            // With a configuration, its retention policy applies where the flags say nothing (30 days, 10 min by default).
            var keepText = parse.GetValue(keepDays) ?? (parse.GetValue(before) is null && configured is not null
                ? configured["Failover:Retention:KeepDays"] ?? RetentionConfiguration.DefaultKeepDays.ToString(CultureInfo.InvariantCulture)
                : null);
            var cutoff = Cutoff(keepText, parse.GetValue(keepDays) is null ? "Failover:Retention:KeepDays" : "--keep-days", parse.GetValue(before), now, problems);
            var around = (parse.GetValue(protect) is { } protectText
                    ? RetentionConfiguration.ParseProtect(protectText, "--protect", problems)
                    : RetentionConfiguration.ParseProtect(configured?["Failover:Retention:Protect"], "Failover:Retention:Protect", problems))
                ?? CompactionRequest.DefaultProtectAround;

            if (problems.Count > 0)
            {
                console.Error.WriteLine($"store compact: {problems.Count} problem(s):");
                foreach (var problem in problems)
                {
                    console.Error.WriteLine("  - " + problem);
                }

                return ExitCodes.Usage;
            }

            try
            {
                await using var events = await StoreOpener.OpenAsync(location!, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                if (events is not ILogCompaction compaction)
                {
                    console.Error.WriteLine($"The store {location} cannot be compacted.");
                    return ExitCodes.Failure;
                }

                var request = new CompactionRequest(producerText!, cutoff!.Value, around, now);
                var ranges = 0;
                long removed = 0;
                var rounds = 0;
                CompactionReport report;
                do
                {
                    report = await LogCompactor.CompactAsync(events, compaction, request, cancellationToken).ConfigureAwait(false);
                    foreach (var range in report.Ranges)
                    {
                        console.Out.WriteLine($"compacted positions {range.FromPosition}–{range.ToPosition}: {range.Removed} events of {range.Rounds} rounds (slots {range.FirstRoundStart}–{range.LastRoundEnd}) deleted, anchored as {range.CompactionId}");
                    }

                    ranges += report.Ranges.Count;
                    removed += report.Removed;
                    rounds += report.Rounds;
                }
                while (report.MoreToRead && report.Ranges.Count > 0);

                console.Out.WriteLine(ranges == 0
                    ? $"Nothing to compact before {cutoff.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} (compacted through position {report.CompactedThrough})."
                    : $"Compacted {removed} events of {rounds} rounds in {ranges} range(s), recorded before {cutoff.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}; compacted through position {report.CompactedThrough}. `failover audit verify` proves the log across them.");
                return ExitCodes.Ok;
            }
            catch (AuditException e)
            {
                console.Error.WriteLine(e.Message);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (AuditStore.IsStoreFailure(e) || e is CompactionMismatchException)
            {
                console.Error.WriteLine($"Compacting the store {location} failed: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return compact;
    }

    /// <summary>The configuration, read as `failover run` reads it (environment included); only its store, producer and retention are used.</summary>
    private static Microsoft.Extensions.Configuration.IConfiguration? Configured(FileInfo? file, List<string> problems)
    {
        if (file is null)
        {
            return null;
        }

        if (RunCommand.TryBuildConfiguration(file, out var unreadable) is not { } configuration)
        {
            problems.Add($"--config: {unreadable}");
            return null;
        }

        return configuration;
    }

    private static DateTimeOffset? Cutoff(string? keepDays, string keepDaysName, string? before, DateTimeOffset now, List<string> problems)
    {
        if ((keepDays is null) == (before is null))
        {
            problems.Add("Give one of --keep-days N or --before TIME.");
            return null;
        }

        if (keepDays is not null)
        {
            return RetentionConfiguration.ParseKeepDays(keepDays, keepDaysName, problems) is { } days ? now.AddDays(-days) : null;
        }

        // A time ahead of this machine's clock is allowed: a store recorded against a faster (simulated) clock has one.
        if (DateTimeOffset.TryParse(before, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        problems.Add($"--before '{before}' must be a UTC time written in ISO 8601 (e.g. 2026-11-01T00:00:00Z).");
        return null;
    }
}
