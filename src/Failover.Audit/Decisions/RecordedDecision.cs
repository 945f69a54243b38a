using System.Runtime.CompilerServices;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.EventStore;

namespace Failover.Audit.Decisions;

/// <summary>A recorded decision (<c>failover-triggered.v1</c> or <c>failover-suppressed.v1</c>) with where it is in the log.</summary>
public sealed record RecordedDecision(
    long Position,
    DateTimeOffset RecordedAt,
    string Stream,
    string? ObserverId,
    string Type,
    string Producer,
    string IncidentId,
    Decision Decision,
    Evidence Evidence,
    FailoverPolicy Policy,
    DateTimeOffset DecidedAt,
    string? TargetDataCenter,
    string? TargetKey,
    IReadOnlyList<string>? SuppressedReasons)
{
    /// <summary>The event the process manager was reacting to when it decided (a sample, an operator's command); null in logs written before causes were recorded.</summary>
    public Guid? CausationId { get; init; }

    public static string TriggeredType { get; } = EventCatalogue.Of(typeof(FailoverTriggered)).Name;

    public static string SuppressedType { get; } = EventCatalogue.Of(typeof(FailoverSuppressed)).Name;

    public bool IsTrigger => Type == TriggeredType;

    public static bool IsDecisionType(string type) => type == TriggeredType || type == SuppressedType;

    public static RecordedDecision? From(AuditedEvent audited)
    {
        ArgumentNullException.ThrowIfNull(audited);
        var r = audited.Recorded;
        return audited.Event switch
        {
            FailoverTriggered t => new RecordedDecision(r.Position, r.RecordedAt, r.Stream, r.Metadata.ObserverId, r.Type, t.Producer, t.IncidentId,
                t.Decision, t.Evidence, t.Policy, t.DecidedAt, t.TargetDataCenter, t.TargetKey, null) { CausationId = r.Metadata.CausationId },
            FailoverSuppressed s => new RecordedDecision(r.Position, r.RecordedAt, r.Stream, r.Metadata.ObserverId, r.Type, s.Producer, s.IncidentId,
                s.Decision, s.Evidence, s.Policy, s.DecidedAt, null, null, s.Reasons) { CausationId = r.Metadata.CausationId },
            _ => null,
        };
    }

    /// <summary>Every decision of the log, in position order (payloads that do not decode are skipped: <c>verify</c> reports them).</summary>
    public static async IAsyncEnumerable<RecordedDecision> ReadAllAsync(IEventStore store, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await foreach (var recorded in store.ReadAllAsync(1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (IsDecisionType(recorded.Type) && From(AuditLog.Decode(recorded)) is { } decision)
            {
                yield return decision;
            }
        }
    }

    /// <summary>The policy run again on the recorded evidence with the recorded policy.</summary>
    public Decision Rerun() => Failover.Domain.Decisions.Policy.Evaluate(Evidence, Policy);

    /// <summary>
    /// Whether the policy, run again on the recorded evidence, reaches the recorded outcome, reasons and target (false
    /// also when it cannot run on what was recorded; <c>verify</c> says why).
    /// </summary>
    public bool RerunAgrees()
    {
        try
        {
            var rerun = Rerun();
            return rerun.Outcome == Decision.Outcome && rerun.Reasons.SequenceEqual(Decision.Reasons) && rerun.TargetDataCenter == Decision.TargetDataCenter;
        }
        catch (Exception e) when (IsUnrunnable(e))
        {
            return false;
        }
    }

    /// <summary>What running the policy throws on evidence or a policy that was tampered with or does not decode whole.</summary>
    public static bool IsUnrunnable(Exception e) => e is ArgumentException or InvalidOperationException or NullReferenceException or FormatException;

    /// <summary>A decision in a few words, e.g. "trigger → dc2" or "suppress (low-participation, stale-head)".</summary>
    public static string Describe(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Outcome switch
        {
            DecisionOutcome.Trigger => $"trigger → {decision.TargetDataCenter}",
            DecisionOutcome.Suppress => $"suppress ({string.Join(", ", decision.Reasons)})",
            _ => "wait",
        };
    }
}
