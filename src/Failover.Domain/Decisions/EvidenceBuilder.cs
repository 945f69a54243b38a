using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Domain.Decisions;

/// <summary>A data center as configured: what the evidence needs of it.</summary>
/// <param name="SigningKey">The key its node signs our blocks with (alone: the data center is in force when this key alone satisfies our authority).</param>
/// <param name="SigningAuthority">The block signing authority a rotation to it registers (<c>regproducer2</c>); null: its signing key alone (<c>regproducer</c>).</param>
public sealed record DataCenterConfig(string Name, int Priority, string SigningKey, string? FinalizerKey, bool HasNode, SigningAuthority? SigningAuthority = null);

/// <summary>
/// Assembles the <see cref="Evidence"/> of a decision from the folds of the log — the chain stream, the observer's
/// stream and the process stream — at the time of the event being handled. Pure, so the evidence recorded with a
/// decision is a function of the log up to that event and of the configuration — and of the <see cref="IncidentAnchor"/>
/// rule, which the audit takes from the record (evidence recorded before it was named is re-derived by the old one).
/// </summary>
public static class EvidenceBuilder
{
    public static Evidence Build(
        Name producer,
        ConsensusKind consensus,
        int missedBlocksThreshold,
        IReadOnlyList<DataCenterConfig> dataCenters,
        ObservedChain chain,
        ObserverState observer,
        FailoverProcess process,
        DateTimeOffset at,
        ManualRequest? manual = null,
        IncidentAnchor anchor = IncidentAnchor.LatestMiss)
    {
        ArgumentNullException.ThrowIfNull(dataCenters);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(process);
        var sample = observer.LatestSample;
        var head = chain.Head;
        var schedule = chain.CurrentSchedule?.Schedule;
        var ours = schedule?.Find(producer);
        var run = Participation.CurrentMissedRun(chain, producer, missedBlocksThreshold);
        var incident = run?.ThresholdMiss is { } thresholdMiss
            ? Incident(run, anchor == IncidentAnchor.LatestMiss ? run.LatestMiss : thresholdMiss, anchor)
            : null;
        var lib = sample?.LastIrreversibleBlockNum ?? 0;
        var libOnChain = sample is not null && chain.Blocks.TryGetValue(lib, out var libBlock) && libBlock.Id == sample.LastIrreversibleBlockId;
        var nodes = sample?.DataCenterNodes ?? [];
        return new Evidence(
            producer.ToString(),
            at,
            consensus,
            incident,
            manual,
            new ScheduleEvidence(
                ours is not null,
                schedule?.Version ?? 0,
                schedule?.Producers.Count ?? 0,
                ours is null ? [] : [.. ours.Authority.Keys.Select(k => k.Key.ToString())],
                ours is null ? null : SigningAuthority.Of(ours.Authority),
                OurAuthorityChangedAt(chain, producer)),
            new ChainEvidence(
                head?.Number ?? 0,
                head?.Id ?? string.Empty,
                head is null ? DateTimeOffset.MinValue : BlockTimestamp.FromSlot(head.Slot),
                lib,
                sample?.LastIrreversibleBlockId ?? string.Empty,
                observer.LibAdvancedAt,
                libOnChain,
                Participation.LastFullRound(chain, producer),
                Participation.SlidingWindow(chain, producer),
                incident is null ? null : Participation.CompleteWindowsSince(chain, producer, anchor == IncidentAnchor.LatestMiss ? incident.AnchorSlot!.Value : incident.FirstMissedSlot),
                sample?.Endpoints.Count ?? 0,
                sample?.EndpointsAgreeing ?? 0),
            new ProcessEvidence(
                process.AutomationPaused,
                process.Latched,
                process.RotationInFlight ? process.CurrentRotation!.RotationId : null,
                process.LastTookEffectAt,
                RotationCap.CountingAt(process.AutomaticRotations, at)),
            [.. dataCenters.Select(d =>
            {
                var node = nodes.FirstOrDefault(n => n.DataCenter == d.Name);
                return new DataCenterEvidence(d.Name, d.Priority, d.SigningKey, d.FinalizerKey, d.HasNode,
                    node?.HeadBlockTime, d.HasNode && node is null ? "no sample of its node yet" : node?.Error, SigningAuthority: d.SigningAuthority);
            })]);
    }

    private static IncidentEvidence Incident(MissedRun run, RecordedMiss anchoring, IncidentAnchor anchor) => new(
        run.FirstMissedSlot, BlockTimestamp.FromSlot(run.FirstMissedSlot), run.Missed,
        anchoring.RevealedByBlockNum, anchoring.RevealedById, anchoring.ObservedAt, anchor, anchoring.Slot);

    /// <summary>
    /// The first slot's time of the latest kept schedule under which our authority differs from the one before it (both
    /// scheduling us: being elected or voted out is not a key change).
    /// </summary>
    private static DateTimeOffset? OurAuthorityChangedAt(ObservedChain chain, Name producer)
    {
        for (var i = chain.Schedules.Count - 1; i > 0; i--)
        {
            if (AuthorityIn(chain.Schedules[i], producer) is { } now && AuthorityIn(chain.Schedules[i - 1], producer) is { } before && !now.Equals(before))
            {
                return BlockTimestamp.FromSlot(chain.Schedules[i].FromSlot);
            }
        }

        return null;
    }

    private static SigningAuthority? AuthorityIn(ScheduleInForce schedule, Name producer) =>
        schedule.Schedule.Find(producer) is { } entry ? SigningAuthority.Of(entry.Authority) : null;
}
