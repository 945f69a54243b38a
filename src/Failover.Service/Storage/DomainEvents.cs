using Failover.Domain.Events;
using Failover.EventStore;

namespace Failover.Service.Storage;

/// <summary>The streams of the domain (design §3): one name each, in one place.</summary>
public static class Streams
{
    /// <summary>The chain as the observers recorded it; shared by every observer of that chain.</summary>
    public static string Chain(string chainId) => "chain-" + chainId;

    /// <summary>One observer's own samples and endpoint judgements.</summary>
    public static string Observer(string observerId) => "observer-" + observerId;

    /// <summary>The failover process of a producer: its decisions and their outcomes.</summary>
    public static string Failover(string producer) => "failover-" + producer;
}

/// <summary>Domain events to and from the store, by the catalogue's stable type names.</summary>
public static class DomainEvents
{
    public static EventData ToEventData(Guid eventId, object @event, EventMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(@event);
        return new EventData(eventId, EventCatalogue.Of(@event.GetType()).Name, EventCatalogue.Serialize(@event), metadata);
    }

    /// <summary>The domain event a recorded event holds, or null for a type the catalogue does not know.</summary>
    public static object? TryDeserialize(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return EventCatalogue.TryGetByName(recorded.Type, out _) ? EventCatalogue.Deserialize(recorded.Type, recorded.Payload.Span) : null;
    }

    /// <summary>A stream's domain events from <paramref name="fromVersion"/>, with their records.</summary>
    public static async IAsyncEnumerable<(RecordedEvent Recorded, object Event)> ReadStreamAsync(
        IEventStore store, string stream, long fromVersion, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        const int page = 1000;
        var next = fromVersion;
        while (true)
        {
            var count = 0;
            await foreach (var recorded in store.ReadStreamAsync(stream, Direction.Forwards, next, page, cancellationToken).ConfigureAwait(false))
            {
                count++;
                next = recorded.Version + 1;
                if (TryDeserialize(recorded) is { } e)
                {
                    yield return (recorded, e);
                }
            }

            if (count < page)
            {
                yield break;
            }
        }
    }
}
