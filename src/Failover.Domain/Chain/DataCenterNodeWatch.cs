using System.Collections.Immutable;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>What one observer's samples showed of one data center's own node: the newest head it reported, and when it last sampled it.</summary>
/// <param name="LatestHead">The newest head block time the node answered with (null: it never answered this observer).</param>
public sealed record NodeSighting(DateTimeOffset? LatestHead, DateTimeOffset SampledAt);

/// <summary>How many observers see a data center's node silent, how many saw it at all lately, and since when it is silent.</summary>
/// <param name="SilentSince">The newest head any of the silent observers saw: the node has shown nothing newer since (null: none of them ever saw one).</param>
public sealed record NodeSilence(int Silent, int Reporting, DateTimeOffset? SilentSince)
{
    /// <summary>A strict majority of the observers that sampled the node lately see it silent, and they know since when.</summary>
    public bool ByMajority => Silent * 2 > Reporting && SilentSince is not null;
}

/// <summary>
/// Every observer's view of every data center's own node (<c>DataCenters[].Endpoint</c>), folded from the participation
/// samples of all observers the log holds — one store shared by observers in several data centers holds them all. A
/// node that stops answering, or answers with a head that no longer moves, is silent once its newest head is old enough.
/// Weaker evidence than the chain's: an observer cut off from the data center sees the same, hence the majority.
/// </summary>
public sealed record DataCenterNodeWatch
{
    public static DataCenterNodeWatch Empty { get; } = new();

    public ImmutableDictionary<(string Observer, string DataCenter), NodeSighting> Sightings { get; init; } =
        ImmutableDictionary<(string Observer, string DataCenter), NodeSighting>.Empty;

    /// <summary>Folds a sample: idempotent (the newest head and sample time are kept), so folding one twice changes nothing.</summary>
    public DataCenterNodeWatch Apply(ParticipationSampled sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.DataCenterNodes.Count == 0)
        {
            return this;
        }

        var sightings = Sightings;
        foreach (var view in sample.DataCenterNodes)
        {
            var key = (sample.ObserverId, view.DataCenter);
            var before = sightings.GetValueOrDefault(key);
            var head = view.Error is null && view.HeadBlockTime is { } answered && (before?.LatestHead is not { } known || answered > known) ? answered : before?.LatestHead;
            var sampled = before is not null && before.SampledAt > sample.ObservedAt ? before.SampledAt : sample.ObservedAt;
            sightings = sightings.SetItem(key, new NodeSighting(head, sampled));
        }

        return this with { Sightings = sightings };
    }

    /// <summary>
    /// At <paramref name="at"/>: the observers that sampled <paramref name="dataCenter"/>'s node within
    /// <paramref name="silence"/>, and of those the ones whose newest head from it is at least <paramref name="silence"/> old.
    /// </summary>
    public NodeSilence Judge(string dataCenter, DateTimeOffset at, TimeSpan silence)
    {
        var reporting = Sightings.Where(s => s.Key.DataCenter == dataCenter && at - s.Value.SampledAt <= silence).Select(s => s.Value).ToList();
        var silent = reporting.Where(s => s.LatestHead is not { } head || at - head >= silence).ToList();
        var since = silent.Max(s => s.LatestHead);
        return new NodeSilence(silent.Count, reporting.Count, since);
    }
}
