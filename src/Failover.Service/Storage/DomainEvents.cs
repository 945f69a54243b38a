using Failover.Domain.Events;
using Failover.EventStore;

namespace Failover.Service.Storage;

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
