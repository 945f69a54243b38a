using System.Text.Json.Serialization;
using Failover.Antelope;

namespace Failover.Domain.Decisions;

/// <summary>What the policy concluded.</summary>
public enum DecisionOutcome
{
    /// <summary>Every gate holds: rotate to the target.</summary>
    [JsonStringEnumMemberName("trigger")]
    Trigger,

    /// <summary>A gate fails: do not rotate, and say why.</summary>
    [JsonStringEnumMemberName("suppress")]
    Suppress,

    /// <summary>No gate fails yet, but evidence from after the incident is still due (e.g. the revealing block's finality).</summary>
    [JsonStringEnumMemberName("wait")]
    Wait,
}

/// <summary>The reason codes of design §4, one per gate.</summary>
public static class ReasonCodes
{
    public const string LowParticipation = "low-participation";
    public const string StaleHead = "stale-head";
    public const string LibStalled = "lib-stalled";
    public const string EndpointsDisagree = "endpoints-disagree";
    public const string RotationInFlight = "rotation-in-flight";
    public const string Cooldown = "cooldown";
    public const string CapReached = "cap-reached";
    public const string AutomationPaused = "automation-paused";
    public const string ConsensusMismatch = "consensus-mismatch";
    public const string NoReadyStandby = "no-ready-standby";
    public const string NotScheduled = "not-scheduled";

    public static IReadOnlyList<string> All { get; } =
    [
        NotScheduled, AutomationPaused, CapReached, Cooldown, RotationInFlight, LowParticipation, StaleHead, LibStalled,
        EndpointsDisagree, ConsensusMismatch, NoReadyStandby,
    ];
}

/// <summary>One gate's verdict: passed, failed, or still waiting for evidence (then not failed yet).</summary>
/// <param name="Overridden">A manual request overrides this gate: it is recorded but does not stop the rotation.</param>
public sealed record GateResult(string Reason, bool Passed, bool Pending, bool Overridden, string Detail);

/// <summary>A decision with its reasons, the gates behind it, the target (when triggered) and the policy's hash.</summary>
public sealed record Decision(
    DecisionOutcome Outcome,
    IReadOnlyList<string> Reasons,
    string? TargetDataCenter,
    IReadOnlyList<GateResult> Gates,
    string PolicyHash);

/// <summary>
/// The failover policy as a pure function (design §5): <c>evaluate(evidence, policy) → decision</c>. The service and
/// the audit tool call this same function, so a recorded decision can be re-derived from its recorded evidence.
/// </summary>
public static class Policy
{
    public static Decision Evaluate(Evidence evidence, FailoverPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(policy);
        var manual = evidence.Manual is not null;
        var now = evidence.EvaluatedAt;
        var chain = evidence.Chain;
        var process = evidence.Process;
        var gates = new List<GateResult>
        {
            Gate(ReasonCodes.NotScheduled, evidence.Schedule.Scheduled,
                $"{evidence.Producer} {(evidence.Schedule.Scheduled ? "is" : "is not")} in the active schedule v{evidence.Schedule.ActiveVersion}"),
            Overridable(manual, Gate(ReasonCodes.AutomationPaused, !process.AutomationPaused,
                process.AutomationPaused ? "automation is paused by an operator" : "automation is enabled")),
            Overridable(manual, Gate(ReasonCodes.CapReached, !process.Latched && process.RotationsInLast24h.Count < policy.MaxRotationsPer24h,
                process.Latched
                    ? $"automation latched off after {policy.MaxRotationsPer24h} rotations in 24 h; an operator must re-arm it"
                    : $"{process.RotationsInLast24h.Count} of at most {policy.MaxRotationsPer24h} rotations in the last 24 h")),
            Overridable(manual, CooldownGate(evidence, now, policy)),
            RotationInFlightGate(evidence),
            Overridable(manual, ParticipationGate(evidence, policy)),
            Overridable(manual, HeadGate(chain, now, policy)),
            Overridable(manual, FinalityGate(evidence, policy)),
            Overridable(manual, Gate(ReasonCodes.EndpointsDisagree, chain.EndpointsAgreeing * 2 > chain.EndpointsConfigured,
                $"{chain.EndpointsAgreeing} of {chain.EndpointsConfigured} endpoints agree with the followed chain (a majority is needed)")),
        };
        gates.Add(ConsensusGate(evidence));
        var target = ChooseTarget(evidence, policy, out var standbyDetail);
        gates.Add(Gate(ReasonCodes.NoReadyStandby, target is not null, standbyDetail));

        var failed = gates.Where(g => !g.Passed && !g.Pending && !g.Overridden).Select(g => g.Reason).Distinct().ToList();
        var outcome = failed.Count > 0 ? DecisionOutcome.Suppress
            : gates.Any(g => g.Pending && !g.Overridden) ? DecisionOutcome.Wait
            : DecisionOutcome.Trigger;
        return new Decision(outcome, failed, outcome == DecisionOutcome.Trigger ? target!.Name : null, gates, policy.Hash());
    }

    /// <summary>
    /// The first data center by priority whose key is not in force (<see cref="KeyInForce"/>: it alone does not satisfy
    /// our authority in the schedule), is a public key (a rotation to anything else cannot be built), whose finalizer key
    /// (Savanna) the chain shows registered to us (<see cref="FinalizerKeyRule"/>: else actfinkey fails the rotation) and
    /// whose own node (if it has an endpoint) shows a fresh head; for a manual request, the named one under the same conditions.
    /// </summary>
    private static DataCenterEvidence? ChooseTarget(Evidence evidence, FailoverPolicy policy, out string detail)
    {
        var notes = new List<string>();
        var candidates = evidence.DataCenters.OrderBy(d => d.Priority).ThenBy(d => d.Name, StringComparer.Ordinal)
            .Where(d => evidence.Manual is null || d.Name == evidence.Manual.DataCenter);
        foreach (var dc in candidates)
        {
            if (KeyInForce.IsInForce(evidence.Schedule, dc.SigningKey))
            {
                notes.Add($"{dc.Name} holds the key in force");
            }
            else if (!PublicKey.TryParse(dc.SigningKey, out _, out _))
            {
                notes.Add($"{dc.Name}'s key {dc.SigningKey} is not a public key");
            }
            else if (FinalizerKeyRule.Problem(evidence, dc) is { } finalizer)
            {
                notes.Add(finalizer);
            }
            else if (dc.HasNode && dc.NodeError is { } error)
            {
                notes.Add($"{dc.Name}'s node fails: {error}");
            }
            else if (dc.HasNode && (dc.NodeHeadTime is not { } head || evidence.EvaluatedAt - head > policy.MaxStandbyHeadAge))
            {
                notes.Add($"{dc.Name}'s node head is {(dc.NodeHeadTime is { } h ? Seconds(evidence.EvaluatedAt - h) + " old" : "unknown")}");
            }
            else
            {
                detail = $"target {dc.Name} (priority {dc.Priority}, key {dc.SigningKey})" + FinalizerKeyRule.TargetNote(evidence, dc) + (notes.Count > 0 ? $"; skipped: {string.Join("; ", notes)}" : string.Empty);
                return dc;
            }
        }

        if (evidence.Manual is { } manual && !evidence.DataCenters.Any(d => d.Name == manual.DataCenter))
        {
            notes.Add($"no data center is named {manual.DataCenter}");
        }

        detail = notes.Count > 0 ? "no ready standby: " + string.Join("; ", notes) : "no data center is configured";
        return null;
    }

    /// <summary>
    /// The rotation's transaction and the finality gate are built for the configured consensus: on a chain whose block
    /// headers show the other one, neither fits. Not overridable: an operator's rotation is built the same way. A chain
    /// whose headers were not read yet is judged by the configuration.
    /// </summary>
    private static GateResult ConsensusGate(Evidence evidence)
    {
        if (evidence.ChainConsensus is not { } chain)
        {
            return Gate(ReasonCodes.ConsensusMismatch, true, $"the chain's consensus is not read yet; the rotation is built for {Text(evidence.Consensus)}, as configured");
        }

        if (chain == evidence.Consensus)
        {
            return Gate(ReasonCodes.ConsensusMismatch, true, $"the chain's block headers are {Text(chain)}, as configured");
        }

        return Gate(ReasonCodes.ConsensusMismatch, false,
            $"the configuration says {Text(evidence.Consensus)} but the chain's block headers are {Text(chain)}; "
            + (chain == ConsensusKind.Savanna
                ? "a rotation without actfinkey would leave the standby's node paused for want of its finalizer's votes"
                : "a legacy chain has no finalizers, so a rotation built for Savanna does not fit it")
            + $"; set Chain:Consensus to {Text(chain)}");
    }

    private static string Text(ConsensusKind consensus) => consensus == ConsensusKind.Savanna ? "savanna" : "legacy";

    /// <summary>
    /// The head is at most <see cref="FailoverPolicy.MaxHeadAge"/> old — and not more than that ahead of the evaluation:
    /// a head "from the future" means the clock that stamped the evaluation is behind the chain (an operator's command
    /// stamped on a machine whose clock is off), and then every age in the evidence looks younger than it is.
    /// </summary>
    private static GateResult HeadGate(ChainEvidence chain, DateTimeOffset now, FailoverPolicy policy)
    {
        var age = now - chain.HeadBlockTime;
        return age >= -policy.MaxHeadAge
            ? Gate(ReasonCodes.StaleHead, age <= policy.MaxHeadAge, $"head {chain.HeadBlockNum} is {Seconds(age)} old (at most {Seconds(policy.MaxHeadAge)})")
            : Gate(ReasonCodes.StaleHead, false,
                $"head {chain.HeadBlockNum} is {Seconds(-age)} ahead of the evaluation's time: the clock that stamped it is behind the chain, so no age in this evidence can be trusted");
    }

    /// <summary>
    /// No rotation of ours is submitted and not yet active, and none of anyone else's: the producers table registers a key
    /// in force in the schedule (a key registered but not yet scheduled is a rotation on its way, whoever sent it).
    /// </summary>
    private static GateResult RotationInFlightGate(Evidence evidence)
    {
        if (evidence.Process.RotationInFlight is { } inFlight)
        {
            return Gate(ReasonCodes.RotationInFlight, false, $"rotation {inFlight} is submitted and not yet active");
        }

        return RegisteredNotInForce(evidence) is { } registered
            ? Gate(ReasonCodes.RotationInFlight, false,
                $"the producers table registers {registered}, which the schedule in force does not carry yet: a rotation is already on its way on chain")
            : Gate(ReasonCodes.RotationInFlight, true, "no rotation in flight");
    }

    /// <summary>
    /// What the producers table registers, when it is not what the schedule carries for us: the whole authority must be the
    /// one in force (a multi-key row's <c>producer_key</c> is the all-zero key, so the key alone says nothing); evidence
    /// recorded before the authority was read is judged, as it was then, on the key alone being in force.
    /// </summary>
    private static string? RegisteredNotInForce(Evidence evidence)
    {
        if (!evidence.Schedule.Scheduled)
        {
            return null;
        }

        if (evidence.RegisteredAuthority is { } authority)
        {
            return authority.SameAs(KeyInForce.AuthorityOf(evidence.Schedule)) ? null : authority.Describe();
        }

        return evidence.RegisteredKey is { } key && !KeyInForce.IsInForce(evidence.Schedule, key) ? key : null;
    }

    /// <summary>
    /// No rotation within <see cref="FailoverPolicy.Cooldown"/> of the last one taking effect: ours (activated or
    /// completed), or any change of our signing authority in the schedule, whoever made it.
    /// </summary>
    private static GateResult CooldownGate(Evidence evidence, DateTimeOffset now, FailoverPolicy policy)
    {
        var ours = evidence.Process.LastRotationCompletedAt;
        var onChain = evidence.Schedule.OurAuthorityChangedAt;
        if ((ours is null ? onChain : onChain is null || ours >= onChain ? ours : onChain) is not { } last)
        {
            return Gate(ReasonCodes.Cooldown, true, "no earlier rotation");
        }

        var since = now - last;
        var what = last == ours ? "last rotation took effect" : "our signing authority last changed in the schedule";
        return Gate(ReasonCodes.Cooldown, since >= policy.Cooldown, $"{what} {Seconds(since)} ago (cooldown {Seconds(policy.Cooldown)})");
    }

    /// <summary>
    /// The others' participation over the last full round and over the sliding window ending at the evidence; on a
    /// legacy chain, also the others' windows since the window of our latest miss, over a whole round (a minority side's
    /// LIB can creep on for about a round, and a few windows can all belong to producers on the observer's side) — unless
    /// the block that revealed our latest miss is already irreversible. Too few complete windows wait, never pass.
    /// </summary>
    private static GateResult ParticipationGate(Evidence evidence, FailoverPolicy policy)
    {
        var chain = evidence.Chain;
        var min = policy.MinParticipation;
        string Describe(string what, Events.ParticipationFigures? f) => f is null
            ? $"{what}: not observed"
            : $"{what}: {f.OthersProducing}/{f.OthersScheduled} others produced ({f.Rate:P1})" + (f.OthersMissing.Count > 0 ? $", missing {string.Join(", ", f.OthersMissing)}" : string.Empty);

        var details = new List<string> { Describe("last full round", chain.LastFullRound), Describe("sliding window", chain.SlidingWindow) };
        var healthy = chain.LastFullRound is { } round && round.Rate > min && chain.SlidingWindow is { } window && window.Rate > min;
        if (!healthy || evidence.Consensus != ConsensusKind.Legacy || evidence.Incident is null)
        {
            return new GateResult(ReasonCodes.LowParticipation, healthy, false, false, string.Join("; ", details) + $" (must be above {min:P0})");
        }

        var latest = evidence.Incident.Anchor == IncidentAnchor.LatestMiss;
        details.Add(Describe(latest ? "windows since our latest missed window" : "windows since the incident", chain.SinceIncident));
        if (RevealingBlockIsFinal(evidence))
        {
            details.Add($"{Revealer(evidence.Incident)} is irreversible");
            return new GateResult(ReasonCodes.LowParticipation, true, false, false, string.Join("; ", details));
        }

        var others = evidence.Schedule.ScheduledProducers - 1;
        var since = chain.SinceIncident;
        if (since is null || since.OthersScheduled < others)
        {
            details.Add(latest
                ? $"waiting until all {others} other producers had a window since our latest missed window, or the block that revealed our latest miss is irreversible"
                : $"waiting until all {others} other producers had a window since the incident, or the revealing block is irreversible");
            return new GateResult(ReasonCodes.LowParticipation, false, true, false, string.Join("; ", details));
        }

        return new GateResult(ReasonCodes.LowParticipation, since.Rate > min, false, false, string.Join("; ", details) + $" (must be above {min:P0})");
    }

    /// <summary>
    /// The LIB advanced within <see cref="FailoverPolicy.MaxLibStall"/>; under Savanna the block that revealed our latest
    /// miss must itself become final within that time of being revealed (a minority side cannot finalise).
    /// </summary>
    private static GateResult FinalityGate(Evidence evidence, FailoverPolicy policy)
    {
        var chain = evidence.Chain;
        var now = evidence.EvaluatedAt;
        if (chain.LibAdvancedAt is not { } advanced || now - advanced > policy.MaxLibStall)
        {
            return Gate(ReasonCodes.LibStalled, false, chain.LibAdvancedAt is { } at
                ? $"LIB {chain.LastIrreversibleBlockNum} last advanced {Seconds(now - at)} ago (at most {Seconds(policy.MaxLibStall)})"
                : $"LIB {chain.LastIrreversibleBlockNum} has not been seen advancing");
        }

        var moving = $"LIB {chain.LastIrreversibleBlockNum} advanced {Seconds(now - advanced)} ago";
        if (evidence.Consensus != ConsensusKind.Savanna || evidence.Incident is not { } incident)
        {
            return Gate(ReasonCodes.LibStalled, true, moving);
        }

        if (RevealingBlockIsFinal(evidence))
        {
            return Gate(ReasonCodes.LibStalled, true, $"{moving}; {Revealer(incident)} is final");
        }

        var waited = now - incident.RevealedAt;
        return waited < policy.MaxLibStall
            ? new GateResult(ReasonCodes.LibStalled, false, true, false,
                $"{moving}; waiting for {Revealer(incident)} to become final ({Seconds(waited)} so far)")
            : Gate(ReasonCodes.LibStalled, false,
                $"{Revealer(incident)} did not become final within {Seconds(policy.MaxLibStall)} (LIB {chain.LastIrreversibleBlockNum}{(chain.LibOnRecordedChain ? string.Empty : ", not on the followed branch")})");
    }

    /// <summary>
    /// The block the evidence after the incident is judged from, as the details name it. Evidence recorded before the
    /// anchor was named keeps its wording: the audit compares a re-run's details with the recorded ones.
    /// </summary>
    private static string Revealer(IncidentEvidence incident) => incident.Anchor switch
    {
        IncidentAnchor.LatestMiss => $"the block {incident.RevealedByBlockNum} that revealed our latest miss (slot {incident.AnchorSlot})",
        IncidentAnchor.FirstSilentCertificate =>
            $"the block {incident.RevealedByBlockNum} whose certificate first lacked our finalizer's vote ({incident.SilentCertificates} certificates without it so far)",
        IncidentAnchor.NodeSilentSince =>
            $"the block {incident.RevealedByBlockNum}, the first after {incident.DataCenter}'s node fell silent (slot {incident.AnchorSlot}; {incident.SilentObservers} of {incident.ReportingObservers} observers see it silent)",
        _ => $"the revealing block {incident.RevealedByBlockNum}",
    };

    private static bool RevealingBlockIsFinal(Evidence evidence) =>
        evidence.Incident is { } incident && evidence.Chain.LibOnRecordedChain && evidence.Chain.LastIrreversibleBlockNum >= incident.RevealedByBlockNum;

    private static GateResult Gate(string reason, bool passed, string detail) => new(reason, passed, false, false, detail);

    private static GateResult Overridable(bool manual, GateResult gate) =>
        manual && !gate.Passed ? gate with { Overridden = true, Detail = gate.Detail + " (overridden by the operator's request)" } : gate;

    private static string Seconds(TimeSpan span) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s");
}
