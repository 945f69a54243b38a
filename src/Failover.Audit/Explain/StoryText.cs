using System.Globalization;
using Failover.Domain.Decisions;
using Failover.Domain.Events;

namespace Failover.Audit.Explain;

/// <summary>A decision's story in plain sentences, one per line.</summary>
public static class StoryText
{
    public static IReadOnlyList<string> Narrate(DecisionStory s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var lines = new List<string>();
        var failover = s.FailoverSequence is { } n ? $" (failover {n})" : string.Empty;
        lines.Add(s.Outcome switch
        {
            DecisionOutcome.Trigger => $"At {Time(s.DecidedAt)} the service decided to ROTATE {s.Producer}'s signing key to {s.TargetDataCenter} ({s.TargetKey}), incident {s.IncidentId}{failover}; recorded at position {s.Position} of {s.Stream}.",
            DecisionOutcome.Suppress => $"At {Time(s.DecidedAt)} the service SUPPRESSED a failover of {s.Producer} ({string.Join(", ", s.Reasons)}), incident {s.IncidentId}{failover}; recorded at position {s.Position} of {s.Stream}.",
            _ => $"At {Time(s.DecidedAt)} the service recorded a decision to wait, incident {s.IncidentId}{failover}; position {s.Position} of {s.Stream}.",
        });

        if (s.Manual is { } manual)
        {
            lines.Add($"Why it was decided: {manual.By} asked at {Time(manual.RequestedAt)} to fail over to {manual.DataCenter}: \"{manual.Reason}\". A manual request overrides automation, cap, cooldown and the chain-health gates.");
        }

        if (s.Incident is { } incident)
        {
            var slots = s.MissedSlots.Count == 0 ? "(the chain stream shows none of them)"
                : s.MissedSlots.Count <= 16 ? string.Join(", ", s.MissedSlots.Select(m => m.Slot.ToString(CultureInfo.InvariantCulture)))
                : $"{s.MissedSlots[0].Slot}–{s.MissedSlots[^1].Slot}";
            var revealed = incident.Anchor == IncidentAnchor.LatestMiss
                ? string.Create(CultureInfo.InvariantCulture, $"its latest miss (slot {incident.AnchorSlot}) was revealed by block {incident.RevealedByBlockNum} ({Short(incident.RevealedByBlockId)}) observed at {Time(incident.RevealedAt)}, the block the evidence after the incident is judged from")
                : string.Create(CultureInfo.InvariantCulture, $"the run was revealed by block {incident.RevealedByBlockNum} ({Short(incident.RevealedByBlockId)}) observed at {Time(incident.RevealedAt)}");
            lines.Add(incident.Kind switch
            {
                IncidentKind.FinalizerSilent => string.Create(CultureInfo.InvariantCulture,
                    $"What triggered it: {s.Producer}'s finalizer voted in none of the {incident.SilentCertificates} quorum certificates from block {incident.RevealedByBlockNum} ({Short(incident.RevealedByBlockId)}, slot {incident.FirstMissedSlot} at {Time(incident.BeganAt)}, observed at {Time(incident.RevealedAt)}) on — silent for at least {s.Policy.FinalizerSilence?.TotalSeconds:0.0} s of chain time; that block is the one the evidence after the incident is judged from; {incident.ConsecutiveMissed} of our blocks were missed by then."),
                IncidentKind.Degraded => string.Create(CultureInfo.InvariantCulture,
                    $"What triggered it: {s.Producer} missed {incident.RecentMissed} of its last {incident.RecentSlots} scheduled slots (at least {s.Policy.Degraded?.Missed} of {s.Policy.Degraded?.Slots}, over two of its windows or more, its latest among them), from slot {incident.FirstMissedSlot} at {Time(incident.BeganAt)}; the slots left empty: {slots}; {revealed}."),
                _ => string.Create(CultureInfo.InvariantCulture,
                    $"What triggered it: {s.Producer} missed {incident.ConsecutiveMissed} consecutive scheduled blocks (threshold {s.Policy.MissedBlocksThreshold}) from slot {incident.FirstMissedSlot} at {Time(incident.BeganAt)}; the slots left empty: {slots}; {revealed}."),
            });
        }

        lines.Add($"Participation of the other producers: {Figures("last full round", s.LastFullRound)}; {Figures("sliding window", s.SlidingWindow)}"
            + (s.SinceIncident is not { OthersScheduled: > 0 } sinceIncident ? string.Empty : $"; {Figures(s.Incident?.Anchor == IncidentAnchor.LatestMiss ? "windows since our latest missed window" : "windows since the incident", sinceIncident)}")
            + string.Create(CultureInfo.InvariantCulture, $" (must be above {s.Policy.MinParticipation:P0})."));
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"Head: block {s.Head.BlockNum} ({Short(s.Head.BlockId)}) of {Time(s.Head.BlockTime)}, {s.Head.AgeSeconds:0.0} s old at the decision (at most {s.Policy.MaxHeadAge.TotalSeconds:0.0} s)."));
        var advanced = s.Lib.SecondsSinceAdvance is { } since
            ? string.Create(CultureInfo.InvariantCulture, $"last advanced {since:0.0} s before the decision")
            : "never seen advancing";
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"LIB: block {s.Lib.BlockNum} ({Short(s.Lib.BlockId)}), {(s.Lib.OnFollowedBranch ? "on" : "NOT on")} the followed branch, {advanced} (at most {s.Policy.MaxLibStall.TotalSeconds:0.0} s)."));
        var views = s.Endpoints.Views.Count == 0 ? string.Empty
            : ": " + string.Join("; ", s.Endpoints.Views.Select(v => $"{v.Endpoint} {(v.Healthy ? "healthy" : "unhealthy")}, head {(v.HeadBlockNum?.ToString(CultureInfo.InvariantCulture) ?? "-")}, {(v.Agrees ? "agrees" : "disagrees")}"));
        lines.Add($"Endpoints: {s.Endpoints.Agreeing} of {s.Endpoints.Configured} agreed with the followed chain{views}"
            + (s.Endpoints.SamplePosition is { } p ? $" (sample at position {p})." : "."));
        lines.Add(s.Schedule.Scheduled
            ? $"Schedule: {s.Producer} is in the active schedule v{s.Schedule.ActiveVersion} of {s.Schedule.ScheduledProducers} producers, {Authority(s.Schedule)}."
            : $"Schedule: {s.Producer} is NOT in the active schedule v{s.Schedule.ActiveVersion}.");
        var process = s.Process;
        lines.Add($"Process: automation {(process.AutomationPaused ? "PAUSED by an operator" : "enabled")}{(process.Latched ? ", LATCHED at the cap" : string.Empty)}; "
            + (process.RotationInFlight is { } flight ? $"rotation {flight} in flight; " : "no rotation in flight; ")
            + $"{process.RotationsInLast24h.Count} of at most {s.Policy.MaxRotationsPer24h} automatic rotations in the last 24 h; "
            + (process.LastRotationCompletedAt is { } done ? $"last rotation took effect at {Time(done)} (cooldown {s.Policy.Cooldown})." : "no earlier rotation."));
        lines.Add("Data centers: " + string.Join("; ", s.DataCenters.OrderBy(d => d.Priority).Select(d =>
            $"{d.Name} (priority {d.Priority}, key {d.SigningKey}{(KeyInForce.IsInForce(s.Schedule, d.SigningKey) ? ", in force" : string.Empty)}"
            + (d.HasNode ? d.NodeError is { } error ? $", its node fails: {error}" : d.NodeHeadTime is { } t ? $", its node's head of {Time(t)}" : ", its node unknown" : ", no node of its own configured")
            + ")")) + ".");
        lines.Add("Gates: " + string.Join(" ", s.Gates.Select(g => $"[{g.Reason}: {Verdict(g)} — {g.Detail}]")));
        lines.Add(s.RerunAgrees
            ? $"Re-run: the policy (hash {Short(s.PolicyHash)}) gives the same decision on this evidence."
            : "Re-run: the policy gives ANOTHER decision on this evidence — run `failover audit verify`.");
        if (s.FollowedBy.Count == 0)
        {
            lines.Add("What followed: nothing in the process stream refers to it.");
        }
        else
        {
            lines.Add("What followed:");
            lines.AddRange(s.FollowedBy.Select(f => $"  {Time(f.At)} (position {f.Position}) {f.What}"));
        }

        return lines;
    }

    /// <summary>Our keys in the schedule; the threshold and the weights too when a key of weight 1 alone does not satisfy it.</summary>
    private static string Authority(ScheduleEvidence schedule)
    {
        var authority = KeyInForce.AuthorityOf(schedule);
        return authority.Threshold == 1 && authority.Keys.All(k => k.Weight == 1)
            ? $"with key {string.Join(", ", authority.Keys.Select(k => k.Key))}"
            : string.Create(CultureInfo.InvariantCulture,
                $"with the authority of threshold {authority.Threshold} over {string.Join(", ", authority.Keys.Select(k => $"{k.Key} (weight {k.Weight})"))}");
    }

    internal static string Verdict(GateResult g) => g.Overridden ? "overridden" : g.Passed ? "passed" : g.Pending ? "waiting" : "FAILED";

    private static string Figures(string what, ParticipationFigures? f) => f is null
        ? $"{what} not observed"
        : string.Create(CultureInfo.InvariantCulture, $"{what} {f.OthersProducing}/{f.OthersScheduled} ({f.Rate:P1})")
            + (f.OthersMissing.Count == 0 ? ", nobody missing" : $", missing {string.Join(", ", f.OthersMissing)}");

    private static string Short(string id) => id.Length > 16 ? id[..16] + "…" : id;

    private static string Time(DateTimeOffset t) => Explainer.Time(t);
}
