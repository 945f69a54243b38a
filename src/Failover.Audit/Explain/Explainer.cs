using System.Globalization;
using Failover.Audit.Decisions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.ReadModels;
using Failover.EventStore;

namespace Failover.Audit.Explain;

/// <summary>A slot of ours left empty in the incident's run.</summary>
public sealed record MissedSlot(uint Slot, DateTimeOffset ScheduledTime, uint RevealedByBlockNum, long Position);

/// <summary>What came after a decision in its process stream: another decision on the incident, or a step of its rotation.</summary>
public sealed record FollowUp(long Position, string Type, DateTimeOffset At, string What);

public sealed record HeadStory(uint BlockNum, string BlockId, DateTimeOffset BlockTime, double AgeSeconds);

public sealed record LibStory(uint BlockNum, string BlockId, DateTimeOffset? AdvancedAt, double? SecondsSinceAdvance, bool OnFollowedBranch);

/// <summary>The endpoints at the decision: the counts recorded in the evidence and, when the sample behind it is found, each endpoint's view.</summary>
public sealed record EndpointStory(int Configured, int Agreeing, long? SamplePosition, IReadOnlyList<EndpointView> Views);

/// <summary>One decision told in full: what was decided on what evidence, every gate, and what followed.</summary>
public sealed record DecisionStory(
    long Position,
    string Stream,
    string Type,
    string Producer,
    string IncidentId,
    long? FailoverSequence,
    DateTimeOffset DecidedAt,
    DecisionOutcome Outcome,
    IReadOnlyList<string> Reasons,
    string? TargetDataCenter,
    string? TargetKey,
    string PolicyHash,
    FailoverPolicy Policy,
    bool RerunAgrees,
    IncidentEvidence? Incident,
    ManualRequest? Manual,
    IReadOnlyList<MissedSlot> MissedSlots,
    ParticipationFigures? LastFullRound,
    ParticipationFigures? SlidingWindow,
    ParticipationFigures? SinceIncident,
    HeadStory Head,
    LibStory Lib,
    EndpointStory Endpoints,
    ScheduleEvidence Schedule,
    ProcessEvidence Process,
    IReadOnlyList<DataCenterEvidence> DataCenters,
    IReadOnlyList<GateResult> Gates,
    IReadOnlyList<FollowUp> FollowedBy,
    IReadOnlyList<string> Narrative);

/// <summary>
/// <c>failover audit explain --position N | --failover ID</c>: the story of a decision in plain words, from the decision
/// event, the chain stream (our missed slots), the sample of the observer behind it (every endpoint's view) and the
/// process stream after it (the request, the push, the producers table, the schedule, the completion).
/// </summary>
public static class Explainer
{
    public static async Task<DecisionStory> ExplainPositionAsync(IEventStore store, long position, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var audited = await AuditLog.ReadAtAsync(store, position, cancellationToken).ConfigureAwait(false);
        if (audited?.Event is not null && RecordedDecision.From(audited) is { } decision)
        {
            var incidents = await IncidentsAsync(store, cancellationToken).ConfigureAwait(false);
            return (await TellAsync(store, [decision], incidents, cancellationToken).ConfigureAwait(false))[0];
        }

        var decisions = new List<long>();
        await foreach (var d in RecordedDecision.ReadAllAsync(store, cancellationToken).ConfigureAwait(false))
        {
            decisions.Add(d.Position);
        }

        var what = audited is null ? $"there is no event at position {position}"
            : audited.DecodeError is not null ? $"position {position} ({audited.Recorded.Type}) does not decode: {audited.DecodeError}"
            : $"position {position} is a {audited.Recorded.Type} in {audited.Recorded.Stream}, not a decision";
        throw new AuditException(decisions.Count == 0
            ? $"{what}; the log records no decision."
            : $"{what}; the decisions are at position{(decisions.Count > 1 ? "s" : string.Empty)} {string.Join(", ", decisions.Take(20))}{(decisions.Count > 20 ? ", …" : string.Empty)}.");
    }

    /// <summary>Every decision of one incident: by its number in the failover history (1, failover-0000000001) or its incident id (missed-…, manual-…).</summary>
    public static async Task<IReadOnlyList<DecisionStory>> ExplainFailoverAsync(IEventStore store, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(id);
        var incidents = await IncidentsAsync(store, cancellationToken).ConfigureAwait(false);
        long? sequence = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : id.StartsWith("failover-", StringComparison.Ordinal) && long.TryParse(id["failover-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m
            : null;
        var matches = incidents.Where(i => sequence is { } s ? i.Value == s : i.Key.Incident == id).Select(i => i.Key).ToList();
        if (matches.Count == 0)
        {
            var known = incidents.OrderBy(i => i.Value).Select(i => $"{i.Value} ({i.Key.Incident})").Take(20).ToList();
            throw new AuditException(known.Count == 0
                ? $"No failover '{id}': the log records no incident."
                : $"No failover '{id}'; the failovers are {string.Join(", ", known)}.");
        }

        var decisions = new List<RecordedDecision>();
        await foreach (var d in RecordedDecision.ReadAllAsync(store, cancellationToken).ConfigureAwait(false))
        {
            if (matches.Contains((d.Stream, d.IncidentId)))
            {
                decisions.Add(d);
            }
        }

        if (decisions.Count == 0)
        {
            throw new AuditException($"Failover '{id}' ({string.Join(", ", matches.Select(i => i.Incident))}) has no decision recorded.");
        }

        return await TellAsync(store, decisions, incidents, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The incidents of each process stream numbered as the failover history numbers them (in the order their first
    /// decision or request appears).
    /// </summary>
    public static async Task<Dictionary<(string Stream, string Incident), long>> IncidentsAsync(IEventStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var numbered = new Dictionary<(string, string), long>();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var recorded in store.ReadAllAsync(1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!recorded.Stream.StartsWith("failover-", StringComparison.Ordinal))
            {
                continue;
            }

            var incident = AuditLog.Decode(recorded).Event switch
            {
                FailoverSuppressed s => s.IncidentId,
                FailoverTriggered t => t.IncidentId,
                KeyRotationRequested r => r.IncidentId,
                _ => null,
            };
            if (incident is not null && !numbered.ContainsKey((recorded.Stream, incident)))
            {
                counts[recorded.Stream] = counts.GetValueOrDefault(recorded.Stream) + 1;
                numbered[(recorded.Stream, incident)] = counts[recorded.Stream];
            }
        }

        return numbered;
    }

    private static async Task<IReadOnlyList<DecisionStory>> TellAsync(
        IEventStore store, IReadOnlyList<RecordedDecision> decisions, Dictionary<(string Stream, string Incident), long> incidents, CancellationToken cancellationToken)
    {
        var gathered = decisions.Select(d => new Gathered(d)).ToList();
        var rotations = new Dictionary<(string Stream, string RotationId), Gathered>();
        await foreach (var recorded in store.ReadAllAsync(1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var relevant = recorded.Type == EventCatalogue.Of(typeof(BlockMissed)).Name || recorded.Type == EventCatalogue.Of(typeof(ParticipationSampled)).Name
                || recorded.Stream.StartsWith("failover-", StringComparison.Ordinal);
            if (!relevant || AuditLog.Decode(recorded).Event is not { } e)
            {
                continue;
            }

            // The latest decision before a request claims its rotation.
            foreach (var g in gathered.OrderByDescending(g => g.Decision.Position))
            {
                g.See(recorded, e, rotations);
            }
        }

        return [.. gathered.Select(g => g.Tell(incidents.TryGetValue((g.Decision.Stream, g.Decision.IncidentId), out var n) ? n : null))];
    }

    /// <summary>What the log holds around one decision.</summary>
    private sealed class Gathered(RecordedDecision decision)
    {
        private readonly List<MissedSlot> _missed = [];
        private readonly List<FollowUp> _followUps = [];
        private (ParticipationSampled Sample, long Position)? _sample;

        public RecordedDecision Decision { get; } = decision;

        public void See(RecordedEvent recorded, object e, Dictionary<(string Stream, string RotationId), Gathered> rotations)
        {
            var d = Decision;
            switch (e)
            {
                case BlockMissed m when recorded.Position < d.Position && m.ScheduledProducer == d.Producer
                    && d.Evidence.Incident is { } incident && m.Slot >= incident.FirstMissedSlot:
                    _missed.RemoveAll(x => x.Slot == m.Slot);
                    _missed.Add(new MissedSlot(m.Slot, m.ScheduledTime, m.RevealedByBlockNum, recorded.Position));
                    break;
                case ParticipationSampled s when recorded.Position < d.Position && s.ObservedAt == d.Evidence.EvaluatedAt
                    && d.ObserverId is { } observer && recorded.Stream == Streams.Observer(observer):
                    _sample = (s, recorded.Position);
                    break;
                case IProcessEvent when recorded.Stream == d.Stream && recorded.Position > d.Position:
                    if (Follow(recorded, e, rotations) is { } what)
                    {
                        _followUps.Add(what);
                    }

                    break;
            }
        }

        private FollowUp? Follow(RecordedEvent recorded, object e, Dictionary<(string Stream, string RotationId), Gathered> rotations)
        {
            var d = Decision;
            bool Ours(string rotationId) => rotations.TryGetValue((recorded.Stream, rotationId), out var owner) && ReferenceEquals(owner, this);
            FollowUp Up(DateTimeOffset at, string what) => new(recorded.Position, recorded.Type, at, what);
            switch (e)
            {
                case FailoverSuppressed s when s.IncidentId == d.IncidentId:
                    return Up(s.DecidedAt, $"decided again: suppressed ({string.Join(", ", s.Reasons)})");
                case FailoverTriggered t when t.IncidentId == d.IncidentId:
                    return Up(t.DecidedAt, $"decided again: rotate to {t.TargetDataCenter} ({t.TargetKey})");
                case KeyRotationRequested r when r.IncidentId == d.IncidentId && !rotations.ContainsKey((recorded.Stream, r.RotationId)):
                    rotations[(recorded.Stream, r.RotationId)] = this;
                    return Up(r.RequestedAt, string.Create(CultureInfo.InvariantCulture,
                        $"{r.RotationId}: recorded before sending the transaction {r.TransactionId} ({string.Join(" + ", r.Actions)}) to {r.TargetDataCenter}'s key {r.TargetKey}, signed by {r.Producer}@{r.Permission}, expiring {Time(r.Expiration)}"));
                case KeyRotationSubmitted s when Ours(s.RotationId):
                    return Up(s.SubmittedAt, $"{s.RotationId}: pushed to {s.Endpoint}: {s.Outcome}{(string.IsNullOrEmpty(s.Detail) ? string.Empty : $" ({s.Detail})")}");
                case KeyRotationFailed f when Ours(f.RotationId):
                    return Up(f.FailedAt, $"{f.RotationId}: FAILED ({f.Reason}{(f.ErrorCode is { } code ? $", error {code} {f.ErrorName}" : string.Empty)}): {f.Detail}");
                case KeyRotated k when Ours(k.RotationId):
                    return Up(k.ObservedAt, $"{k.RotationId}: the producers table shows {k.Key}");
                case SigningKeyActivated a when Ours(a.RotationId):
                    return Up(a.ObservedAt, a.ScheduleVersion == 0
                        ? $"{a.RotationId}: {a.Key} is in force (seen in a block signed by it)"
                        : $"{a.RotationId}: the schedule v{a.ScheduleVersion} in force carries {a.Key}");
                case FailoverCompleted c when Ours(c.RotationId):
                    return Up(c.ObservedAt, $"{c.RotationId}: COMPLETED — block {c.BlockNum} of {c.Producer} signed by {c.DataCenter}'s key {c.Key}");
                default:
                    return null;
            }
        }

        public DecisionStory Tell(long? sequence)
        {
            var d = Decision;
            var evidence = d.Evidence;
            var chain = evidence.Chain;
            var at = evidence.EvaluatedAt;
            var head = new HeadStory(chain.HeadBlockNum, chain.HeadBlockId, chain.HeadBlockTime, (at - chain.HeadBlockTime).TotalSeconds);
            var lib = new LibStory(chain.LastIrreversibleBlockNum, chain.LastIrreversibleBlockId, chain.LibAdvancedAt,
                chain.LibAdvancedAt is { } advanced ? (at - advanced).TotalSeconds : null, chain.LibOnRecordedChain);
            var endpoints = new EndpointStory(chain.EndpointsConfigured, chain.EndpointsAgreeing, _sample?.Position, _sample?.Sample.Endpoints ?? []);
            var agrees = d.RerunAgrees();

            // The run the evidence counts: our misses from its first slot on, as many as it counted.
            var missed = _missed.OrderBy(m => m.Slot).Take(evidence.Incident is { Kind: IncidentKind.Degraded, RecentMissed: { } recent } ? recent : evidence.Incident?.ConsecutiveMissed ?? 0).ToList();
            var story = new DecisionStory(
                d.Position, d.Stream, d.Type, d.Producer, d.IncidentId, sequence, d.DecidedAt, d.Decision.Outcome, d.Decision.Reasons,
                d.Decision.TargetDataCenter, d.TargetKey, d.Decision.PolicyHash, d.Policy, agrees, evidence.Incident, evidence.Manual, missed,
                chain.LastFullRound, chain.SlidingWindow, chain.SinceIncident, head, lib, endpoints, evidence.Schedule, evidence.Process,
                evidence.DataCenters, d.Decision.Gates, _followUps, []);
            return story with { Narrative = StoryText.Narrate(story) };
        }
    }

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
