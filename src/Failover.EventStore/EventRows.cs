using System.Data.Common;

namespace Failover.EventStore;

/// <summary>The event columns every adapter selects, in this order, and how a row becomes a <see cref="RecordedEvent"/>.</summary>
internal static class EventRows
{
    public const string Columns =
        "position, stream, version, event_id, type, recorded_at, causation_id, correlation_id, observer_id, payload, hash";

    public static RecordedEvent Read(DbDataReader row) => new(
        row.GetInt64(0),
        row.GetString(1),
        row.GetInt64(2),
        row.GetGuid(3),
        row.GetString(4),
        CanonicalEvent.FromUnixMicroseconds(row.GetInt64(5)),
        new EventMetadata(
            row.IsDBNull(6) ? null : row.GetGuid(6),
            row.IsDBNull(7) ? null : row.GetGuid(7),
            row.IsDBNull(8) ? null : row.GetString(8)),
        row.GetFieldValue<byte[]>(9),
        row.GetFieldValue<byte[]>(10));

    public static async Task<List<RecordedEvent>> ReadAllRowsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(Read(reader));
            }
        }

        return events;
    }

    /// <summary>The values to bind for an event's columns, in <see cref="Columns"/> order.</summary>
    public static object[] Values(RecordedEvent e) =>
    [
        e.Position, e.Stream, e.Version, e.EventId, e.Type, CanonicalEvent.ToUnixMicroseconds(e.RecordedAt),
        (object?)e.Metadata.CausationId ?? DBNull.Value, (object?)e.Metadata.CorrelationId ?? DBNull.Value,
        (object?)e.Metadata.ObserverId ?? DBNull.Value, e.Payload.ToArray(), e.Hash.ToArray(),
    ];
}
