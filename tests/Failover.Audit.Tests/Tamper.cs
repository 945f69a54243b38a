using System.Text;
using System.Text.Json.Nodes;
using Failover.EventStore;
using Failover.EventStore.Sqlite;
using Microsoft.Data.Sqlite;

namespace Failover.Audit.Tests;

/// <summary>
/// Tampering with a copy of a store as someone with write access to the file would: editing, deleting, swapping and
/// inserting rows, and — the stronger forger — recomputing every hash after the edit so the chain holds again.
/// </summary>
internal sealed class Tamper(string path)
{
    public string Path => path;

    /// <summary>The stored events, in position order.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> EventsAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadOnly = true });
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadAllAsync(1))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>The first event of a type (after a position), to tamper with.</summary>
    public async Task<RecordedEvent> FirstAsync(string type, long after = 0) =>
        (await EventsAsync()).First(e => e.Type == type && e.Position > after);

    /// <summary>Rewrites an event's payload (JSON), leaving its hash as it was.</summary>
    /// <summary>Edits one event's payload and reseals the log from it: only a check of what the payload says can catch it.</summary>
    public async Task ForgeAsync(long position, Action<JsonObject> edit)
    {
        await EditPayloadAsync(position, edit);
        await ResealAsync(position);
    }

    public async Task EditPayloadAsync(long position, Action<JsonObject> edit)
    {
        var e = (await EventsAsync()).Single(x => x.Position == position);
        var json = JsonNode.Parse(e.Payload.Span)!.AsObject();
        edit(json);
        await ExecuteAsync("UPDATE events SET payload = $payload WHERE position = $position", ("$payload", Encoding.UTF8.GetBytes(json.ToJsonString())), ("$position", position));
    }

    public Task DeleteAsync(long position) => ExecuteAsync("DELETE FROM events WHERE position = $position", ("$position", position));

    /// <summary>Puts the events at two positions in each other's place.</summary>
    public async Task SwapAsync(long a, long b)
    {
        await ExecuteAsync("UPDATE events SET position = -1 WHERE position = $a", ("$a", a));
        await ExecuteAsync("UPDATE events SET position = $a WHERE position = $b", ("$a", a), ("$b", b));
        await ExecuteAsync("UPDATE events SET position = $b WHERE position = -1", ("$b", b));
    }

    /// <summary>
    /// Inserts a forged event at <paramref name="position"/> (later events move up by one) in a stream of its own,
    /// sealed with a correct hash after the event before it — what a forger who can compute hashes would do.
    /// </summary>
    public async Task InsertAsync(long position, string stream, string type, string payload)
    {
        var events = await EventsAsync();
        var before = events.Single(e => e.Position == position - 1);
        await ExecuteAsync("UPDATE events SET position = -position WHERE position >= $position", ("$position", position));
        await ExecuteAsync("UPDATE events SET position = -position + 1 WHERE position < 0");
        var forged = new RecordedEvent(position, stream, 0, Guid.NewGuid(), type, before.RecordedAt, EventMetadata.None, Encoding.UTF8.GetBytes(payload), ReadOnlyMemory<byte>.Empty);
        var hash = CanonicalEvent.ComputeHash(before.Hash.Span, forged);
        await ExecuteAsync(
            "INSERT INTO events (position, stream, version, event_id, type, recorded_at, payload, hash) VALUES ($p, $s, 0, $id, $t, $at, $payload, $hash)",
            ("$p", position), ("$s", stream), ("$id", forged.EventId.ToByteArray(bigEndian: true)), ("$t", type),
            ("$at", CanonicalEvent.ToUnixMicroseconds(forged.RecordedAt)), ("$payload", forged.Payload.ToArray()), ("$hash", hash));
    }

    /// <summary>
    /// Removes the event at <paramref name="position"/> as a forger who can compute hashes would: later positions and
    /// the later versions of its stream close up, the stream table follows, and every hash from there on is resealed,
    /// so positions, versions, the stream table and the hash chain all hold.
    /// </summary>
    public async Task RemoveAsync(long position)
    {
        var victim = (await EventsAsync()).Single(e => e.Position == position);
        await ExecuteAsync("DELETE FROM events WHERE position = $position", ("$position", position));
        await ExecuteAsync("UPDATE events SET position = -position WHERE position > $position", ("$position", position));
        await ExecuteAsync("UPDATE events SET position = -position - 1 WHERE position < 0");
        await ExecuteAsync("UPDATE events SET version = -version WHERE stream = $stream AND version > $version", ("$stream", victim.Stream), ("$version", victim.Version));
        await ExecuteAsync("UPDATE events SET version = -version - 1 WHERE stream = $stream AND version < 0", ("$stream", victim.Stream));
        await ExecuteAsync("UPDATE streams SET version = version - 1 WHERE stream = $stream", ("$stream", victim.Stream));
        await ResealAsync(position);
    }

    /// <summary>
    /// Inserts an event into <paramref name="stream"/> at <paramref name="position"/> as a forger who can compute
    /// hashes would: later positions and the later versions of the stream move up by one, the stream table follows,
    /// and every hash from there on is resealed. The event takes the version after the stream's last event before it.
    /// </summary>
    public async Task InsertIntoStreamAsync(long position, string stream, string type, string payload, EventMetadata? metadata = null)
    {
        var events = await EventsAsync();
        var before = events.Single(e => e.Position == position - 1);
        var version = events.Count(e => e.Stream == stream && e.Position < position);
        await ExecuteAsync("UPDATE events SET position = -position WHERE position >= $position", ("$position", position));
        await ExecuteAsync("UPDATE events SET position = -position + 1 WHERE position < 0");
        await ExecuteAsync("UPDATE events SET version = -version - 1 WHERE stream = $stream AND version >= $version", ("$stream", stream), ("$version", version));
        await ExecuteAsync("UPDATE events SET version = -version WHERE stream = $stream AND version < 0", ("$stream", stream));
        await ExecuteAsync("UPDATE streams SET version = version + 1 WHERE stream = $stream", ("$stream", stream));
        metadata ??= EventMetadata.None;
        await ExecuteAsync(
            "INSERT INTO events (position, stream, version, event_id, type, recorded_at, causation_id, correlation_id, observer_id, payload, hash) "
            + "VALUES ($p, $s, $v, $id, $t, $at, $cause, $correlation, $observer, $payload, zeroblob(32))",
            ("$p", position), ("$s", stream), ("$v", version), ("$id", Guid.NewGuid().ToByteArray(bigEndian: true)), ("$t", type),
            ("$at", CanonicalEvent.ToUnixMicroseconds(before.RecordedAt)),
            ("$cause", (object?)metadata.CausationId?.ToByteArray(bigEndian: true) ?? DBNull.Value),
            ("$correlation", (object?)metadata.CorrelationId?.ToByteArray(bigEndian: true) ?? DBNull.Value),
            ("$observer", (object?)metadata.ObserverId ?? DBNull.Value),
            ("$payload", Encoding.UTF8.GetBytes(payload)));
        await ResealAsync(position);
    }

    /// <summary>Recomputes every hash from <paramref name="fromPosition"/> on, so the chain links again over the tampered log.</summary>
    public async Task ResealAsync(long fromPosition)
    {
        var events = await EventsAsync();
        var previous = fromPosition == 1 ? CanonicalEvent.GenesisHash : events.Single(e => e.Position == fromPosition - 1).Hash;
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE events SET hash = $hash WHERE position = $position";
        var (hashParameter, positionParameter) = (update.Parameters.Add("$hash", SqliteType.Blob), update.Parameters.Add("$position", SqliteType.Integer));
        foreach (var e in events.Where(e => e.Position >= fromPosition))
        {
            var hash = CanonicalEvent.ComputeHash(previous.Span, e);
            (hashParameter.Value, positionParameter.Value) = (hash, e.Position);
            await update.ExecuteNonQueryAsync();
            previous = hash;
        }

        await transaction.CommitAsync();
    }

    private SqliteConnection Connect() => new(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
