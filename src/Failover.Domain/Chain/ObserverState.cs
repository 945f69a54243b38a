using System.Collections.Immutable;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>An endpoint as the observer last judged it: trusted, or degraded and why.</summary>
public sealed record EndpointHealth(string Endpoint, bool Healthy, string? Reason, DateTimeOffset Since);

/// <summary>
/// A fold of one observer's stream: its latest participation sample, when it last saw the LIB move, and how it judges
/// each endpoint. The observer resumes from it after a restart; the failover process reads its evidence from it.
/// </summary>
public sealed record ObserverState
{
    public static ObserverState Empty { get; } = new();

    public ParticipationSampled? LatestSample { get; init; }

    /// <summary>
    /// The highest LIB a sample showed that <see cref="CountsTowardLibAdvance"/> accepts; null until one did. A LIB
    /// that is not accepted is recorded in its sample but never raises this bar.
    /// </summary>
    public uint? HighestLib { get; init; }

    /// <summary>
    /// The observation time of the last sample whose LIB was accepted (<see cref="CountsTowardLibAdvance"/>) and above
    /// every LIB accepted before; the first accepted LIB is where the count starts, not an advance. A LIB that only
    /// comes back to a level already seen (after a lagging endpoint was followed for a while) has not advanced.
    /// </summary>
    public DateTimeOffset? LibAdvancedAt { get; init; }

    /// <summary>
    /// Whether a sample's LIB may move <see cref="LibAdvancedAt"/> (issue 15, finding 11): only a LIB that was a block
    /// of the recorded chain when sampled (<see cref="ParticipationSampled.LibOnRecordedChain"/>: its number and id
    /// among the recorded blocks, so never above the recorded head) — and, in samples recorded before that was said,
    /// one not above the sample's head.
    /// <para>
    /// The LIB is one endpoint's word (the followed one's <c>get_info</c>). Before, the bar was the highest LIB any
    /// sample showed, so one inflated reading — a buggy or malicious endpoint followed for one poll, saying block
    /// 4,000,000,000 is final — counted as an advance at once and then put the bar out of reach: every later incident
    /// was <c>lib-stalled</c>, whatever the honest LIB did. Now such a reading is recorded but neither counts as an
    /// advance nor raises the bar, and the LIB advances again as soon as an honest reading passes the last accepted one.
    /// </para>
    /// <para>
    /// This fails closed: a LIB nobody can check against the recorded chain — above the head, on another branch, or
    /// below the first recorded block (right after a first start) — never makes finality look healthier than the
    /// accepted readings do; until one is accepted the LIB has not been seen advancing. A reading above the true LIB
    /// yet on the recorded chain still counts once and raises the bar until the honest LIB passes it; it cannot be
    /// told from an endpoint that is simply ahead, and its effect ends by itself within the head-to-LIB lag.
    /// </para>
    /// </summary>
    public static bool CountsTowardLibAdvance(ParticipationSampled sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.LibOnRecordedChain ?? sample.LastIrreversibleBlockNum <= sample.HeadBlockNum;
    }

    public ImmutableDictionary<string, EndpointHealth> Endpoints { get; init; } = ImmutableDictionary<string, EndpointHealth>.Empty;

    /// <summary>The stream's next version: its last folded version + 1 (more than the events folded once compaction deleted some).</summary>
    public long EventCount { get; init; }

    public ObserverState Apply(IObserverEvent @event)
    {
        var next = @event switch
        {
            ParticipationSampled e when CountsTowardLibAdvance(e) => this with
            {
                LatestSample = e,
                HighestLib = HighestLib is { } highest ? Math.Max(highest, e.LastIrreversibleBlockNum) : e.LastIrreversibleBlockNum,
                LibAdvancedAt = HighestLib is { } bar && e.LastIrreversibleBlockNum > bar ? e.ObservedAt : LibAdvancedAt,
            },
            ParticipationSampled e => this with { LatestSample = e },
            EndpointDegraded e => this with { Endpoints = Endpoints.SetItem(e.Endpoint, new EndpointHealth(e.Endpoint, false, e.Reason, e.ObservedAt)) },
            EndpointRecovered e => this with { Endpoints = Endpoints.SetItem(e.Endpoint, new EndpointHealth(e.Endpoint, true, null, e.ObservedAt)) },
            _ => this,
        };
        return next with { EventCount = EventCount + 1 };
    }
}
