using Failover.Domain.Events;
using Failover.EventStore;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Storage;

/// <summary>What an append of an <see cref="EventSourcedStream{TState, TEvent}"/> came to.</summary>
/// <param name="State">The writer's state with what the stream now holds folded in.</param>
/// <param name="Written">These events are stored (acknowledged, or found stored after a lost reply).</param>
/// <param name="Foreign">The first event stored after the writer's own that another writer appended (null: none).</param>
internal sealed record StreamAppend<TState>(TState State, bool Written, RecordedEvent? Foreign);

/// <summary>
/// The one way the service writes a stream it decides (the observer's chain and observer streams, the process
/// manager's process stream): events named by the stream, their type, what they record and the version they take
/// (<see cref="DeterministicEventId"/>), appended with the expected version of what the writer folded (the fence
/// between writers), then folded into the writer's state — or, when the reply did not settle the append, what the
/// stream holds after that version is folded instead (<see cref="FencedStream"/>). The state is the caller's; the
/// fold is <paramref name="apply"/>, given each event's stream version.
/// </summary>
internal sealed class EventSourcedStream<TState, TEvent>(
    IEventStore store,
    string name,
    Func<TState, long> version,
    Func<TState, long, TEvent, TState> apply,
    Func<TEvent, string> whatItRecords,
    ILogger log)
    where TEvent : class
{
    private readonly FencedStream _fenced = new(store, name);

    public string Name => name;

    /// <summary>Appends <paramref name="events"/> after what <paramref name="state"/> folded, and folds the outcome; <paramref name="what"/> names them in the log.</summary>
    public async Task<StreamAppend<TState>> AppendAsync(TState state, IReadOnlyList<TEvent> events, EventMetadata metadata, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var folded = version(state);
        var data = events.Select((e, i) => DomainEvents.ToEventData(EventId(e, folded + i), e, metadata)).ToList();
        var result = await _fenced.AppendAsync(folded, data, cancellationToken).ConfigureAwait(false);
        if (result.Tail is null)
        {
            for (var i = 0; i < events.Count; i++)
            {
                state = apply(state, folded + i, events[i]);
            }

            return new StreamAppend<TState>(state, true, null);
        }

        if (result.Recovered)
        {
            StreamLog.FoundOwnAppend(log, name, what, result.Own);
        }

        foreach (var recorded in result.Tail)
        {
            state = Fold(state, recorded);
        }

        return new StreamAppend<TState>(state, result.Written, result.Foreign ? result.Tail[result.Own] : null);
    }

    /// <summary>Folds what the stream holds after <paramref name="state"/> (at start-up).</summary>
    public async Task<TState> LoadAsync(TState state, CancellationToken cancellationToken)
    {
        await foreach (var (recorded, _) in DomainEvents.ReadStreamAsync(store, name, version(state), cancellationToken).ConfigureAwait(false))
        {
            state = Fold(state, recorded);
        }

        return state;
    }

    private TState Fold(TState state, RecordedEvent recorded) =>
        DomainEvents.TryDeserialize(recorded) is TEvent e ? apply(state, recorded.Version, e) : state;

    /// <summary>A retry of the same append carries the same ids; the same fact recorded again at another version gets a new one.</summary>
    private Guid EventId(TEvent e, long at) =>
        DeterministicEventId.Create(name, EventCatalogue.Of(e.GetType()).Name, whatItRecords(e), at.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

internal static partial class StreamLog
{
    [LoggerMessage(LogLevel.Warning, "The reply of an append to {Stream} was lost ({What}); its {Count} event(s) were found stored, and the writer carries on from them.")]
    public static partial void FoundOwnAppend(ILogger logger, string stream, string what, int count);
}
