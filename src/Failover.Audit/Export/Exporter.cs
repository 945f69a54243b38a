using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Audit.Decisions;
using Failover.Audit.Output;
using Failover.Audit.Replay;
using Failover.Domain.Decisions;
using Failover.EventStore;

namespace Failover.Audit.Export;

public enum ExportFormat
{
    Csv,
    Json,
}

public enum ExportSubject
{
    Events,
    Decisions,
    Rounds,
}

/// <summary>An event as exported: its envelope, its hash and its payload (JSON).</summary>
public sealed record EventRow(
    long Position,
    string Stream,
    long Version,
    Guid EventId,
    string Type,
    DateTimeOffset RecordedAt,
    string? ObserverId,
    Guid? CausationId,
    Guid? CorrelationId,
    string Hash,
    JsonElement Payload);

/// <summary>A decision as exported: what was decided, the headline evidence, and whether the policy re-derives it.</summary>
public sealed record DecisionRow(
    long Position,
    DateTimeOffset RecordedAt,
    string Stream,
    string Type,
    string Producer,
    string IncidentId,
    DateTimeOffset DecidedAt,
    DecisionOutcome Outcome,
    IReadOnlyList<string> Reasons,
    string? TargetDataCenter,
    string? TargetKey,
    string PolicyHash,
    bool RerunAgrees,
    uint? FirstMissedSlot,
    int? ConsecutiveMissed,
    uint HeadBlockNum,
    double HeadAgeSeconds,
    uint LastIrreversibleBlockNum,
    double? LibAdvancedSecondsBefore,
    double? LastFullRoundParticipation,
    double? SlidingWindowParticipation,
    IReadOnlyList<string> OthersMissing,
    int EndpointsAgreeing,
    int EndpointsConfigured,
    IReadOnlyList<string> FailedGates);

/// <summary>A round as exported (the RoundHealth read model, replayed).</summary>
public sealed record RoundRow(
    uint RoundStart,
    uint RoundEnd,
    DateTimeOffset StartsAt,
    int ScheduledProducers,
    IReadOnlyList<uint> ScheduleVersions,
    int OthersProducing,
    int OthersScheduled,
    double Participation,
    IReadOnlyList<string> OthersMissing,
    uint? LibLag,
    uint? LastIrreversibleBlockNum,
    string OurProducer,
    int OurProduced,
    int OurMissed,
    string OurStatus,
    int ObservedSlots,
    int Slots);

/// <summary>
/// <c>failover audit export --format csv|json --what events|decisions|rounds</c>: the log, its decisions, or the replayed
/// rounds, as CSV (a header row, RFC 4180 quoting, lists joined with ';') or a JSON array; events are streamed.
/// </summary>
public static class Exporter
{
    /// <returns>How many rows were written.</returns>
    public static async Task<long> WriteAsync(
        IEventStore store, ExportSubject what, ExportFormat format, TextWriter output, string? producer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new RowWriter(output, format);
        switch (what)
        {
            case ExportSubject.Events:
                await writer.BeginAsync(["position", "stream", "version", "event_id", "type", "recorded_at", "observer_id", "causation_id", "correlation_id", "hash", "payload"]).ConfigureAwait(false);
                await foreach (var e in store.ReadAllAsync(1, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    var row = new EventRow(e.Position, e.Stream, e.Version, e.EventId, e.Type, e.RecordedAt, e.Metadata.ObserverId, e.Metadata.CausationId,
                        e.Metadata.CorrelationId, Convert.ToHexStringLower(e.Hash.Span), Payload(e.Payload));
                    await writer.RowAsync(row, AuditExportJsonContext.Default.EventRow,
                        [Number(row.Position), row.Stream, Number(row.Version), row.EventId.ToString(), row.Type, Time(row.RecordedAt), row.ObserverId,
                            row.CausationId?.ToString(), row.CorrelationId?.ToString(), row.Hash, Encoding.UTF8.GetString(e.Payload.Span)]).ConfigureAwait(false);
                }

                break;
            case ExportSubject.Decisions:
                await writer.BeginAsync(["position", "recorded_at", "stream", "type", "producer", "incident_id", "decided_at", "outcome", "reasons", "target_data_center",
                    "target_key", "policy_hash", "rerun_agrees", "first_missed_slot", "consecutive_missed", "head_block_num", "head_age_seconds",
                    "last_irreversible_block_num", "lib_advanced_seconds_before", "last_full_round_participation", "sliding_window_participation",
                    "others_missing", "endpoints_agreeing", "endpoints_configured", "failed_gates"]).ConfigureAwait(false);
                await foreach (var d in RecordedDecision.ReadAllAsync(store, cancellationToken).ConfigureAwait(false))
                {
                    var row = Row(d);
                    await writer.RowAsync(row, AuditExportJsonContext.Default.DecisionRow,
                        [Number(row.Position), Time(row.RecordedAt), row.Stream, row.Type, row.Producer, row.IncidentId, Time(row.DecidedAt),
                            row.Outcome.ToString().ToLowerInvariant(), List(row.Reasons), row.TargetDataCenter, row.TargetKey, row.PolicyHash,
                            row.RerunAgrees ? "true" : "false", Number(row.FirstMissedSlot), Number(row.ConsecutiveMissed), Number(row.HeadBlockNum),
                            Number(row.HeadAgeSeconds), Number(row.LastIrreversibleBlockNum), Number(row.LibAdvancedSecondsBefore),
                            Number(row.LastFullRoundParticipation), Number(row.SlidingWindowParticipation), List(row.OthersMissing),
                            Number(row.EndpointsAgreeing), Number(row.EndpointsConfigured), List(row.FailedGates)]).ConfigureAwait(false);
                }

                break;
            default:
                var replay = await Replayer.ReplayAsync(store, producer ?? throw new ArgumentNullException(nameof(producer)), cancellationToken: cancellationToken).ConfigureAwait(false);
                await writer.BeginAsync(["round_start", "round_end", "starts_at", "scheduled_producers", "schedule_versions", "others_producing", "others_scheduled",
                    "participation", "others_missing", "lib_lag", "last_irreversible_block_num", "our_producer", "our_produced", "our_missed", "our_status",
                    "observed_slots", "slots"]).ConfigureAwait(false);
                foreach (var round in replay.Rounds)
                {
                    var ours = round.Ours;
                    var row = new RoundRow(round.RoundStart, round.RoundEnd, round.StartsAt, round.ScheduledProducers, round.ScheduleVersions, round.OthersProducing,
                        round.OthersScheduled, round.Participation, [.. round.Producers.Where(p => p.Producer != round.OurProducer && p.Produced == 0).Select(p => p.Producer)],
                        round.LibLag, round.LastIrreversibleBlockNum, round.OurProducer, ours?.Produced ?? 0, ours?.Missed ?? 0, round.OurStatus, round.ObservedSlots, round.Slots);
                    await writer.RowAsync(row, AuditExportJsonContext.Default.RoundRow,
                        [Number(row.RoundStart), Number(row.RoundEnd), Time(row.StartsAt), Number(row.ScheduledProducers), List(row.ScheduleVersions.Select(v => Number(v))),
                            Number(row.OthersProducing), Number(row.OthersScheduled), Number(row.Participation), List(row.OthersMissing), Number(row.LibLag),
                            Number(row.LastIrreversibleBlockNum), row.OurProducer, Number(row.OurProduced), Number(row.OurMissed), row.OurStatus,
                            Number(row.ObservedSlots), Number(row.Slots)]).ConfigureAwait(false);
                }

                break;
        }

        await writer.EndAsync().ConfigureAwait(false);
        return writer.Rows;
    }

    public static DecisionRow Row(RecordedDecision d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var evidence = d.Evidence;
        var chain = evidence.Chain;
        var at = evidence.EvaluatedAt;
        var agrees = d.RerunAgrees();

        return new DecisionRow(
            d.Position, d.RecordedAt, d.Stream, d.Type, d.Producer, d.IncidentId, d.DecidedAt, d.Decision.Outcome, d.Decision.Reasons,
            d.Decision.TargetDataCenter, d.TargetKey, d.Decision.PolicyHash, agrees, evidence.Incident?.FirstMissedSlot, evidence.Incident?.ConsecutiveMissed,
            chain.HeadBlockNum, Math.Round((at - chain.HeadBlockTime).TotalSeconds, 3), chain.LastIrreversibleBlockNum,
            chain.LibAdvancedAt is { } advanced ? Math.Round((at - advanced).TotalSeconds, 3) : null,
            chain.LastFullRound?.Rate, chain.SlidingWindow?.Rate,
            [.. (chain.LastFullRound?.OthersMissing ?? []).Union(chain.SlidingWindow?.OthersMissing ?? [])],
            chain.EndpointsAgreeing, chain.EndpointsConfigured,
            [.. d.Decision.Gates.Where(g => !g.Passed && !g.Overridden).Select(g => g.Pending ? g.Reason + " (waiting)" : g.Reason)]);
    }

    private static JsonElement Payload(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (a damaged payload): exported as the text it holds.
            return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(payload.Span), AuditExportJsonContext.Default.String);
        }
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    private static string? Number<T>(T? value)
        where T : struct, IFormattable => value?.ToString(null, CultureInfo.InvariantCulture);

    private static string Number<T>(T value)
        where T : struct, IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static string List(IEnumerable<string?> values) => string.Join(";", values);

    /// <summary>Writes rows as CSV lines or as the elements of one JSON array.</summary>
    private sealed class RowWriter(TextWriter output, ExportFormat format)
    {
        public long Rows { get; private set; }

        public async Task BeginAsync(IReadOnlyList<string> header)
        {
            await (format == ExportFormat.Csv ? output.WriteAsync(Csv(header) + "\n") : output.WriteAsync("[")).ConfigureAwait(false);
        }

        public async Task RowAsync<T>(T row, JsonTypeInfo<T> typeInfo, IReadOnlyList<string?> csv)
        {
            if (format == ExportFormat.Csv)
            {
                await output.WriteAsync(Csv(csv) + "\n").ConfigureAwait(false);
            }
            else
            {
                var json = JsonSerializer.Serialize(row, typeInfo);
                await output.WriteAsync((Rows == 0 ? "\n" : ",\n") + json).ConfigureAwait(false);
            }

            Rows++;
        }

        public async Task EndAsync()
        {
            if (format == ExportFormat.Json)
            {
                await output.WriteAsync(Rows == 0 ? "]\n" : "\n]\n").ConfigureAwait(false);
            }

            await output.FlushAsync().ConfigureAwait(false);
        }

        private static string Csv(IReadOnlyList<string?> fields) => string.Join(",", fields.Select(Field));

        private static string Field(string? value) =>
            value is null ? string.Empty
            : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
