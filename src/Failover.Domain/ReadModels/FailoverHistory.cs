using System.Globalization;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Domain.ReadModels;

/// <summary>A decision of an incident, short: what was decided, why, when (the full record is the event).</summary>
public sealed record DecisionSummary(string Outcome, IReadOnlyList<string> Reasons, string? TargetDataCenter, DateTimeOffset DecidedAt);

/// <summary>What became of a rotation, step by step.</summary>
public sealed record RotationRecord(
    string RotationId,
    string TargetDataCenter,
    string TargetKey,
    string TransactionId,
    IReadOnlyList<string> Actions,
    DateTimeOffset RequestedAt,
    DateTimeOffset Expiration,
    string? SubmitOutcome = null,
    string? SubmittedTo = null,
    DateTimeOffset? SubmittedAt = null,
    string? FailureReason = null,
    long? FailureCode = null,
    string? FailureDetail = null,
    DateTimeOffset? KeyRotatedAt = null,
    DateTimeOffset? ActivatedAt = null,
    uint? ActivatedScheduleVersion = null,
    DateTimeOffset? CompletedAt = null,
    uint? CompletedBlockNum = null)
{
    /// <summary>requested, submitted, rotated, activated, completed or failed.</summary>
    public string Phase => CompletedAt is not null ? "completed"
        : FailureReason is not null ? "failed"
        : ActivatedAt is not null ? "activated"
        : KeyRotatedAt is not null ? "rotated"
        : SubmittedAt is not null ? "submitted"
        : "requested";
}

/// <summary>
/// One incident of the failover process (our missed run, or an operator's request): every decision taken on it, the
/// decision event that triggered a rotation (with its evidence and policy), and the rotations it led to.
/// </summary>
public sealed record FailoverRecord(
    long Sequence,
    string Producer,
    string IncidentId,
    DateTimeOffset OpenedAt,
    IReadOnlyList<DecisionSummary> Decisions,
    FailoverTriggered? Trigger,
    IReadOnlyList<FailoverSuppressed> Suppressions,
    IReadOnlyList<RotationRecord> Rotations)
{
    public static string DocumentId(long sequence) => "failover-" + sequence.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>suppressed, rotating, completed, failed, or open (nothing decided yet).</summary>
    public string Outcome => Rotations.Count > 0 ? Rotations[^1].Phase switch
    {
        "completed" => "completed",
        "failed" => "failed",
        _ => "rotating",
    } : Suppressions.Count > 0 ? "suppressed" : "open";
}

/// <summary>The failover process at a glance: automation, the rotation under way, the last decision.</summary>
public sealed record FailoverStatus(
    string Producer,
    bool AutomationPaused,
    string? PausedBy,
    string? PauseReason,
    bool Latched,
    DecisionSummary? LastDecision,
    RotationRecord? CurrentRotation,
    DateTimeOffset? LastCompletedAt,
    long Incidents,
    IReadOnlyDictionary<string, long> IncidentSequence)
{
    public const string DocumentId = "failover-status";

    public static FailoverStatus Start(string producer) => new(producer, false, null, null, false, null, null, null, 0, new Dictionary<string, long>());
}

/// <summary>
/// The failover history (design §6 "FailoverHistory") as a fold of the process stream: a <see cref="FailoverRecord"/>
/// per incident, numbered in the order incidents appeared, and the <see cref="FailoverStatus"/>.
/// </summary>
public sealed class FailoverHistoryReadModel(string producer) : IReadModel
{
    public const string ProjectionName = "failover-history";

    private static readonly ReadModelJsonContext Json = ReadModelJsonContext.Default;

    public string Name => ProjectionName;

    public async ValueTask ApplyAsync(object @event, IReadModelSession documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (@event is not IProcessEvent processEvent || processEvent.Producer != producer)
        {
            return;
        }

        var status = await documents.LoadAsync(FailoverStatus.DocumentId, Json.FailoverStatus, cancellationToken).ConfigureAwait(false) ?? FailoverStatus.Start(producer);
        switch (@event)
        {
            case FailoverSuppressed e:
                status = await UpdateIncidentAsync(documents, status, e.IncidentId, e.DecidedAt, r => r with
                {
                    Decisions = [.. r.Decisions, Summary("suppress", e.Reasons, null, e.DecidedAt)],
                    Suppressions = [.. r.Suppressions, e],
                }, cancellationToken).ConfigureAwait(false);
                status = status with { LastDecision = Summary("suppress", e.Reasons, null, e.DecidedAt) };
                break;
            case FailoverTriggered e:
                status = await UpdateIncidentAsync(documents, status, e.IncidentId, e.DecidedAt, r => r with
                {
                    Decisions = [.. r.Decisions, Summary("trigger", [], e.TargetDataCenter, e.DecidedAt)],
                    Trigger = e,
                }, cancellationToken).ConfigureAwait(false);
                status = status with { LastDecision = Summary("trigger", [], e.TargetDataCenter, e.DecidedAt) };
                break;
            case KeyRotationRequested e:
                var rotation = new RotationRecord(e.RotationId, e.TargetDataCenter, e.TargetKey, e.TransactionId, e.Actions, e.RequestedAt, e.Expiration);
                status = await UpdateIncidentAsync(documents, status, e.IncidentId, e.RequestedAt, r => r with { Rotations = [.. r.Rotations, rotation] }, cancellationToken).ConfigureAwait(false);
                status = status with { CurrentRotation = rotation };
                break;
            case KeyRotationSubmitted e:
                status = await UpdateRotationAsync(documents, status, e.RotationId, x => x with { SubmitOutcome = e.Outcome, SubmittedTo = e.Endpoint, SubmittedAt = e.SubmittedAt }, cancellationToken).ConfigureAwait(false);
                break;
            case KeyRotationFailed e:
                status = await UpdateRotationAsync(documents, status, e.RotationId, x => x with { FailureReason = e.Reason, FailureCode = e.ErrorCode, FailureDetail = e.Detail }, cancellationToken).ConfigureAwait(false);
                status = status with { CurrentRotation = null };
                break;
            case KeyRotated e:
                status = await UpdateRotationAsync(documents, status, e.RotationId, x => x with { KeyRotatedAt = e.ObservedAt }, cancellationToken).ConfigureAwait(false);
                break;
            case SigningKeyActivated e:
                status = await UpdateRotationAsync(documents, status, e.RotationId, x => x with { ActivatedAt = e.ObservedAt, ActivatedScheduleVersion = e.ScheduleVersion }, cancellationToken).ConfigureAwait(false);
                break;
            case FailoverCompleted e:
                status = await UpdateRotationAsync(documents, status, e.RotationId, x => x with { CompletedAt = e.ObservedAt, CompletedBlockNum = e.BlockNum }, cancellationToken).ConfigureAwait(false);
                status = status with { CurrentRotation = null, LastCompletedAt = e.ObservedAt };
                break;
            case AutomationPaused e:
                status = status with { AutomationPaused = true, PausedBy = e.By, PauseReason = e.Reason };
                break;
            case AutomationResumed:
                status = status with { AutomationPaused = false, PausedBy = null, PauseReason = null };
                break;
            case AutomationLatched:
                status = status with { Latched = true };
                break;
            case AutomationRearmed:
                status = status with { Latched = false };
                break;
        }

        documents.Store(FailoverStatus.DocumentId, status, Json.FailoverStatus);
    }

    private static DecisionSummary Summary(string outcome, IReadOnlyList<string> reasons, string? target, DateTimeOffset at) => new(outcome, reasons, target, at);

    private static async ValueTask<FailoverStatus> UpdateIncidentAsync(
        IReadModelSession documents, FailoverStatus status, string incident, DateTimeOffset at, Func<FailoverRecord, FailoverRecord> change, CancellationToken cancellationToken)
    {
        if (!status.IncidentSequence.TryGetValue(incident, out var sequence))
        {
            sequence = status.Incidents + 1;
            var sequences = new SortedDictionary<string, long>(status.IncidentSequence.ToDictionary(), StringComparer.Ordinal) { [incident] = sequence };
            status = status with { Incidents = sequence, IncidentSequence = sequences };
        }

        var id = FailoverRecord.DocumentId(sequence);
        var record = await documents.LoadAsync(id, Json.FailoverRecord, cancellationToken).ConfigureAwait(false)
            ?? new FailoverRecord(sequence, status.Producer, incident, at, [], null, [], []);
        documents.Store(id, change(record), Json.FailoverRecord);
        return status;
    }

    private static async ValueTask<FailoverStatus> UpdateRotationAsync(
        IReadModelSession documents, FailoverStatus status, string rotationId, Func<RotationRecord, RotationRecord> change, CancellationToken cancellationToken)
    {
        foreach (var sequence in status.IncidentSequence.Values.OrderDescending())
        {
            var id = FailoverRecord.DocumentId(sequence);
            if (await documents.LoadAsync(id, Json.FailoverRecord, cancellationToken).ConfigureAwait(false) is { } record
                && record.Rotations.Any(r => r.RotationId == rotationId))
            {
                var rotations = record.Rotations.Select(r => r.RotationId == rotationId ? change(r) : r).ToList();
                documents.Store(id, record with { Rotations = rotations }, Json.FailoverRecord);
                var current = status.CurrentRotation?.RotationId == rotationId ? rotations.Single(r => r.RotationId == rotationId) : status.CurrentRotation;
                return status with { CurrentRotation = current };
            }
        }

        return status;
    }
}
