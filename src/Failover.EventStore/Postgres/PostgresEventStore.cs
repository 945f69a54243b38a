using System.Net.Sockets;
using System.Text;
using Failover.EventStore.Projections;
using Npgsql;
using NpgsqlTypes;

namespace Failover.EventStore.Postgres;

/// <summary>
/// The shared adapter: a PostgreSQL schema that observers in several data centers append to. Every append takes
/// <c>pg_advisory_xact_lock</c>, reads the chain's head and commits, so positions are dense and become visible in
/// order. NOTIFY (sent on commit) only wakes subscribers; they poll underneath, so a lost notification only delays.
/// </summary>
public sealed class PostgresEventStore : EventStoreBase, IProjectionStore
{
    private const long MigrationLockKey = 0x4641_494C_4D49_4752; // "FAILMIGR"

    private readonly PostgresEventStoreOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _insertEvents;
    private readonly string _notify;

    private PostgresEventStore(PostgresEventStoreOptions options, NpgsqlDataSource dataSource) : base(options)
    {
        (_options, _dataSource) = (options, dataSource);
        _insertEvents =
            $"INSERT INTO events ({EventRows.StoredColumns}) SELECT *, $12::bigint, $13::bigint FROM unnest("
            + "$1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::bigint[], $7::uuid[], $8::uuid[], $9::text[], $10::bytea[], $11::bytea[])";
        _notify = $"SELECT pg_notify('{options.NotificationChannel}', '')";
    }

    /// <summary>
    /// Connects, applies pending migrations from eventstore/postgres/ (serialised by an advisory lock) and opens the
    /// store; with <see cref="PostgresEventStoreOptions.ReadOnly"/>, checks that the schema is current instead and opens
    /// every session read-only.
    /// </summary>
    /// <exception cref="InvalidOperationException">Read-only, and the schema holds no event store or misses a migration.</exception>
    /// <summary>The connections one store opens at most, unless its connection string says (<c>Maximum Pool Size</c>).</summary>
    public const int DefaultMaxPoolSize = 32;

    private static bool SetsPoolSize(string connectionString) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => k.Replace(" ", string.Empty, StringComparison.Ordinal).Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase)
                || k.Replace(" ", string.Empty, StringComparison.Ordinal).Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase));

    public static async Task<PostgresEventStore> OpenAsync(PostgresEventStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidatePostgres();
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString) { SearchPath = options.Schema };
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 32;
        }

        if (!SetsPoolSize(options.ConnectionString))
        {
            // Npgsql's default of 100 is the server's whole default max_connections: a burst of readers (API clients)
            // would take them all. Beyond this many, a request waits for a connection rather than the server refusing.
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (options.ReadOnly)
        {
            builder.Options = (string.IsNullOrWhiteSpace(builder.Options) ? string.Empty : builder.Options + " ") + "-c default_transaction_read_only=on";
        }

        var dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            if (options.ReadOnly)
            {
                await PostgresMigrations.RequireCurrentAsync(dataSource, options.Schema, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PostgresMigrations.ApplyAsync(dataSource, options.Schema, MigrationLockKey, cancellationToken).ConfigureAwait(false);
            }

            return new PostgresEventStore(options, dataSource);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<AppendResult> AppendToStreamAsync(
        string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        AppendRules.ValidateBatch(stream, events);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await AppendOnceAsync(stream, expected, events, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < _options.AppendRetries && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                // The commit may or may not have happened; the retry's idempotency check tells which.
                await Task.Delay(_options.ReconnectDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <remarks>
    /// Two round trips: BEGIN travels with the lock and the reads, COMMIT with the writes. Optimistic about
    /// idempotency: the stored-id lookup runs only when the append cannot go ahead (a stale expected version, or the
    /// unique index rejecting an event id), which is when a retry of a committed append shows up.
    /// </remarks>
    private async Task<AppendResult> AppendOnceAsync(
        string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            long? current = null;
            try
            {
                (current, var head) = await BeginAndReadStateAsync(connection, stream, cancellationToken).ConfigureAwait(false);
                if (expected.IsSatisfiedBy(current))
                {
                    var now = _options.TimeProvider.GetUtcNow();
                    var sealedEvents = AppendRules.Seal(stream, events, current, head.Position, head.Hash, now);
                    await WriteAndCommitAsync(connection, stream, sealedEvents, now, cancellationToken).ConfigureAwait(false);
                    return new AppendResult(sealedEvents[^1].Version, sealedEvents[^1].Position);
                }
            }
            catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "events_event_id_key" })
            {
                // Below: either a retry of a committed append, or a conflicting reuse of an id.
            }
            catch
            {
                await RollbackQuietlyAsync(connection).ConfigureAwait(false);
                throw;
            }

            await RollbackQuietlyAsync(connection).ConfigureAwait(false);
            // Decided with the version read under the lock. Null only if the version held and no id is stored, yet the
            // insert was refused.
            var stored = await FindStoredAsync(connection, events, cancellationToken).ConfigureAwait(false);
            return AppendRules.Decide(stream, expected, events, stored, current)
                   ?? throw new InvalidOperationException("The event id index reported a stored id that no committed event carries.");
        }
    }

    private static async Task RollbackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return; // A broken connection is discarded by the pool; the server rolls its transaction back.
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The connection broke; the pool discards it and the server rolls the transaction back.
        }
    }

    /// <summary>The stored events carrying any of the batch's ids, in position order.</summary>
    private static async Task<List<StoredEvent>> FindStoredAsync(
        NpgsqlConnection connection, IReadOnlyList<EventData> events, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {EventRows.StoredColumns} FROM events WHERE event_id = ANY($1) ORDER BY position", connection);
        command.Parameters.Add(new() { Value = events.Select(e => e.EventId).ToArray() });
        var stored = new List<StoredEvent>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored.Add(EventRows.ReadStored(reader));
            }
        }

        return stored;
    }

    /// <summary>
    /// One round trip: begin, take the append lock, then read the stream's version and the chain's head. READ COMMITTED
    /// whatever the server's or role's default: under REPEATABLE READ the snapshot would predate the lock, and the
    /// reads would miss the append that held it.
    /// </summary>
    private async Task<(long? Current, (long Position, ReadOnlyMemory<byte> Hash) Head)> BeginAndReadStateAsync(
        NpgsqlConnection connection, string stream, CancellationToken cancellationToken)
    {
        using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL READ COMMITTED"), // each statement sees commits made before it
                new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)") { Parameters = { new() { Value = _options.AppendLockKey } } },
                new NpgsqlBatchCommand("SELECT version FROM streams WHERE stream = $1") { Parameters = { new() { Value = stream } } },
                new NpgsqlBatchCommand("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1"),
            },
        };
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the lock (BEGIN has no result set)
            long? current = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt64(0) : null;
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var head = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? (reader.GetInt64(0), (ReadOnlyMemory<byte>)reader.GetFieldValue<byte[]>(1))
                : (0L, CanonicalEvent.GenesisHash);
            return (current, head);
        }
    }

    /// <summary>One round trip: insert the events, move the stream's version, queue the wake-up, commit.</summary>
    private async Task WriteAndCommitAsync(
        NpgsqlConnection connection, string stream, RecordedEvent[] events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(_insertEvents)
                {
                    Parameters =
                    {
                        new() { Value = events.Select(e => e.Position).ToArray() },
                        new() { Value = events.Select(e => e.Stream).ToArray() },
                        new() { Value = events.Select(e => e.Version).ToArray() },
                        new() { Value = events.Select(e => e.EventId).ToArray() },
                        new() { Value = events.Select(e => e.Type).ToArray() },
                        new() { Value = events.Select(e => CanonicalEvent.ToUnixMicroseconds(e.RecordedAt)).ToArray() },
                        new() { Value = events.Select(e => e.Metadata.CausationId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                        new() { Value = events.Select(e => e.Metadata.CorrelationId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                        new() { Value = events.Select(e => e.Metadata.ObserverId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                        new() { Value = events.Select(e => e.Payload.ToArray()).ToArray() },
                        new() { Value = events.Select(e => e.Hash.ToArray()).ToArray() },
                        new() { Value = events[0].Position },
                        new() { Value = events[^1].Position },
                    },
                },
                new NpgsqlBatchCommand(
                    "INSERT INTO streams (stream, version, created_at) VALUES ($1, $2, $3) "
                    + "ON CONFLICT (stream) DO UPDATE SET version = excluded.version")
                {
                    Parameters =
                    {
                        new() { Value = stream }, new() { Value = events[^1].Version }, new() { Value = CanonicalEvent.ToUnixMicroseconds(now) },
                    },
                },
                new NpgsqlBatchCommand(_notify),
                new NpgsqlBatchCommand("COMMIT"),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default)
    {
        StreamName.Validate(stream);
        await using var command = _dataSource.CreateCommand("SELECT created_at, version FROM streams WHERE stream = $1");
        command.Parameters.Add(new() { Value = stream });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StreamMetadata(stream, CanonicalEvent.FromUnixMicroseconds(reader.GetInt64(0)), reader.GetInt64(1))
            : null;
    }

    public override async Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT coalesce(max(position), 0) FROM events");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <remarks>
    /// Row-level and beside the appends: it does not take the append lock, since it deletes far below the head, where
    /// appenders (other observers, other processes) never write; the head is read committed in the same transaction,
    /// so everything up to it is visible to every reader. Deleted and counted in one statement, rolled back on a
    /// mismatch; the mark rises with <c>GREATEST</c> under its row's lock, so concurrent compactions never lower it
    /// (READ COMMITTED: the second update re-reads the row the first committed). Not retried: after a lost connection,
    /// the mark (at or past <paramref name="toPosition"/>) or a retry's <see cref="CompactionMismatchException"/> with 0
    /// matched tells that it committed.
    /// </remarks>
    private protected override async Task CompactCoreAsync(
        long fromPosition, long toPosition, string[] types, long expectedCount, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using (var head = new NpgsqlCommand("SELECT coalesce(max(position), 0) FROM events", connection, transaction))
                {
                    ThrowIfHeadCompacted(toPosition, (long)(await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
                }

                long deleted;
                await using (var delete = new NpgsqlCommand(
                                 "WITH deleted AS (DELETE FROM events WHERE position BETWEEN $1 AND $2 AND type = ANY($3) RETURNING 1) "
                                 + "SELECT count(*) FROM deleted", connection, transaction))
                {
                    delete.Parameters.Add(new() { Value = fromPosition });
                    delete.Parameters.Add(new() { Value = toPosition });
                    delete.Parameters.Add(new() { Value = types });
                    deleted = (long)(await delete.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }

                if (deleted != expectedCount)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    throw new CompactionMismatchException(fromPosition, toPosition, types, expectedCount, deleted);
                }

                await using (var mark = new NpgsqlCommand(
                                 "INSERT INTO compaction (id, compacted_through) VALUES (true, $1) ON CONFLICT (id) "
                                 + "DO UPDATE SET compacted_through = GREATEST(compaction.compacted_through, excluded.compacted_through)",
                                 connection, transaction))
                {
                    mark.Parameters.Add(new() { Value = toPosition });
                    await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override async Task<long> ReadCompactedThroughAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT coalesce(max(compacted_through), 0) FROM compaction");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private protected override async Task<IAppendListener> ListenAsync(CancellationToken cancellationToken) =>
        await NotificationListener.OpenAsync(_dataSource, _options.NotificationChannel, _options.TimeProvider, cancellationToken).ConfigureAwait(false);

    private protected override bool IsTransient(Exception exception) => IsConnectionFailure(exception);

    /// <summary>Network failures and the server ending a session (restart, failover, pg_terminate_backend).</summary>
    internal static bool IsConnectionFailure(Exception exception) => exception switch
    {
        PostgresException p => p.IsTransient || p.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException n => n.IsTransient || n.InnerException is IOException or SocketException or TimeoutException,
        _ => false,
    };

    public async Task<long> ReadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projection);
        await using var command = _dataSource.CreateCommand("SELECT position FROM checkpoints WHERE name = $1");
        command.Parameters.Add(new() { Value = projection });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    public async Task<long> CommitAsync(
        IProjection projection, IAsyncEnumerable<RecordedEvent> events, long expectedCheckpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(events);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var session = new PostgresDocumentSession(connection, projection.Name);
        var checkpoint = await ProjectionBatch.ApplyAsync(projection, events, session, expectedCheckpoint, cancellationToken)
            .ConfigureAwait(false);
        if (checkpoint == expectedCheckpoint)
        {
            return checkpoint;
        }

        await session.FlushAsync(cancellationToken).ConfigureAwait(false);
        // Optimistic: the checkpoint moves only from where this runner left it; a second runner changes no row.
        await using (var move = new NpgsqlCommand(
                         expectedCheckpoint == 0
                             ? "INSERT INTO checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
                             : "UPDATE checkpoints SET position = $2 WHERE name = $1 AND position = $3",
                         connection))
        {
            move.Parameters.Add(new() { Value = projection.Name });
            move.Parameters.Add(new() { Value = checkpoint });
            move.Parameters.Add(new() { Value = expectedCheckpoint });
            if (await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                throw new CheckpointConflictException(projection.Name, expectedCheckpoint,
                    await ReadCheckpointAsync(projection.Name, cancellationToken).ConfigureAwait(false));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return checkpoint;
    }

    public async Task ResetAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projection);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM documents WHERE projection = $1") { Parameters = { new() { Value = projection } } },
                new NpgsqlBatchCommand("DELETE FROM checkpoints WHERE name = $1") { Parameters = { new() { Value = projection } } },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> ReadDocumentAsync(string projection, string id, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT body::text FROM documents WHERE projection = $1 AND id = $2");
        command.Parameters.Add(new() { Value = projection });
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string body ? Encoding.UTF8.GetBytes(body) : null;
    }

    public async Task<IReadOnlyList<ProjectionDocument>> ReadDocumentsAsync(
        string projection, string fromId, string toId, int limit, bool descending, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projection);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var command = _dataSource.CreateCommand(
            "SELECT id, body::text FROM documents WHERE projection = $1 AND id COLLATE \"C\" >= $2 AND id COLLATE \"C\" <= $3 ORDER BY id COLLATE \"C\" "
            + (descending ? "DESC" : "ASC") + " LIMIT $4");
        command.Parameters.Add(new() { Value = projection });
        command.Parameters.Add(new() { Value = fromId });
        command.Parameters.Add(new() { Value = toId });
        command.Parameters.Add(new() { Value = limit });
        var documents = new List<ProjectionDocument>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            documents.Add(new ProjectionDocument(reader.GetString(0), Encoding.UTF8.GetBytes(reader.GetString(1))));
        }

        return documents;
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private protected override async Task<IReadOnlyList<RecordedEvent>> QueryEventsAsync(
        string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return await EventRows.ReadAllRowsAsync(command, cancellationToken).ConfigureAwait(false);
    }
}
