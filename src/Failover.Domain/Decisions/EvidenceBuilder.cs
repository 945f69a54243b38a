using Failover.Antelope;
using Failover.Antelope.Scheduling;
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
    /// <summary>
    /// The evidence at <paramref name="at"/> from the folds of the log and the incident rules of <paramref name="policy"/>
    /// (missed run, finalizer silence, degraded primary, node silence): what the process manager decides on and what the
    /// audit rebuilds a recorded decision's evidence with.
    /// </summary>
    public static Evidence Build(
        Name producer,
        ConsensusKind consensus,
        FailoverPolicy policy,
        IReadOnlyList<DataCenterConfig> dataCenters,
        FailoverInputs inputs,
        DateTimeOffset at,
        ManualRequest? manual = null,
        IncidentAnchor anchor = IncidentAnchor.LatestMiss)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(inputs);
        return Build(
            producer, consensus, policy.MissedBlocksThreshold, dataCenters, inputs.Chain, inputs.Observer, inputs.Process, at, manual, anchor,
            policy.FinalizerSilence, policy.Degraded, policy.NodeSilence, inputs.Nodes);
    }

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
        IncidentAnchor anchor = IncidentAnchor.LatestMiss,
        TimeSpan? finalizerSilence = null,
        DegradedRule? degraded = null,
        TimeSpan? nodeSilence = null,
        DataCenterNodeWatch? nodes = null)
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
        var scheduleEvidence = new ScheduleEvidence(
            ours is not null,
            schedule?.Version ?? 0,
            schedule?.Producers.Count ?? 0,
            ours is null ? [] : [.. ours.Authority.Keys.Select(k => k.Key.ToString())],
            ours is null ? null : SigningAuthority.Of(ours.Authority),
            OurAuthorityChangedAt(chain, producer));
        var nodeSilent = NodeSilent(consensus, nodeSilence, nodes, dataCenters, scheduleEvidence, chain, run, at);
        var incident = nodeSilent is not null && (run?.ThresholdMiss is null || run.FirstMissedSlot >= nodeSilent.FirstMissedSlot) ? nodeSilent
            : run?.ThresholdMiss is { } thresholdMiss ? Incident(run, anchor == IncidentAnchor.LatestMiss ? run.LatestMiss : thresholdMiss, anchor)
            : Silence(consensus, finalizerSilence, chain, run) ?? Degraded(degraded, chain, producer, run);
        var lib = sample?.LastIrreversibleBlockNum ?? 0;
        var libOnChain = sample is not null && chain.Blocks.TryGetValue(lib, out var libBlock) && libBlock.Id == sample.LastIrreversibleBlockId;
        var nodeViews = sample?.DataCenterNodes ?? [];
        return new Evidence(
            producer.ToString(),
            at,
            consensus,
            incident,
            manual,
            scheduleEvidence,
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
                var node = nodeViews.FirstOrDefault(n => n.DataCenter == d.Name);
                return new DataCenterEvidence(d.Name, d.Priority, d.SigningKey, d.FinalizerKey, d.HasNode,
                    node?.HeadBlockTime, d.HasNode && node is null ? "no sample of its node yet" : node?.Error, SigningAuthority: d.SigningAuthority);
            })]);
    }

    private static IncidentEvidence Incident(MissedRun run, RecordedMiss anchoring, IncidentAnchor anchor) => new(
        run.FirstMissedSlot, BlockTimestamp.FromSlot(run.FirstMissedSlot), run.Missed,
        anchoring.RevealedByBlockNum, anchoring.RevealedById, anchoring.ObservedAt, anchor, anchoring.Slot, IncidentKind.MissedRun);

    /// <summary>
    /// Legacy, when configured (<paramref name="silence"/>): the data center in force has a node, and a majority of the
    /// observers that sampled it within <paramref name="silence"/> saw no newer head from it for that long. Anchored on the
    /// first recorded block after its newest head, so the gates judge the chain from after it (on legacy: a round of the
    /// others' windows since, which comes after our next window when the node fell silent less than a round before it).
    /// It is an early detector: it stays the incident over a missed run that began after it, but only while the silence
    /// is at most two rounds older than <paramref name="silence"/> — after that the missed run, anchored on its latest
    /// miss, is judged instead, so evidence from long before (a partition that began later) does not decide.
    /// </summary>
    private static IncidentEvidence? NodeSilent(
        ConsensusKind consensus, TimeSpan? silence, DataCenterNodeWatch? nodes, IReadOnlyList<DataCenterConfig> dataCenters, ScheduleEvidence schedule,
        ObservedChain chain, MissedRun? run, DateTimeOffset at)
    {
        if (consensus != ConsensusKind.Legacy || silence is not { } least || nodes is null
            || dataCenters.FirstOrDefault(d => d.HasNode && KeyInForce.IsInForce(schedule, d.SigningKey)) is not { } primary
            || nodes.Judge(primary.Name, at, least) is not { ByMajority: true, SilentSince: { } since } judged)
        {
            return null;
        }

        var rounds = TimeSpan.FromMilliseconds(2.0 * Slots.RoundLength(schedule.ScheduledProducers) * BlockTimestamp.SlotMs);
        if (at - since > least + rounds)
        {
            return null;
        }

        var after = BlockTimestamp.ToSlot(since) + 1;
        var first = chain.Blocks.Values.FirstOrDefault(b => b.Slot >= after);
        return first is null ? null : new IncidentEvidence(
            after, BlockTimestamp.FromSlot(after), run?.Missed ?? 0, first.Number, first.Id, first.ObservedAt, IncidentAnchor.NodeSilentSince, after,
            IncidentKind.NodeSilent, DataCenter: primary.Name, SilentObservers: judged.Silent, ReportingObservers: judged.Reporting);
    }

    /// <summary>
    /// When neither a missed run nor a silence opens one: <paramref name="rule"/>'s share of our recent slots missed, in at
    /// least two of our windows, our latest among them (null rule: off). Anchored, like a missed run, on the latest miss.
    /// </summary>
    private static IncidentEvidence? Degraded(DegradedRule? rule, ObservedChain chain, Name producer, MissedRun? run) =>
        rule is { } least && Participation.Recent(chain, producer, least.Slots) is { } recent
            && recent.Missed >= least.Missed && recent.Windows >= 2 && recent.LatestWindowMissed
            ? new IncidentEvidence(
                recent.First.Slot, BlockTimestamp.FromSlot(recent.First.Slot), run?.Missed ?? 0, recent.Latest.RevealedByBlockNum, recent.Latest.RevealedById,
                recent.Latest.ObservedAt, IncidentAnchor.LatestMiss, recent.Latest.Slot, IncidentKind.Degraded, RecentMissed: recent.Missed, RecentSlots: recent.Slots)
            : null;

    /// <summary>
    /// Savanna, when no missed run opens one: our finalizer silent in the certificates for at least
    /// <paramref name="threshold"/> of chain time (null: early detection off). Anchored on the first silent certificate's
    /// block, so the gates judge the chain from after the silence began.
    /// </summary>
    private static IncidentEvidence? Silence(ConsensusKind consensus, TimeSpan? threshold, ObservedChain chain, MissedRun? run) =>
        consensus == ConsensusKind.Savanna && threshold is { } least && FinalizerSilence.Current(chain) is { } silent && silent.Span >= least
            ? new IncidentEvidence(
                silent.First.Slot, BlockTimestamp.FromSlot(silent.First.Slot), run?.Missed ?? 0, silent.First.Number, silent.First.Id, silent.First.ObservedAt,
                IncidentAnchor.FirstSilentCertificate, silent.First.Slot, IncidentKind.FinalizerSilent, silent.Certificates)
            : null;

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
