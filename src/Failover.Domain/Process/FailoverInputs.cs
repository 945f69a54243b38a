using Failover.Domain.Chain;
using Failover.Domain.Events;

namespace Failover.Domain.Process;

/// <summary>Whose failover process is decided: the producer, the observer whose samples it follows, and the chain (null: the first one the log shows).</summary>
public sealed record FailoverScope(string Producer, string ObserverId, string? ChainId = null)
{
    public string ProcessStream => Streams.Failover(Producer);

    public string ObserverStream => Streams.Observer(ObserverId);

    /// <summary>When the event calls for an evaluation of this process (<see cref="EvaluationTrigger"/>).</summary>
    public DateTimeOffset? EvaluationAt(object @event) => EvaluationTrigger.At(@event, ObserverId, Producer);
}

/// <summary>
/// What the failover process is decided from (design §3), folded from the three streams it reads: the chain stream of
/// the chain it follows, its own observer's stream, and the producer's process stream. One fold for the process
/// manager and for <c>failover audit verify</c>, which re-derives each decision from it.
/// </summary>
public sealed record FailoverInputs(ObservedChain Chain, ObserverState Observer, FailoverProcess Process)
{
    public static readonly FailoverInputs Initial = new(ObservedChain.Empty, ObserverState.Empty, FailoverProcess.Initial);

    /// <summary>Every observer's view of the data centers' own nodes (all observer streams: the majority rule needs the others').</summary>
    public DataCenterNodeWatch Nodes { get; init; } = DataCenterNodeWatch.Empty;

    /// <summary>
    /// Folds the event found at <paramref name="version"/> of <paramref name="stream"/>. Only an event after the last one
    /// folded of its stream is: an earlier version is already in (a writer folds its own appends before the log delivers
    /// them back); a later one than the next follows versions compaction deleted from the chain and observer streams
    /// (issue 18.6) — the process stream is never compacted and is folded version by version. Events of other streams — another observer's, another producer's, another chain's — are not read,
    /// except every observer's participation samples, whose views of the data centers' own nodes go (idempotently) into
    /// <see cref="Nodes"/>.
    /// </summary>
    public FailoverInputs Apply(FailoverScope scope, string stream, long version, object @event)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(stream);
        var nodes = @event is ParticipationSampled sample && stream == Streams.Observer(sample.ObserverId) ? Nodes.Apply(sample) : Nodes;
        return (ReferenceEquals(nodes, Nodes) ? this : this with { Nodes = nodes }).Fold(scope, stream, version, @event);
    }

    private FailoverInputs Fold(FailoverScope scope, string stream, long version, object @event) =>
        @event switch
        {
            IChainEvent e when version >= Chain.EventCount && Follows(scope, e) && stream == Streams.Chain(e.ChainId) => this with { Chain = Chain.Apply(e) with { EventCount = version + 1 } },
            IObserverEvent e when version >= Observer.EventCount && stream == scope.ObserverStream => this with { Observer = Observer.Apply(e) with { EventCount = version + 1 } },
            IProcessEvent e when version == Process.EventCount && stream == scope.ProcessStream => this with { Process = Process.Apply(e) },
            _ => this,
        };

    private bool Follows(FailoverScope scope, IChainEvent e) =>
        (scope.ChainId is null || e.ChainId == scope.ChainId) && (Chain.ChainId is null || e.ChainId == Chain.ChainId);
}
