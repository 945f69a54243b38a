using Failover.Audit.Decisions;
using Failover.Domain.Decisions;
using Failover.Domain.Process;

namespace Failover.Audit.Verification;

/// <summary>
/// Re-runs a recorded decision through <see cref="Policy.Evaluate"/> with the policy and evidence recorded with it,
/// and lists every way the record departs from the result: outcome, reasons, target, gates, the policy's hash, and the
/// event's own fields (its target, reasons, time, producer, incident).
/// </summary>
public static class DecisionCheck
{
    public static IReadOnlyList<string> Divergences(RecordedDecision recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var found = new List<string>();
        var policyProblems = recorded.Policy.Validate();
        if (policyProblems.Count > 0)
        {
            found.Add($"the recorded policy is not one the service accepts: {string.Join(" ", policyProblems)}");
        }

        Decision rerun;
        try
        {
            rerun = recorded.Rerun();
        }
        catch (Exception e) when (RecordedDecision.IsUnrunnable(e))
        {
            found.Add($"the policy cannot be run on the recorded evidence: {e.Message}");
            return found;
        }

        var decision = recorded.Decision;
        if (decision.Outcome != rerun.Outcome)
        {
            found.Add($"outcome: recorded {Describe(decision)}, the policy gives {Describe(rerun)} on the recorded evidence");
        }
        else if (!decision.Reasons.SequenceEqual(rerun.Reasons))
        {
            found.Add($"reasons: recorded [{string.Join(", ", decision.Reasons)}], the policy gives [{string.Join(", ", rerun.Reasons)}]");
        }

        if (decision.Outcome == rerun.Outcome && decision.TargetDataCenter != rerun.TargetDataCenter)
        {
            found.Add($"target: recorded {decision.TargetDataCenter ?? "none"}, the policy gives {rerun.TargetDataCenter ?? "none"}");
        }

        var policyHash = recorded.Policy.Hash();
        if (decision.PolicyHash != policyHash)
        {
            found.Add($"policy hash: recorded {decision.PolicyHash}, but the recorded policy hashes to {policyHash}");
        }

        found.AddRange(GateDivergences(decision.Gates, rerun.Gates));
        found.AddRange(EventDivergences(recorded));
        return found;
    }

    private static IEnumerable<string> GateDivergences(IReadOnlyList<GateResult> recorded, IReadOnlyList<GateResult> rerun)
    {
        if (recorded.Count != rerun.Count || !recorded.Select(g => g.Reason).SequenceEqual(rerun.Select(g => g.Reason)))
        {
            yield return $"gates: recorded [{string.Join(", ", recorded.Select(g => g.Reason))}], the policy judges [{string.Join(", ", rerun.Select(g => g.Reason))}]";
            yield break;
        }

        foreach (var (was, now) in recorded.Zip(rerun))
        {
            if (Verdict(was) != Verdict(now))
            {
                yield return $"gate {was.Reason}: recorded {Verdict(was)}, the policy gives {Verdict(now)} ({now.Detail})";
            }
            else if (was.Detail != now.Detail)
            {
                yield return $"gate {was.Reason}: recorded \"{was.Detail}\", the policy says \"{now.Detail}\"";
            }
        }
    }

    /// <summary>The event's own fields against its decision and evidence.</summary>
    private static IEnumerable<string> EventDivergences(RecordedDecision d)
    {
        var decision = d.Decision;
        var evidence = d.Evidence;
        if (d.IsTrigger)
        {
            if (decision.Outcome != DecisionOutcome.Trigger)
            {
                yield return $"a {d.Type} records the outcome {Describe(decision)}";
            }

            if (d.TargetDataCenter != decision.TargetDataCenter)
            {
                yield return $"target data center: the event says {d.TargetDataCenter}, its decision {decision.TargetDataCenter ?? "none"}";
            }

            var target = evidence.DataCenters.FirstOrDefault(x => x.Name == d.TargetDataCenter);
            if (target is null)
            {
                yield return $"target data center {d.TargetDataCenter} is not among the evidence's data centers";
            }
            else if (target.SigningKey != d.TargetKey)
            {
                yield return $"target key: the event says {d.TargetKey}, {target.Name}'s key in the evidence is {target.SigningKey}";
            }
        }
        else
        {
            if (decision.Outcome != DecisionOutcome.Suppress)
            {
                yield return $"a {d.Type} records the outcome {Describe(decision)}";
            }

            if (d.SuppressedReasons is { } reasons && !reasons.SequenceEqual(decision.Reasons))
            {
                yield return $"reasons: the event says [{string.Join(", ", reasons)}], its decision [{string.Join(", ", decision.Reasons)}]";
            }
        }

        if (d.DecidedAt != evidence.EvaluatedAt)
        {
            yield return $"decided at {Time(d.DecidedAt)}, but the evidence is of {Time(evidence.EvaluatedAt)}";
        }

        if (d.Producer != evidence.Producer)
        {
            yield return $"producer: the event says {d.Producer}, the evidence {evidence.Producer}";
        }

        if (d.Stream != AuditLog.ProcessStream(d.Producer))
        {
            yield return $"a decision for {d.Producer} in stream {d.Stream}, not {AuditLog.ProcessStream(d.Producer)}";
        }

        if (evidence.Manual is null)
        {
            var expected = evidence.Incident is { } incident ? IncidentIds.For(incident) : null;
            if (expected is null)
            {
                yield return "neither an incident (a missed run, a silent finalizer) nor an operator's request in the evidence: there was nothing to decide";
            }
            else if (d.IncidentId != expected)
            {
                yield return $"incident: the event says {d.IncidentId}, the evidence's incident is {expected}";
            }
        }
        else if (!IncidentIds.IsManual(d.IncidentId))
        {
            yield return $"incident: an operator's request decided under {d.IncidentId}, not a {IncidentIds.ManualPrefix}… incident";
        }
    }

    private static string Verdict(GateResult g) => g.Overridden ? "overridden" : g.Passed ? "passed" : g.Pending ? "pending" : "failed";

    private static string Describe(Decision d) => RecordedDecision.Describe(d);

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}
