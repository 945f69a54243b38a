using Failover.Audit.Decisions;
using Failover.Domain.Decisions;
using Failover.EventStore;

namespace Failover.Audit.WhatIf;

/// <summary>A gate whose verdict the changed policy changes.</summary>
public sealed record GateChange(string Reason, string Recorded, string WhatIf, string Detail);

/// <summary>A recorded decision and what the policy gives on the same evidence under the changed policy.</summary>
public sealed record WhatIfDecision(
    long Position,
    string Stream,
    string Type,
    string IncidentId,
    DateTimeOffset DecidedAt,
    string RecordedPolicyHash,
    string WhatIfPolicyHash,
    DecisionOutcome RecordedOutcome,
    IReadOnlyList<string> RecordedReasons,
    string? RecordedTarget,
    DecisionOutcome Outcome,
    IReadOnlyList<string> Reasons,
    string? Target,
    bool Differs,
    IReadOnlyList<GateChange> GateChanges,
    string Summary);

/// <summary>What <c>what-if</c> found: the changes, every decision re-evaluated, how many would have differed, and what it cannot tell.</summary>
public sealed record WhatIfReport(
    IReadOnlyList<PolicyOverride> Changes,
    int Decisions,
    int Differing,
    IReadOnlyList<WhatIfDecision> Results,
    IReadOnlyList<string> Caveats);

/// <summary>
/// <c>failover audit what-if --set Policy:Key=Value …</c>: every recorded decision re-evaluated by
/// <see cref="Policy.Evaluate"/> on its recorded evidence, under its recorded policy with the changes applied.
/// </summary>
public static class WhatIfAnalysis
{
    public static async Task<WhatIfReport> AnalyseAsync(IEventStore store, IReadOnlyList<PolicyOverride> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(changes);
        var results = new List<WhatIfDecision>();
        await foreach (var decision in RecordedDecision.ReadAllAsync(store, cancellationToken).ConfigureAwait(false))
        {
            results.Add(Evaluate(decision, changes));
        }

        var caveats = new List<string>
        {
            "Each decision is re-evaluated on the evidence recorded with it; what would have followed a different decision (another rotation, its cooldown and cap) is not simulated.",
            "Only recorded decisions are re-evaluated: a suppression is recorded once per incident and reason, so later evaluations that recorded nothing are not shown.",
        };
        if (changes.Any(c => c.Key == nameof(FailoverPolicy.MissedBlocksThreshold)))
        {
            caveats.Add("MissedBlocksThreshold decides when an incident opens, which the recorded evidence cannot show again: the decisions keep their recorded incidents.");
        }

        return new WhatIfReport(changes, results.Count, results.Count(r => r.Differs), results, caveats);
    }

    public static WhatIfDecision Evaluate(RecordedDecision recorded, IReadOnlyList<PolicyOverride> changes)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var problems = new List<string>();
        var policy = PolicyOverrides.Apply(recorded.Policy, changes, problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(changes));
        }

        var was = recorded.Decision;
        var now = Policy.Evaluate(recorded.Evidence, policy);
        var differs = was.Outcome != now.Outcome || !was.Reasons.SequenceEqual(now.Reasons) || was.TargetDataCenter != now.TargetDataCenter;
        var gates = was.Gates.Zip(now.Gates)
            .Where(p => p.First.Reason == p.Second.Reason && Verdict(p.First) != Verdict(p.Second))
            .Select(p => new GateChange(p.First.Reason, Verdict(p.First), Verdict(p.Second), p.Second.Detail))
            .ToList();
        return new WhatIfDecision(
            recorded.Position, recorded.Stream, recorded.Type, recorded.IncidentId, recorded.DecidedAt, was.PolicyHash, now.PolicyHash,
            was.Outcome, was.Reasons, was.TargetDataCenter, now.Outcome, now.Reasons, now.TargetDataCenter, differs, gates,
            Summarise(recorded, now, differs, gates));
    }

    private static string Summarise(RecordedDecision recorded, Decision now, bool differs, List<GateChange> gates)
    {
        var was = RecordedDecision.Describe(recorded.Decision);
        if (!differs)
        {
            return $"unchanged: {was}";
        }

        var becomes = now.Outcome switch
        {
            DecisionOutcome.Trigger => $"would have rotated to {now.TargetDataCenter}",
            DecisionOutcome.Suppress => $"would have been suppressed ({string.Join(", ", now.Reasons)})",
            _ => "would have waited for more evidence (nothing recorded)",
        };
        var why = gates.Count == 0 ? string.Empty : " — " + string.Join("; ", gates.Select(g => $"{g.Reason} {g.Recorded} → {g.WhatIf}: {g.Detail}"));
        return $"the {was} {becomes}{why}";
    }

    private static string Verdict(GateResult g) => g.Overridden ? "overridden" : g.Passed ? "passed" : g.Pending ? "pending" : "failed";
}
