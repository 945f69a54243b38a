using System.Text.Json.Serialization;
using Failover.Audit.Explain;
using Failover.Audit.Export;
using Failover.Audit.Verification;
using Failover.Audit.WhatIf;

namespace Failover.Audit.Output;

/// <summary>The <c>--json</c> output of every verb (snake_case, as the events and read models).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(VerifyReport))]
[JsonSerializable(typeof(ReplayReport))]
[JsonSerializable(typeof(WhatIfReport))]
[JsonSerializable(typeof(ExplainReport))]
[JsonSerializable(typeof(ExportReport))]
[JsonSerializable(typeof(ErrorReport))]
public sealed partial class AuditJsonContext : JsonSerializerContext;

/// <summary>Exported rows: one JSON object per line of the array.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(EventRow))]
[JsonSerializable(typeof(DecisionRow))]
[JsonSerializable(typeof(RoundRow))]
[JsonSerializable(typeof(string))]
public sealed partial class AuditExportJsonContext : JsonSerializerContext;

/// <summary><c>replay --json</c>: where the replay went, the documents it rebuilt, and the rounds and incidents in focus.</summary>
public sealed record ReplayReport(
    string Producer,
    long Events,
    long LastPosition,
    long? FocusFrom,
    IReadOnlyDictionary<string, int> Documents,
    Domain.ReadModels.ChainStatus? Status,
    Domain.ReadModels.FailoverStatus? FailoverStatus,
    IReadOnlyList<Domain.ReadModels.RoundHealth> Rounds,
    IReadOnlyList<Domain.ReadModels.FailoverRecord> Failovers);

/// <summary><c>explain --json</c>.</summary>
public sealed record ExplainReport(IReadOnlyList<DecisionStory> Decisions);

/// <summary><c>export --out FILE --json</c>: what was written where.</summary>
public sealed record ExportReport(string What, string Format, long Rows, string? Out);

/// <summary>A failure as JSON, on standard output with <c>--json</c> (exit 1).</summary>
public sealed record ErrorReport(string Error);

/// <summary>Builds the JSON of a replay.</summary>
public static class ReplayReports
{
    public static ReplayReport From(Replay.ReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ReplayReport(result.Producer, result.Events, result.LastPosition, result.FocusFrom,
            result.Projections.ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.Ordinal),
            result.Status, result.FailoverStatus, result.Rounds, result.Failovers);
    }
}
