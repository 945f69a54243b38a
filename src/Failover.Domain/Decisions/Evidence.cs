using System.Text.Json.Serialization;
using Failover.Domain.Events;

namespace Failover.Domain.Decisions;

/// <summary>The finality rule of the observed chain, which decides how the policy judges evidence after an incident.</summary>
public enum ConsensusKind
{
    [JsonStringEnumMemberName("savanna")]
    Savanna,

    [JsonStringEnumMemberName("legacy")]
    Legacy,
}

/// <summary>Which miss of the run the evidence from after the incident is anchored on (<see cref="IncidentEvidence.Anchor"/>).</summary>
public enum IncidentAnchor
{
    /// <summary>
    /// The threshold-th miss's revealing block, and the windows since the first miss's: evidence recorded before the
    /// anchor was named (then <see cref="IncidentEvidence.Anchor"/> is absent). After a long suppression both are from
    /// long before, so they said nothing of the chain now.
    /// </summary>
    [JsonStringEnumMemberName("threshold-miss")]
    ThresholdMiss,

    /// <summary>The latest miss's revealing block, and the windows since the latest miss's: what the service records.</summary>
    [JsonStringEnumMemberName("latest-miss")]
    LatestMiss,

    /// <summary>A <see cref="IncidentKind.FinalizerSilent"/> incident: the first block whose certificate lacks our finalizer's vote.</summary>
    [JsonStringEnumMemberName("first-silent-certificate")]
    FirstSilentCertificate,

    /// <summary>A <see cref="IncidentKind.NodeSilent"/> incident: the first block after the node's newest head.</summary>
    [JsonStringEnumMemberName("node-silent-since")]
    NodeSilentSince,
}

/// <summary>What opened an incident.</summary>
public enum IncidentKind
{
    /// <summary>A run of <c>MissedBlocksThreshold</c> consecutive missed blocks of ours (the reactive rule).</summary>
    [JsonStringEnumMemberName("missed-run")]
    MissedRun,

    /// <summary>
    /// Savanna: certificates kept forming without our finalizer's vote for <c>FinalizerSilence</c> — our producing node
    /// is gone, seen on the chain before our window comes round.
    /// </summary>
    [JsonStringEnumMemberName("finalizer-silent")]
    FinalizerSilent,

    /// <summary>A primary that lands some blocks: <c>Degraded</c>'s share of our recent slots missed, over two windows or more.</summary>
    [JsonStringEnumMemberName("degraded")]
    Degraded,

    /// <summary>
    /// Legacy, when configured: the data center in force's own node silent (unreachable or its head not moving) for
    /// <c>NodeSilence</c>, as a majority of the observers see it.
    /// </summary>
    [JsonStringEnumMemberName("node-silent")]
    NodeSilent,
}

/// <summary>
/// The run of our missed blocks that opened an incident: it began at <see cref="FirstMissedSlot"/> (its identity) and
/// counts <see cref="ConsecutiveMissed"/>; the block that revealed the miss in <see cref="AnchorSlot"/> — the run's
/// latest — is the one the evidence after the incident is judged from (design §5: history from before a partition
/// looks healthy, so that evidence must be younger than the run's latest miss, not its threshold-th).
/// </summary>
/// <param name="Anchor">
/// The rule the evidence was built by. Absent (null) in evidence recorded before it was named: anchored on the
/// threshold-th miss (<see cref="IncidentAnchor.ThresholdMiss"/>), which the audit re-derives it by.
/// </param>
/// <param name="AnchorSlot">The slot of the miss the revealing block revealed (null where <paramref name="Anchor"/> is).</param>
/// <param name="Kind">What opened it; null in evidence recorded before there was more than one kind (a missed run).</param>
/// <param name="RecentMissed">A <see cref="IncidentKind.Degraded"/> incident: how many of our last <paramref name="RecentSlots"/> scheduled slots were missed.</param>
/// <param name="RecentSlots">A <see cref="IncidentKind.Degraded"/> incident: how many of our last slots were counted.</param>
/// <param name="DataCenter">A <see cref="IncidentKind.NodeSilent"/> incident: the data center whose node is silent.</param>
/// <param name="SilentObservers">A <see cref="IncidentKind.NodeSilent"/> incident: how many observers see it silent …</param>
/// <param name="ReportingObservers">… of how many that sampled it lately.</param>
/// <param name="SilentCertificates">
/// A <see cref="IncidentKind.FinalizerSilent"/> incident: the certificates without our finalizer's vote since its first
/// (the block <paramref name="RevealedByBlockNum"/>, at slot <paramref name="FirstMissedSlot"/>, which is also its identity).
/// </param>
public sealed record IncidentEvidence(
    uint FirstMissedSlot,
    DateTimeOffset BeganAt,
    int ConsecutiveMissed,
    uint RevealedByBlockNum,
    string RevealedByBlockId,
    DateTimeOffset RevealedAt,
    IncidentAnchor? Anchor = null,
    uint? AnchorSlot = null,
    IncidentKind? Kind = null,
    int? SilentCertificates = null,
    int? RecentMissed = null,
    int? RecentSlots = null,
    string? DataCenter = null,
    int? SilentObservers = null,
    int? ReportingObservers = null);

/// <summary>Our producer in the schedule in force at the head.</summary>
/// <param name="ActiveKeys">The keys of our block signing authority in that schedule (empty when not scheduled).</param>
/// <param name="Authority">
/// That authority with its threshold and weights (null when not scheduled, and in evidence recorded before it was
/// kept: then each of <paramref name="ActiveKeys"/> counts as in force alone). Which key is in force is
/// <see cref="KeyInForce"/>'s rule.
/// </param>
/// <param name="OurAuthorityChangedAt">When a schedule that changed our signing authority took effect (its first slot), the
/// latest such among the schedules the chain stream keeps — whoever changed it: this service, another store, an operator
/// by hand, or a rotation recorded as failed that applied after all. Null: no change seen (or evidence from before).</param>
public sealed record ScheduleEvidence(bool Scheduled, uint ActiveVersion, int ScheduledProducers, IReadOnlyList<string> ActiveKeys, SigningAuthority? Authority = null, DateTimeOffset? OurAuthorityChangedAt = null);

/// <summary>The chain as the observer saw it at the evidence.</summary>
/// <param name="LibAdvancedAt">When the observer last saw the LIB move forward (null: never seen).</param>
/// <param name="LibOnRecordedChain">The LIB the endpoints report is a block of the branch the observer follows.</param>
/// <param name="SinceIncident">The other producers' complete windows since the window of the incident's anchoring miss
/// (<see cref="IncidentEvidence.Anchor"/>: our latest miss; the first, in evidence recorded before), for the legacy judgement.</param>
public sealed record ChainEvidence(
    uint HeadBlockNum,
    string HeadBlockId,
    DateTimeOffset HeadBlockTime,
    uint LastIrreversibleBlockNum,
    string LastIrreversibleBlockId,
    DateTimeOffset? LibAdvancedAt,
    bool LibOnRecordedChain,
    ParticipationFigures? LastFullRound,
    ParticipationFigures? SlidingWindow,
    ParticipationFigures? SinceIncident,
    int EndpointsConfigured,
    int EndpointsAgreeing);

/// <summary>The failover process's own state at the evidence.</summary>
/// <param name="RotationInFlight">The rotation submitted but not yet active in the schedule, if any.</param>
/// <param name="RotationsInLast24h">When each automatic rotation of the last 24 h was requested.</param>
public sealed record ProcessEvidence(
    bool AutomationPaused,
    bool Latched,
    string? RotationInFlight,
    DateTimeOffset? LastRotationCompletedAt,
    IReadOnlyList<DateTimeOffset> RotationsInLast24h);

/// <summary>What the system contract's finalizer tables (<c>finkeys</c>, <c>finalizers</c>) show of a data center's finalizer key.</summary>
public enum FinalizerKeyStatus
{
    /// <summary>Registered to our producer and its active key: <c>actfinkey</c> would fail ("already active"), so the rotation is <c>regproducer</c> alone.</summary>
    [JsonStringEnumMemberName("active")]
    Active,

    /// <summary>Registered to our producer, not active: the rotation activates it with <c>actfinkey</c>.</summary>
    [JsonStringEnumMemberName("registered")]
    Registered,

    /// <summary>Not among our producer's keys (registered to another producer, or to none): <c>actfinkey</c> would fail the whole rotation.</summary>
    [JsonStringEnumMemberName("not-registered")]
    NotRegistered,

    /// <summary>The tables could not be read from any endpoint: nothing is known, so no rotation to it (fail closed).</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,
}

/// <summary>A configured data center and what its own node (if it has an endpoint) showed.</summary>
/// <param name="FinalizerKeyOnChain">
/// What the chain's finalizer tables showed of <paramref name="FinalizerKey"/> for our producer when the decision was
/// taken on a Savanna configuration (<see cref="FinalizerKeyRule"/>). Null: no finalizer key, a legacy configuration,
/// or evidence recorded before the service read the tables — then the key is not judged, as it was not then.
/// </param>
/// <param name="SigningAuthority">The block signing authority a rotation to it registers (<c>regproducer2</c>); null: its signing key alone.</param>
public sealed record DataCenterEvidence(
    string Name,
    int Priority,
    string SigningKey,
    string? FinalizerKey,
    bool HasNode,
    DateTimeOffset? NodeHeadTime,
    string? NodeError,
    FinalizerKeyStatus? FinalizerKeyOnChain = null,
    SigningAuthority? SigningAuthority = null);

/// <summary>An operator's request to fail over to a named data center.</summary>
public sealed record ManualRequest(string DataCenter, string By, string Reason, DateTimeOffset RequestedAt);

/// <summary>
/// Everything a decision is taken on. It is recorded with the decision, so the audit tool re-runs the policy on
/// exactly what the service saw. Time is <see cref="EvaluatedAt"/>: the observation time of the latest event behind it.
/// <see cref="Consensus"/> is the configured consensus (what the rotation is built for); <see cref="ChainConsensus"/>
/// is what a block header of the chain showed, when the service read one (null in evidence recorded before it did).
/// <see cref="RegisteredKey"/> is the key the producers table registered for us as an agreeing endpoint showed it at the
/// decision (null in evidence recorded before it was read there), and <see cref="RegisteredAuthority"/> the whole
/// authority it registered (null in evidence recorded before it was read): one that is not the authority in force in the
/// schedule is a rotation already under way on chain — by another store or an operator — and no second one is started.
/// </summary>
public sealed record Evidence(
    string Producer,
    DateTimeOffset EvaluatedAt,
    ConsensusKind Consensus,
    IncidentEvidence? Incident,
    ManualRequest? Manual,
    ScheduleEvidence Schedule,
    ChainEvidence Chain,
    ProcessEvidence Process,
    IReadOnlyList<DataCenterEvidence> DataCenters,
    ConsensusKind? ChainConsensus = null,
    string? RegisteredKey = null,
    SigningAuthority? RegisteredAuthority = null);
