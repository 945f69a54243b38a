using Failover.Antelope.Scheduling;
using Failover.Domain.Decisions;
using Failover.Domain.Events;

namespace Failover.Domain.ReadModels;

/// <summary>
/// The chain-health read models (design §6) as one fold of the observation events: <see cref="RoundHealth"/> per
/// round, <see cref="ProducerHealth"/> per producer, <see cref="ChainStatus"/> and the <see cref="ScheduleTimeline"/>
/// that places each slot in its round. A fork switch takes back exactly what it orphaned; the new branch's events then
/// count again.
/// </summary>
public sealed class ChainHealthReadModel(string ourProducer) : IReadModel
{
    public const string ProjectionName = "chain-health";

    private static readonly ReadModelJsonContext Json = ReadModelJsonContext.Default;

    public string Name => ProjectionName;

    public string OurProducer { get; } = ourProducer;

    public async ValueTask ApplyAsync(object @event, IReadModelSession documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        switch (@event)
        {
            case ProducerScheduleChanged e:
                await UpdateAsync(documents, ScheduleTimeline.DocumentId, Json.ScheduleTimeline, () => ScheduleTimeline.Empty,
                    t => t with { Spans = [.. t.Spans.Where(s => s.FromBlockNum < e.EffectiveFromBlockNum), new ScheduleSpan(e.EffectiveFromSlot, e.EffectiveFromBlockNum, e.Version, e.Producers.Count)] },
                    cancellationToken).ConfigureAwait(false);
                await UpdateStatusAsync(documents, s =>
                {
                    var ours = KeyInForce.AuthorityOf(e, OurProducer);
                    return s with
                    {
                        ChainId = e.ChainId,
                        ScheduleVersion = e.Version,
                        ScheduledProducers = e.Producers.Count,
                        OurProducerScheduled = ours is not null,
                        OurKeys = ours is null ? [] : [.. ours.Keys.Select(k => k.Key)],
                        OurAuthority = ours,
                    };
                }, cancellationToken).ConfigureAwait(false);
                break;
            case BlockProduced e:
                var producedRound = await RoundStartAsync(documents, e.Slot, cancellationToken).ConfigureAwait(false);
                await CountAsync(documents, e.Slot, e.Producer, true, 1, e.ScheduleVersion, cancellationToken).ConfigureAwait(false);
                await UpdateProducerAsync(documents, e.Producer, p => p.CountProduced(producedRound, e.BlockNum, e.Timestamp), cancellationToken).ConfigureAwait(false);
                await UpdateStatusAsync(documents, s => s with
                {
                    ChainId = e.ChainId,
                    HeadBlockNum = e.BlockNum,
                    HeadBlockId = e.BlockId,
                    HeadBlockTime = e.Timestamp,
                    HeadProducer = e.Producer,
                    LastObservedAt = e.ObservedAt,
                }, cancellationToken).ConfigureAwait(false);
                break;
            case BlockMissed e:
                var missedRound = await RoundStartAsync(documents, e.Slot, cancellationToken).ConfigureAwait(false);
                await CountAsync(documents, e.Slot, e.ScheduledProducer, false, 1, e.ScheduleVersion, cancellationToken).ConfigureAwait(false);
                await UpdateProducerAsync(documents, e.ScheduledProducer, p => p.CountMissed(missedRound, e.Slot, e.ScheduledTime), cancellationToken).ConfigureAwait(false);
                break;
            case ForkSwitched e:
                foreach (var block in e.OrphanedBlocks)
                {
                    var round = await RoundStartAsync(documents, block.Slot, cancellationToken).ConfigureAwait(false);
                    await CountAsync(documents, block.Slot, block.Producer, true, -1, block.ScheduleVersion, cancellationToken).ConfigureAwait(false);
                    await UpdateProducerAsync(documents, block.Producer, p => p.UncountProduced(round, block.BlockNum), cancellationToken).ConfigureAwait(false);
                }

                foreach (var miss in e.OrphanedMisses)
                {
                    var round = await RoundStartAsync(documents, miss.Slot, cancellationToken).ConfigureAwait(false);
                    await CountAsync(documents, miss.Slot, miss.ScheduledProducer, false, -1, miss.ScheduleVersion, cancellationToken).ConfigureAwait(false);
                    await UpdateProducerAsync(documents, miss.ScheduledProducer, p => p.UncountMissed(round, miss.Slot), cancellationToken).ConfigureAwait(false);
                }

                await UpdateAsync(documents, ScheduleTimeline.DocumentId, Json.ScheduleTimeline, () => ScheduleTimeline.Empty,
                    t => t with { Spans = [.. t.Spans.Where(s => s.FromBlockNum <= e.ForkBlockNum)] }, cancellationToken).ConfigureAwait(false);
                await UpdateStatusAsync(documents, s => s with
                {
                    ForkSwitches = s.ForkSwitches + 1,
                    LastForkAt = e.ObservedAt,
                    HeadBlockNum = e.ForkBlockNum,
                    HeadBlockId = e.ForkBlockId,
                    HeadBlockTime = null,
                    HeadProducer = null,
                }, cancellationToken).ConfigureAwait(false);
                break;
            case ParticipationSampled e:
                var timeline = await documents.LoadAsync(ScheduleTimeline.DocumentId, Json.ScheduleTimeline, cancellationToken).ConfigureAwait(false);
                if (timeline is { Spans.Count: > 0 })
                {
                    var slot = Antelope.BlockTimestamp.ToSlot(e.HeadBlockTime);
                    await UpdateAsync(documents, RoundHealth.DocumentId(Slots.RoundStart(slot, timeline.ProducersAt(slot))), Json.RoundHealth,
                        () => RoundHealth.Open(slot, timeline.ProducersAt(slot), OurProducer),
                        r => r with { LibLag = e.LibLag, LastIrreversibleBlockNum = e.LastIrreversibleBlockNum }, cancellationToken).ConfigureAwait(false);
                }

                await UpdateStatusAsync(documents, s => s with
                {
                    Endpoints = WithSampledEndpoints(s.Endpoints, e),
                    LastIrreversibleBlockNum = e.LastIrreversibleBlockNum,
                    LibLag = e.LibLag,
                    LastFullRoundParticipation = e.LastFullRound?.Rate,
                    SlidingWindowParticipation = e.SlidingWindow?.Rate,
                    OurConsecutiveMissed = e.OurConsecutiveMissed,
                    LastObservedAt = e.ObservedAt,
                }, cancellationToken).ConfigureAwait(false);
                break;
            case RoundCompacted e:
                await ApplyCompactedRoundAsync(documents, e, cancellationToken).ConfigureAwait(false);
                break;
            case EndpointDegraded e:
                await SetEndpointAsync(documents, new EndpointStatus(e.ObserverId, e.Endpoint, false, e.Reason, e.Detail, e.ObservedAt), cancellationToken).ConfigureAwait(false);
                break;
            case EndpointRecovered e:
                await SetEndpointAsync(documents, new EndpointStatus(e.ObserverId, e.Endpoint, true, null, null, e.ObservedAt), cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// A round whose events compaction deleted counts from its summary — unless this read model counted the round from
    /// its events before they were deleted (the round has observed slots: compaction deletes whole rounds, so a round
    /// is either counted in full or not at all). A participation sample kept after the range may have opened the round
    /// with a later LIB lag than the summary's; that one stays, as it would have.
    /// </summary>
    private async ValueTask ApplyCompactedRoundAsync(IReadModelSession documents, RoundCompacted e, CancellationToken cancellationToken)
    {
        var id = RoundHealth.DocumentId(e.RoundStart);
        var existing = await documents.LoadAsync(id, Json.RoundHealth, cancellationToken).ConfigureAwait(false);
        if (existing is { ObservedSlots: > 0 })
        {
            return;
        }

        var round = (existing ?? new RoundHealth(e.RoundStart, e.RoundEnd, Antelope.BlockTimestamp.FromSlot(e.RoundStart), e.ScheduledProducers, [], [], OurProducer, null, null)) with
        {
            ScheduledProducers = e.ScheduledProducers,
            Schedules = [.. e.Schedules.Select(v => new VersionSlots(v.Version, v.Slots))],
            Producers = [.. e.Producers.Select(p => new ProducerSlots(p.Producer, p.Produced, p.Missed))],
        };
        documents.Store(id, existing?.LibLag is null ? round with { LibLag = e.LibLag, LastIrreversibleBlockNum = e.LastIrreversibleBlockNum } : round, Json.RoundHealth);
        foreach (var producer in e.Producers)
        {
            await UpdateProducerAsync(documents, producer.Producer, p => p.CountCompacted(e.RoundStart, producer), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<uint> RoundStartAsync(IReadModelSession documents, uint slot, CancellationToken cancellationToken)
    {
        var timeline = await documents.LoadAsync(ScheduleTimeline.DocumentId, Json.ScheduleTimeline, cancellationToken).ConfigureAwait(false)
            ?? ScheduleTimeline.Empty;
        return Slots.RoundStart(slot, timeline.ProducersAt(slot));
    }

    /// <summary>Counts a slot in its round; a round left without any observed slot (all orphaned) is deleted.</summary>
    private async ValueTask CountAsync(
        IReadModelSession documents, uint slot, string producer, bool produced, int delta, uint version, CancellationToken cancellationToken)
    {
        var timeline = await documents.LoadAsync(ScheduleTimeline.DocumentId, Json.ScheduleTimeline, cancellationToken).ConfigureAwait(false)
            ?? ScheduleTimeline.Empty;
        var producers = timeline.ProducersAt(slot);
        var id = RoundHealth.DocumentId(Slots.RoundStart(slot, producers));
        var round = (await documents.LoadAsync(id, Json.RoundHealth, cancellationToken).ConfigureAwait(false) ?? RoundHealth.Open(slot, producers, OurProducer))
            .Count(producer, produced, delta, version);
        if (round.ObservedSlots == 0)
        {
            documents.Delete(id);
        }
        else
        {
            documents.Store(id, round, Json.RoundHealth);
        }
    }

    private static ValueTask UpdateProducerAsync(IReadModelSession documents, string producer, Func<ProducerHealth, ProducerHealth> change, CancellationToken cancellationToken) =>
        UpdateAsync(documents, ProducerHealth.DocumentId(producer), Json.ProducerHealth, () => ProducerHealth.Start(producer), change, cancellationToken);

    private ValueTask UpdateStatusAsync(IReadModelSession documents, Func<ChainStatus, ChainStatus> change, CancellationToken cancellationToken) =>
        UpdateAsync(documents, ChainStatus.DocumentId, Json.ChainStatus, () => ChainStatus.Start(OurProducer), change, cancellationToken);

    /// <summary>An endpoint the status shows healthy: trusted at the sample and agreeing with the recorded chain.</summary>
    public static bool Trusted(EndpointView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.Healthy && view.Agrees;
    }

    /// <summary>Every endpoint the observer sampled appears in the status; a change of health starts a new "since".</summary>
    private static IReadOnlyList<EndpointStatus> WithSampledEndpoints(IReadOnlyList<EndpointStatus> known, ParticipationSampled sample)
    {
        var updated = known.ToDictionary(x => (x.ObserverId, x.Endpoint));
        foreach (var view in sample.Endpoints)
        {
            var healthy = Trusted(view);
            var key = (sample.ObserverId, view.Endpoint);
            updated[key] = updated.TryGetValue(key, out var before) && before.Healthy == healthy
                ? before
                : new EndpointStatus(sample.ObserverId, view.Endpoint, healthy, healthy ? null : view.Healthy ? "disagrees" : "unhealthy", null, sample.ObservedAt);
        }

        return [.. updated.Values.OrderBy(x => x.ObserverId, StringComparer.Ordinal).ThenBy(x => x.Endpoint, StringComparer.Ordinal)];
    }

    private ValueTask SetEndpointAsync(IReadModelSession documents, EndpointStatus endpoint, CancellationToken cancellationToken) =>
        UpdateStatusAsync(documents, s => s with
        {
            Endpoints = [.. s.Endpoints.Where(x => (x.ObserverId, x.Endpoint) != (endpoint.ObserverId, endpoint.Endpoint)).Append(endpoint)
                .OrderBy(x => x.ObserverId, StringComparer.Ordinal).ThenBy(x => x.Endpoint, StringComparer.Ordinal)],
        }, cancellationToken);

    private static async ValueTask UpdateAsync<T>(
        IReadModelSession documents, string id, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, Func<T> create, Func<T, T> change,
        CancellationToken cancellationToken)
        where T : class
    {
        var current = await documents.LoadAsync(id, typeInfo, cancellationToken).ConfigureAwait(false) ?? create();
        documents.Store(id, change(current), typeInfo);
    }
}
