using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Failover.Domain.Events;
using Failover.EventStore;

namespace Failover.Audit;

/// <summary>A recorded event and the domain event it holds: null for a type the catalogue does not know, or with the reason it does not decode.</summary>
public sealed record AuditedEvent(RecordedEvent Recorded, object? Event, string? DecodeError);

/// <summary>A bound of the log to focus on: a position, or a time (events recorded at or after / before it).</summary>
public sealed record LogBound(long? Position, DateTimeOffset? Time)
{
    /// <summary>A position (digits) or an ISO 8601 time (UTC when no offset is given).</summary>
    public static bool TryParse(string? text, out LogBound? bound, out string? problem)
    {
        bound = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "is empty; give a position (e.g. 723) or a time (e.g. 2026-12-01T04:44:00Z)";
        }
        else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            if (position < 1)
            {
                problem = $"position {text} is below 1 (the first position)";
            }
            else
            {
                bound = new LogBound(position, null);
            }
        }
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            bound = new LogBound(null, time);
        }
        else
        {
            problem = $"'{text}' is neither a position nor a time (ISO 8601, e.g. 2026-12-01T04:44:00Z)";
        }

        return bound is not null;
    }

    /// <summary>As a lower bound: the event lies at or after it.</summary>
    public bool Admits(RecordedEvent e) => Position is { } p ? e.Position >= p : e.RecordedAt >= Time;

    /// <summary>As an upper bound: the event lies after it.</summary>
    public bool IsPassedBy(RecordedEvent e) => Position is { } p ? e.Position > p : e.RecordedAt > Time;

    public override string ToString() => Position is { } p
        ? p.ToString(CultureInfo.InvariantCulture)
        : Time!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFZ", CultureInfo.InvariantCulture);
}

/// <summary>Reads the log in position order with each event decoded by the domain's catalogue.</summary>
public static class AuditLog
{
    public static async IAsyncEnumerable<AuditedEvent> ReadAsync(
        IEventStore store, long fromPosition = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await foreach (var recorded in store.ReadAllAsync(fromPosition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return Decode(recorded);
        }
    }

    public static AuditedEvent Decode(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!EventCatalogue.TryGetByName(recorded.Type, out _))
        {
            return new AuditedEvent(recorded, null, null);
        }

        try
        {
            return new AuditedEvent(recorded, EventCatalogue.Deserialize(recorded.Type, recorded.Payload.Span), null);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or FormatException or InvalidOperationException)
        {
            return new AuditedEvent(recorded, null, e.Message);
        }
    }

    /// <summary>The event at a position, or null.</summary>
    public static async Task<AuditedEvent?> ReadAtAsync(IEventStore store, long position, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await foreach (var recorded in store.ReadAllAsync(position, 1, cancellationToken).ConfigureAwait(false))
        {
            return recorded.Position == position ? Decode(recorded) : null;
        }

        return null;
    }

    /// <summary>
    /// Our producer, as the log shows it: the producer of the first process stream (<c>failover-&lt;producer&gt;</c>), or
    /// of the first block whose signing key the observer recovered (it does so for our producer's blocks only).
    /// Null when the log shows neither.
    /// </summary>
    public static async Task<string?> InferProducerAsync(IEventStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        const string prefix = "failover-";
        await foreach (var recorded in store.ReadAllAsync(1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (recorded.Stream.StartsWith(prefix, StringComparison.Ordinal) && recorded.Stream.Length > prefix.Length)
            {
                return recorded.Stream[prefix.Length..];
            }

            if (recorded.Type == EventCatalogue.Of(typeof(BlockProduced)).Name && Decode(recorded).Event is BlockProduced { SigningKey: not null } ours)
            {
                return ours.Producer;
            }
        }

        return null;
    }

    /// <summary>The process stream of a producer (<see cref="Streams.Failover"/>).</summary>
    public static string ProcessStream(string producer) => Streams.Failover(producer);
}
