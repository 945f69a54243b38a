using System.Globalization;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;

namespace Failover.Service.Alerts;

/// <summary>What an alert is about (the <c>kind</c> receivers see).</summary>
public static class AlertKinds
{
    public const string Triggered = "triggered";
    public const string Suppressed = "suppressed";
    public const string Submitted = "submitted";
    public const string Failed = "failed";
    public const string Completed = "completed";
    public const string Latched = "latched";
    public const string Paused = "paused";
    public const string Resumed = "resumed";
    public const string Rearmed = "rearmed";
}

/// <summary>
/// One alert, composed from one event of the failover process stream. <see cref="Id"/> is derived from the event's id
/// and the kind, so every delivery of the same alert (after a retry or a restart) carries the same id: receivers
/// deduplicate by it. Nothing in it is secret: events hold public keys, transaction ids and reasons, never a private key.
/// </summary>
public sealed record Alert(
    Guid Id,
    string Kind,
    string Severity,
    string Producer,
    string Title,
    string Text,
    DateTimeOffset At,
    long Position,
    string EventType,
    Guid EventId,
    IReadOnlyDictionary<string, string> Details);

/// <summary>Which process events make alerts, and what they say.</summary>
public static class AlertComposer
{
    /// <summary>Suppressions whose only reasons are these are routine (a rotation is already under way), not "of note".</summary>
    private static readonly HashSet<string> Routine = new(StringComparer.Ordinal) { ReasonCodes.RotationInFlight };

    /// <summary>The alerts an event makes (none for most events), in the order they are sent.</summary>
    public static IReadOnlyList<Alert> Compose(RecordedEvent recorded, object @event, string producer)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (@event is not IProcessEvent process || process.Producer != producer)
        {
            return [];
        }

        Alert Make(string kind, string severity, string title, string text, DateTimeOffset at, params (string Key, string? Value)[] details) => new(
            DeterministicEventId.Create("alert", kind, recorded.EventId.ToString()),
            kind,
            severity,
            producer,
            title,
            text,
            at,
            recorded.Position,
            recorded.Type,
            recorded.EventId,
            details.Where(d => d.Value is not null).ToDictionary(d => d.Key, d => d.Value!, StringComparer.Ordinal));

        switch (@event)
        {
            case FailoverTriggered e:
                var manual = e.Evidence.Manual;
                return [Make(AlertKinds.Triggered, "critical", $"{producer}: failing over to {e.TargetDataCenter}",
                    manual is null
                        ? $"{producer} missed {e.Evidence.Incident?.ConsecutiveMissed} consecutive blocks and every gate held; rotating the signing key to {e.TargetDataCenter} ({e.TargetKey})."
                        : $"Manual failover to {e.TargetDataCenter} requested by {manual.By}: {manual.Reason}. Rotating the signing key to {e.TargetKey}.",
                    e.DecidedAt,
                    ("target_data_center", e.TargetDataCenter), ("target_key", e.TargetKey), ("incident", e.IncidentId), ("policy_hash", e.Decision.PolicyHash),
                    ("manual_by", manual?.By))];
            case FailoverSuppressed e when e.Reasons.Any(r => !Routine.Contains(r)):
                var failed = e.Decision.Gates.Where(g => !g.Passed && !g.Pending && !g.Overridden).Select(g => $"{g.Reason}: {g.Detail}");
                return [Make(AlertKinds.Suppressed, "warning", $"{producer}: failover suppressed ({string.Join(", ", e.Reasons)})",
                    $"{producer} is missing blocks but the policy kept the service from rotating. {string.Join(" ", failed)}",
                    e.DecidedAt, ("reasons", string.Join(',', e.Reasons)), ("incident", e.IncidentId))];
            case KeyRotationSubmitted e:
                return [Make(AlertKinds.Submitted, e.Outcome is PushOutcomes.Unknown or PushOutcomes.NotApplied ? "warning" : "info", $"{producer}: rotation transaction {e.Outcome}",
                    $"Transaction {e.TransactionId} pushed to {e.Endpoint}: {e.Outcome}. {e.Detail}",
                    e.SubmittedAt, ("transaction_id", e.TransactionId), ("outcome", e.Outcome), ("rotation", e.RotationId))];
            case KeyRotationFailed e:
                return [Make(AlertKinds.Failed, "critical", $"{producer}: rotation failed ({e.Reason})",
                    $"Transaction {e.TransactionId} will not apply: {e.Reason}{(e.ErrorName is null ? "" : $" ({e.ErrorName})")}. {e.Detail}",
                    e.FailedAt, ("transaction_id", e.TransactionId), ("reason", e.Reason), ("rotation", e.RotationId))];
            case FailoverCompleted e:
                return [Make(AlertKinds.Completed, "info", $"{producer}: producing again from {e.DataCenter}",
                    $"Block {e.BlockNum} of {producer} is signed by {e.DataCenter}'s key {e.Key}: the failover is complete.",
                    e.ObservedAt, ("data_center", e.DataCenter), ("block_num", e.BlockNum.ToString(CultureInfo.InvariantCulture)), ("rotation", e.RotationId))];
            case AutomationPaused e:
                return [Make(AlertKinds.Paused, "warning", $"{producer}: automation paused", $"Paused by {e.By}: {e.Reason}. Manual failovers still work.", e.At, ("by", e.By))];
            case AutomationResumed e:
                return [Make(AlertKinds.Resumed, "info", $"{producer}: automation resumed", $"Resumed by {e.By}: {e.Reason}.", e.At, ("by", e.By))];
            case AutomationLatched e:
                return [Make(AlertKinds.Latched, "critical", $"{producer}: automation latched",
                    $"This is rotation {e.Rotations} within 24 h (cap {e.Cap}): automatic failover is off until an operator re-arms it (failover automation rearm).",
                    e.At, ("cap", e.Cap.ToString(CultureInfo.InvariantCulture)), ("incident", e.IncidentId))];
            case AutomationRearmed e:
                return [Make(AlertKinds.Rearmed, "info", $"{producer}: automation re-armed", $"Re-armed by {e.By}: {e.Reason}.", e.At, ("by", e.By))];
            default:
                return [];
        }
    }
}
