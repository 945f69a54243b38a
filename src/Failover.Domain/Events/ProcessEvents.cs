using Failover.Domain.Decisions;

namespace Failover.Domain.Events;

// Decisions and outcomes of the failover process (stream failover-<producer>, design §4). Times are those of the
// evidence or observation behind each event, never a clock read inside the domain.

/// <summary>An event of a failover process stream.</summary>
public interface IProcessEvent
{
    string Producer { get; }
}

/// <summary>The policy's gates all held (or an operator asked): rotate to <see cref="TargetDataCenter"/>.</summary>
/// <param name="IncidentId">The incident (our missed run, or a manual request) this decision belongs to.</param>
public sealed record FailoverTriggered(
    string Producer,
    string IncidentId,
    string TargetDataCenter,
    string TargetKey,
    Decision Decision,
    Evidence Evidence,
    FailoverPolicy Policy,
    DateTimeOffset DecidedAt) : IProcessEvent;

/// <summary>The policy kept us from rotating; recorded once per incident and reason.</summary>
public sealed record FailoverSuppressed(
    string Producer,
    string IncidentId,
    IReadOnlyList<string> Reasons,
    Decision Decision,
    Evidence Evidence,
    FailoverPolicy Policy,
    DateTimeOffset DecidedAt) : IProcessEvent;

/// <summary>
/// The exact transaction about to be signed and pushed, appended before it is sent (design §2.4): its packed bytes
/// (hex), id, chain, expiration and what it does.
/// </summary>
/// <param name="ReplacesKey">The key the producers table registered when the rotation was decided: it is pushed only while
/// the chain still shows that key (or already the target), and expired only on a reading of it. Null in logs from before
/// it was recorded, and when the table registered an authority other than a single key (<paramref name="ReplacesAuthority"/>).</param>
/// <param name="TargetAuthority">The authority the transaction registers (<c>regproducer2</c>) when the target data center
/// declares one; null: its key alone (<c>regproducer</c>).</param>
/// <param name="ReplacesAuthority">The authority the producers table registered when the rotation was decided, when it was
/// not a single key (a multi-key row shows the all-zero <c>producer_key</c>, so its key says nothing).</param>
public sealed record KeyRotationRequested(
    string Producer,
    string IncidentId,
    string RotationId,
    string TargetDataCenter,
    string TargetKey,
    string? TargetFinalizerKey,
    string Permission,
    string ChainId,
    string TransactionId,
    string PackedTransaction,
    DateTimeOffset Expiration,
    IReadOnlyList<string> Actions,
    DateTimeOffset RequestedAt,
    string? ReplacesKey = null,
    SigningAuthority? TargetAuthority = null,
    SigningAuthority? ReplacesAuthority = null) : IProcessEvent;

/// <summary>How a push ended, as data.</summary>
public static class PushOutcomes
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string Unknown = "unknown";
    public const string Rejected = "rejected";

    /// <summary>The node refused it for a cause that proves it was not applied and may pass (CPU, NET, deadline, busy, a ref block it lacks, a refused connection).</summary>
    public const string NotApplied = "not-applied";
}

/// <summary>
/// One push of the rotation's transaction and what its answer proves: the node took it (accepted, or already known),
/// the answer was lost (unknown: the same bytes are sent again after a short delay), or the node refused it for a cause
/// that proves it was not applied (not-applied, with the node's error: sent again to the next agreeing endpoint).
/// </summary>
public sealed record KeyRotationSubmitted(
    string Producer,
    string RotationId,
    string TransactionId,
    string Endpoint,
    string Outcome,
    string Detail,
    DateTimeOffset SubmittedAt,
    long? ErrorCode = null,
    string? ErrorName = null) : IProcessEvent;

/// <summary>The rotation will not happen: the node rejected it (with its error code), or it expired unapplied, or it was not signed.</summary>
/// <param name="Reason">One of <c>RotationFailures</c>.</param>
/// <param name="RegisteredKey">What the producers table showed when the failure was decided from a reading of it (expired,
/// superseded): the key, or an authority other than a single key as <see cref="SigningAuthority.Describe"/> writes it.</param>
/// <param name="RegisteredAuthority">That reading when it was an authority other than a single key.</param>
public sealed record KeyRotationFailed(
    string Producer,
    string RotationId,
    string TransactionId,
    string Reason,
    long? ErrorCode,
    string? ErrorName,
    string Detail,
    DateTimeOffset FailedAt,
    string? RegisteredKey = null,
    SigningAuthority? RegisteredAuthority = null) : IProcessEvent
{
    /// <summary>A failure decided on a reading of the producers table (expired, superseded), recording the reading.</summary>
    public static KeyRotationFailed FromReading(string producer, Process.Rotation rotation, string reason, string detail, DateTimeOffset at, SigningAuthority registered)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        ArgumentNullException.ThrowIfNull(registered);
        return new(producer, rotation.RotationId, rotation.TransactionId, reason, null, null, detail, at,
            registered.Describe(), registered.IsSingleKey ? null : registered);
    }

    /// <summary>The reading a failure was decided on (null: none recorded).</summary>
    public SigningAuthority? Registered() => SigningAuthority.Recorded(RegisteredKey, RegisteredAuthority);
}

/// <summary>The producers table shows the target key for our producer.</summary>
public sealed record KeyRotated(string Producer, string RotationId, string Key, DateTimeOffset ObservedAt) : IProcessEvent;

/// <summary>The schedule in force carries the target key for our producer.</summary>
public sealed record SigningKeyActivated(string Producer, string RotationId, string Key, uint ScheduleVersion, DateTimeOffset ObservedAt) : IProcessEvent;

/// <summary>A block of ours whose signature recovers to the target key: the standby produces.</summary>
public sealed record FailoverCompleted(
    string Producer,
    string RotationId,
    string DataCenter,
    string Key,
    uint BlockNum,
    string BlockId,
    DateTimeOffset ObservedAt) : IProcessEvent;

/// <summary>An operator paused automatic failover (manual requests still work).</summary>
public sealed record AutomationPaused(string Producer, string By, string Reason, DateTimeOffset At) : IProcessEvent;

public sealed record AutomationResumed(string Producer, string By, string Reason, DateTimeOffset At) : IProcessEvent;

/// <summary>
/// Automation latched off: the automatic rotation decided for <paramref name="IncidentId"/> is the
/// <paramref name="Rotations"/>-th within 24 h, which reaches the cap (<paramref name="Cap"/>). Recorded by the decider
/// with that decision; automatic failover stays off until an operator re-arms it.
/// </summary>
public sealed record AutomationLatched(string Producer, string IncidentId, int Rotations, int Cap, DateTimeOffset At) : IProcessEvent;

/// <summary>An operator re-armed automation after it latched at the rotation cap; the 24 h count starts afresh.</summary>
public sealed record AutomationRearmed(string Producer, string By, string Reason, DateTimeOffset At) : IProcessEvent;

/// <summary>An operator asked to fail over to a named data center; the service decides and acts on it.</summary>
public sealed record ManualFailoverRequested(string Producer, string DataCenter, string By, string Reason, DateTimeOffset At) : IProcessEvent;
