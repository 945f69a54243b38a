using System.Text.Json.Serialization;
using System.Collections.Immutable;
using Failover.Domain.Decisions;
using Failover.Domain.Events;

namespace Failover.Domain.Process;

/// <summary>A rotation the process asked for: the exact transaction, what it does, and for which incident.</summary>
public sealed record Rotation(
    string RotationId,
    string IncidentId,
    string TargetDataCenter,
    string TargetKey,
    string? TargetFinalizerKey,
    string TransactionId,
    string PackedTransaction,
    string ChainId,
    DateTimeOffset Expiration,
    DateTimeOffset RequestedAt,
    bool Manual,
    string? ReplacesKey,
    SigningAuthority? TargetAuthority = null,
    SigningAuthority? ReplacesAuthority = null)
{
    public static Rotation From(KeyRotationRequested e, bool manual) => new(
        e.RotationId, e.IncidentId, e.TargetDataCenter, e.TargetKey, e.TargetFinalizerKey, e.TransactionId, e.PackedTransaction,
        e.ChainId, e.Expiration, e.RequestedAt, manual, e.ReplacesKey, e.TargetAuthority, e.ReplacesAuthority);

    /// <summary>The authority the transaction registers.</summary>
    [JsonIgnore]
    public SigningAuthority Target => SigningAuthority.For(TargetKey, TargetAuthority);

    /// <summary>The authority the producers table registered when it was decided (null: a request from before that was recorded).</summary>
    [JsonIgnore]
    public SigningAuthority? Replaces => SigningAuthority.Recorded(ReplacesKey, ReplacesAuthority);
}

/// <summary>One push of the current rotation's transaction: where, what its answer proved (<see cref="PushOutcomes"/>), and when.</summary>
public sealed record PushAttempt(string Endpoint, string Outcome, DateTimeOffset At);

/// <summary>Where the process stands with its current rotation (a closed union: these are all the phases).</summary>
public abstract record Phase
{
    private Phase()
    {
    }

    /// <summary>No rotation under way.</summary>
    public sealed record Idle : Phase;

    /// <summary>Recorded, not yet sent (or its push not yet recorded): on restart it is reconciled, never re-sent blindly.</summary>
    public sealed record Requested(Rotation Rotation) : Phase;

    /// <summary>Pushed at least once; <see cref="Outcome"/> is what the latest push proved (<see cref="FailoverProcess.Pushes"/> has them all).</summary>
    public sealed record Submitted(Rotation Rotation, string Outcome) : Phase;

    /// <summary>The producers table shows the target key.</summary>
    public sealed record Rotated(Rotation Rotation) : Phase;

    /// <summary>The schedule in force carries the target key; waiting for a block signed by it.</summary>
    public sealed record Activated(Rotation Rotation) : Phase;

    public static Idle None { get; } = new();
}

/// <summary>
/// The failover process of one producer, folded from its stream <c>failover-&lt;producer&gt;</c>: the phase of its
/// rotation, the automation switches (paused by an operator, latched at the cap), the rotations that count towards
/// the cap, the last completion (cooldown), and what was already recorded for the current incident.
/// </summary>
public sealed record FailoverProcess
{
    public static FailoverProcess Initial { get; } = new();

    public Phase Phase { get; init; } = Phase.None;

    public bool AutomationPaused { get; init; }

    /// <summary>
    /// The cap of rotations per 24 h was reached (by the policy recorded with the decision that reached it): automation
    /// stays off until an operator re-arms it, even if that rotation later fails — the conservative side.
    /// </summary>
    public bool Latched { get; init; }

    /// <summary>When each automatic rotation that did not fail was requested (rotations since the last re-arm).</summary>
    public ImmutableList<DateTimeOffset> AutomaticRotations { get; init; } = [];

    /// <summary>
    /// When the last rotation took effect: its key became the one in force (activated), or a block signed by it was seen
    /// (completed). The cooldown runs from here, so a rotation whose standby never produces still holds off a flap back.
    /// </summary>
    public DateTimeOffset? LastTookEffectAt { get; init; }

    /// <summary>When the last rotation completed: a block signed by its key was seen.</summary>
    public DateTimeOffset? LastCompletedAt { get; init; }

    /// <summary>The pushes of the current rotation's transaction, in order (empty once it is no longer under way).</summary>
    public ImmutableList<PushAttempt> Pushes { get; init; } = [];

    /// <summary>The incident of the latest request, and how many transactions were requested for it (<see cref="RotationFollowUp.TransactionsPerIncident"/>).</summary>
    public string? RequestedIncident { get; init; }

    public int RequestsForIncident { get; init; }

    /// <summary>
    /// Why automation cannot finish the latest rotation on its own (refused by the chain for a cause a retry cannot fix,
    /// superseded, not signed, or every transaction the incident may have expired): readiness is down and the incident
    /// stays handled until an operator acts (<c>failover switch</c>) or a new rotation is requested. Null: nothing waits.
    /// </summary>
    public string? AwaitingOperator { get; init; }

    /// <summary>The incident a rotation was triggered for: it is handled and not decided again.</summary>
    public string? HandledIncident { get; init; }

    /// <summary>The incident suppressions were last recorded for, and their reasons (each recorded once).</summary>
    public string? SuppressedIncident { get; init; }

    public ImmutableHashSet<string> SuppressedReasons { get; init; } = [];

    /// <summary>An operator's request not yet decided.</summary>
    public ManualFailoverRequested? PendingManual { get; init; }

    /// <summary>The incident id of <see cref="PendingManual"/>.</summary>
    public string? PendingManualIncident { get; init; }

    public int RotationsRequested { get; init; }

    /// <summary>Events folded so far (the stream's version + 1).</summary>
    public long EventCount { get; init; }

    public Rotation? CurrentRotation => Phase switch
    {
        Phase.Requested p => p.Rotation,
        Phase.Submitted p => p.Rotation,
        Phase.Rotated p => p.Rotation,
        Phase.Activated p => p.Rotation,
        _ => null,
    };

    /// <summary>Automatic rotations requested in the 24 h before <paramref name="at"/> (<see cref="RotationCap"/>).</summary>
    public int RotationsWithin24h(DateTimeOffset at) => RotationCap.CountingAt(AutomaticRotations, at).Count;

    /// <summary>Submitted (or about to be) and not yet active in the schedule (design §2.3).</summary>
    public bool RotationInFlight => Phase is Phase.Requested or Phase.Submitted or Phase.Rotated;

    public FailoverProcess Apply(IProcessEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var next = @event switch
        {
            FailoverSuppressed e => this with
            {
                SuppressedIncident = e.IncidentId,
                SuppressedReasons = (SuppressedIncident == e.IncidentId ? SuppressedReasons : []).Union(e.Reasons),
                PendingManual = e.Evidence.Manual is null ? PendingManual : null,
                PendingManualIncident = e.Evidence.Manual is null ? PendingManualIncident : null,
            },
            FailoverTriggered e => this with
            {
                HandledIncident = e.IncidentId,
                PendingManual = e.Evidence.Manual is null ? PendingManual : null,
                PendingManualIncident = e.Evidence.Manual is null ? PendingManualIncident : null,
            },
            KeyRotationRequested e => Requested(e),
            KeyRotationSubmitted e when CurrentRotation?.RotationId == e.RotationId && Phase is Phase.Requested or Phase.Submitted =>
                this with { Phase = new Phase.Submitted(CurrentRotation, e.Outcome), Pushes = Pushes.Add(new PushAttempt(e.Endpoint, e.Outcome, e.SubmittedAt)) },
            KeyRotationFailed e when CurrentRotation?.RotationId == e.RotationId => Failed(CurrentRotation, e),
            KeyRotated e when CurrentRotation?.RotationId == e.RotationId && (Phase is Phase.Requested or Phase.Submitted) =>
                this with { Phase = new Phase.Rotated(CurrentRotation) },
            SigningKeyActivated e when CurrentRotation?.RotationId == e.RotationId && RotationInFlight =>
                this with { Phase = new Phase.Activated(CurrentRotation), LastTookEffectAt = e.ObservedAt, Pushes = [] },
            FailoverCompleted e when CurrentRotation?.RotationId == e.RotationId =>
                this with { Phase = Phase.None, LastTookEffectAt = e.ObservedAt, LastCompletedAt = e.ObservedAt, AwaitingOperator = null },
            AutomationPaused _ => this with { AutomationPaused = true },
            AutomationResumed _ => this with { AutomationPaused = false },
            AutomationLatched _ => this with { Latched = true },
            AutomationRearmed _ => this with { Latched = false, AutomaticRotations = [] },
            ManualFailoverRequested e => this with { PendingManual = e, PendingManualIncident = IncidentIds.ForManual(EventCount), AwaitingOperator = null },
            _ => this,
        };
        return next with { EventCount = EventCount + 1 };
    }

    private FailoverProcess Requested(KeyRotationRequested e)
    {
        var manual = IncidentIds.IsManual(e.IncidentId);
        return this with
        {
            Phase = new Phase.Requested(Rotation.From(e, manual)),
            AutomaticRotations = manual ? AutomaticRotations : AutomaticRotations.Add(e.RequestedAt),
            RotationsRequested = RotationsRequested + 1,
            Pushes = [],
            RequestedIncident = e.IncidentId,
            RequestsForIncident = RequestedIncident == e.IncidentId ? RequestsForIncident + 1 : 1,
            AwaitingOperator = null,
        };
    }

    /// <summary>
    /// A rotation that did not happen: rejected, expired unapplied, superseded, not signed, or not sent (dry run). It no
    /// longer counts towards the cap — unless an earlier push of it may have applied (a node took it, or its answer was
    /// lost) and only a later one was refused: then it may well have rotated, and the cap keeps counting it. An expired one leaves its incident open to be decided again (a new transaction),
    /// up to <see cref="RotationFollowUp.TransactionsPerIncident"/>; any other does not — no blind retry: the incident
    /// waits for an operator (<see cref="AwaitingOperator"/>).
    /// </summary>
    private FailoverProcess Failed(Rotation rotation, KeyRotationFailed e)
    {
        var decidedAgain = e.Reason == RotationFailures.Expired && RequestsForIncident < RotationFollowUp.TransactionsPerIncident;
        var mayHaveApplied = e.Reason != RotationFailures.Expired && Pushes.Any(p => p.Outcome != PushOutcomes.NotApplied);
        return this with
        {
            Phase = Phase.None,
            Pushes = [],
            AutomaticRotations = rotation.Manual || mayHaveApplied ? AutomaticRotations : AutomaticRotations.Remove(rotation.RequestedAt),
            HandledIncident = decidedAgain ? null : HandledIncident,
            AwaitingOperator = decidedAgain || e.Reason == RotationFailures.DryRun ? null : AwaitingOperatorText(rotation, e),
        };
    }

    private string AwaitingOperatorText(Rotation rotation, KeyRotationFailed e) => e.Reason == RotationFailures.Expired
        ? $"rotation {rotation.RotationId} expired unapplied; incident {rotation.IncidentId} has had {RequestsForIncident} transactions, the most that are built for one incident"
        : $"rotation {rotation.RotationId} to {rotation.TargetDataCenter} failed ({e.Reason}{(e.ErrorName is null ? string.Empty : $", {e.ErrorCode} {e.ErrorName}")}): {e.Detail}";
}

/// <summary>Why a rotation did not happen (<c>key-rotation-failed.v1</c> reasons).</summary>
public static class RotationFailures
{
    public const string Rejected = "rejected";
    public const string Expired = "expired";
    public const string DryRun = "dry-run";

    /// <summary>The producers table shows neither the key the rotation replaces nor its target: someone else rotated meanwhile.</summary>
    public const string Superseded = "superseded";

    /// <summary>The recorded transaction is not one the service would build (design §2.5): it was not signed.</summary>
    public const string RefusedToSign = "refused-to-sign";
}

/// <summary>Incident ids: our missed run by the slot it began at, or an operator's request by its position.</summary>
public static class IncidentIds
{
    public const string ManualPrefix = "manual-";

    public static string ForMissedRun(uint firstMissedSlot) => "missed-" + firstMissedSlot.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A missed run by its first missed slot; a finalizer silence by its first silent certificate's block; a degraded
    /// primary by the first miss among the recent slots counted (it moves on as those slots do: each is a new incident);
    /// a silent data center node by the data center and the first slot after its newest head.
    /// </summary>
    public static string For(Decisions.IncidentEvidence incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return incident.Kind switch
        {
            Decisions.IncidentKind.FinalizerSilent => "finalizer-silent-" + incident.RevealedByBlockNum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Decisions.IncidentKind.Degraded => "degraded-" + incident.FirstMissedSlot.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Decisions.IncidentKind.NodeSilent => $"node-silent-{incident.DataCenter}-{incident.FirstMissedSlot.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            _ => ForMissedRun(incident.FirstMissedSlot),
        };
    }

    public static bool IsManual(string incidentId) => incidentId.StartsWith(ManualPrefix, StringComparison.Ordinal);

    public static string ForManual(long requestVersion) => ManualPrefix + requestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
