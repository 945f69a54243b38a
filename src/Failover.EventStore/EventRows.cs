using System.Data.Common;

namespace Failover.EventStore;

/// <summary>The event columns every adapter selects, in this order, and how a row becomes a <see cref="RecordedEvent"/>.</summary>
internal static class EventRows
{
    public const string Columns =
        "position, stream, version, event_id, type, recorded_at, causation_id, correlation_id, observer_id, payload, hash";

    /// <summary><see cref="Columns"/> and the bounds of the append that wrote the event, for recognising a retry.</summary>
    public const string StoredColumns = Columns + ", append_first, append_last";

    /// <summary>Parameters: $1 stream, $2 from version, $3 max count. ($n names a parameter in SQLite and PostgreSQL alike.)</summary>
    public static string ReadStreamSql(Direction direction) => direction == Direction.Forwards
        ? $"SELECT {Columns} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3"
        : $"SELECT {Columns} FROM events WHERE stream = $1 AND version <= $2 ORDER BY version DESC LIMIT $3";

    /// <summary>Parameters: $1 from position, $2 max count.</summary>
    public const string ReadAllPageSql = $"SELECT {Columns} FROM events WHERE position >= $1 ORDER BY position LIMIT $2";

    /// <summary>Reads a GUID column: a native uuid (PostgreSQL) or 16 bytes in RFC 4122 order (SQLite).</summary>
    public static Guid ReadGuid(DbDataReader row, int ordinal) =>
        row.GetFieldType(ordinal) == typeof(Guid) ? row.GetGuid(ordinal) : new Guid(row.GetFieldValue<byte[]>(ordinal), bigEndian: true);

    public static RecordedEvent Read(DbDataReader row) => new(
        row.GetInt64(0),
        row.GetString(1),
        row.GetInt64(2),
        ReadGuid(row, 3),
        row.GetString(4),
        CanonicalEvent.FromUnixMicroseconds(row.GetInt64(5)),
        ReadMetadata(row),
        row.GetFieldValue<byte[]>(9),
        row.GetFieldValue<byte[]>(10));

    /// <summary>A row of <see cref="StoredColumns"/>.</summary>
    public static StoredEvent ReadStored(DbDataReader row) =>
        new(Read(row), row.IsDBNull(11) ? null : row.GetInt64(11), row.IsDBNull(12) ? null : row.GetInt64(12));

    private static EventMetadata ReadMetadata(DbDataReader row)
    {
        var (causation, correlation, observer) = (row.IsDBNull(6), row.IsDBNull(7), row.IsDBNull(8));
        return causation && correlation && observer
            ? EventMetadata.None
            : new EventMetadata(causation ? null : ReadGuid(row, 6), correlation ? null : ReadGuid(row, 7), observer ? null : row.GetString(8));
    }

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
}

/// <summary>A stored event and the first and last positions of the append that wrote it (null if written before they were kept).</summary>
internal readonly record struct StoredEvent(RecordedEvent Event, long? AppendFirst, long? AppendLast);
