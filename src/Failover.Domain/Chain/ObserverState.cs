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

    /// <summary>The highest LIB any sample showed.</summary>
    public uint HighestLib { get; init; }

    /// <summary>
    /// The observation time of the last sample that showed the LIB above every LIB seen before: a LIB that only comes
    /// back to a level already seen (after a lagging endpoint was followed for a while) has not advanced.
    /// </summary>
    public DateTimeOffset? LibAdvancedAt { get; init; }

    public ImmutableDictionary<string, EndpointHealth> Endpoints { get; init; } = ImmutableDictionary<string, EndpointHealth>.Empty;

    /// <summary>Events folded so far (the stream's version + 1).</summary>
    public long EventCount { get; init; }

    public ObserverState Apply(IObserverEvent @event)
    {
        var next = @event switch
        {
            ParticipationSampled e => this with
            {
                LatestSample = e,
                HighestLib = Math.Max(HighestLib, e.LastIrreversibleBlockNum),
                LibAdvancedAt = LatestSample is not null && e.LastIrreversibleBlockNum > HighestLib ? e.ObservedAt : LibAdvancedAt,
            },
            EndpointDegraded e => this with { Endpoints = Endpoints.SetItem(e.Endpoint, new EndpointHealth(e.Endpoint, false, e.Reason, e.ObservedAt)) },
            EndpointRecovered e => this with { Endpoints = Endpoints.SetItem(e.Endpoint, new EndpointHealth(e.Endpoint, true, null, e.ObservedAt)) },
            _ => this,
        };
        return next with { EventCount = EventCount + 1 };
    }
}
