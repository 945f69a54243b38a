using System.Globalization;
using Failover.EventStore.Projections;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Failover.EventStore.Sqlite;

/// <summary>
/// The embedded adapter: one SQLite file in WAL mode. Appends run on one writer connection, one
/// <c>BEGIN IMMEDIATE</c> transaction each, so reading the chain's head and writing the next links is atomic (the
/// database lock also serialises writers in other processes). Reads use pooled connections and see committed snapshots.
/// Live subscriptions wake on appends by any store over the same file in this process; appends by another process
/// reach them by polling.
/// </summary>
public sealed class SqliteEventStore : EventStoreBase, IProjectionStore
{
    private readonly SqliteEventStoreOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _disposed;
    private readonly AppendSignal _appended;
    private readonly SqliteCommand _findEvent;
    private readonly SqliteCommand _streamVersion;
    private readonly SqliteCommand _head;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _upsertStream;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, AppendSignal> SignalsByFile = new(StringComparer.Ordinal);

    private SqliteEventStore(SqliteEventStoreOptions options, string connectionString, SqliteConnection writer, string path)
        : base(options)
    {
        (_options, _connectionString, _writer) = (options, connectionString, writer);
        _appended = SignalsByFile.GetOrAdd(path, _ => new AppendSignal());
        _findEvent = Command($"SELECT {EventRows.StoredColumns} FROM events WHERE event_id = $id", "$id");
        _streamVersion = Command("SELECT version FROM streams WHERE stream = $stream", "$stream");
        _head = Command("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1");
        _insertEvent = Command(
            $"INSERT INTO events ({EventRows.StoredColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12)",
            [.. Enumerable.Range(0, 13).Select(i => "$p" + i.ToString(CultureInfo.InvariantCulture))]);
        _upsertStream = Command(
            "INSERT INTO streams (stream, version, created_at) VALUES ($stream, $version, $at) "
            + "ON CONFLICT (stream) DO UPDATE SET version = excluded.version",
            "$stream", "$version", "$at");
    }

    /// <summary>
    /// Opens (creating if needed) the database file and brings its schema up to date; with
    /// <see cref="SqliteEventStoreOptions.ReadOnly"/>, opens an existing file with the current schema for reading only.
    /// </summary>
    /// <exception cref="FileNotFoundException">Read-only, and the file does not exist.</exception>
    /// <exception cref="InvalidOperationException">Read-only, and the file's schema is not the current one.</exception>
    public static Task<SqliteEventStore> OpenAsync(SqliteEventStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SqliteEventStoreOptions();
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException("The SQLite event store needs a file path.", nameof(options));
        }

        var path = System.IO.Path.GetFullPath(options.Path);
        if (options.ReadOnly)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The event store {path} does not exist.", path);
            }
        }
        else
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            CreateOwnerOnly(path);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        var writer = OpenConnection(connectionString, options);
        try
        {
            if (options.ReadOnly)
            {
                RequireCurrentSchema(writer, path);
            }
            else
            {
                Execute(writer, "PRAGMA journal_mode = WAL;");
                Migrate(writer);
            }

            return Task.FromResult(new SqliteEventStore(options, connectionString, writer, path));
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public override async Task<AppendResult> AppendToStreamAsync(
        string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        AppendRules.ValidateBatch(stream, events);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        AppendResult result;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var transaction = _writer.BeginTransaction(deferred: false);
            var current = ReadStreamVersion(stream, transaction);
            if (AppendRules.Decide(stream, expected, events, FindStored(events, transaction), current) is { } original)
            {
                return original;
            }

            var (headPosition, headHash) = ReadHead(transaction);
            var now = _options.TimeProvider.GetUtcNow();
            var sealedEvents = AppendRules.Seal(stream, events, current, headPosition, headHash, now);
            foreach (var e in sealedEvents)
            {
                Insert(e, sealedEvents[0].Position, sealedEvents[^1].Position, transaction);
            }

            Run(_upsertStream, transaction, stream, sealedEvents[^1].Version, CanonicalEvent.ToUnixMicroseconds(now));
            transaction.Commit();
            result = new AppendResult(sealedEvents[^1].Version, sealedEvents[^1].Position);
        }
        finally
        {
            _writeLock.Release();
        }

        _appended.Pulse();
        return result;
    }

    /// <remarks>
    /// Like an append: on the writer connection, under the writer lock, in one <c>BEGIN IMMEDIATE</c> transaction (the
    /// database's write lock, so no append in any process runs meanwhile and the head read is the head). A read-only
    /// store refuses it in SQLite itself, as it refuses appends.
    /// </remarks>
    private protected override async Task CompactCoreAsync(
        long fromPosition, long toPosition, string[] types, long expectedCount, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var transaction = _writer.BeginTransaction(deferred: false);
            ThrowIfHeadCompacted(toPosition, ReadHead(transaction).Position);
            var typeParameters = types.Select((type, i) => ("$t" + i.ToString(CultureInfo.InvariantCulture), (object)type)).ToArray();
            long deleted;
            using (var delete = Command(_writer, transaction,
                       $"DELETE FROM events WHERE position BETWEEN $from AND $to AND type IN ({string.Join(", ", typeParameters.Select(p => p.Item1))})",
                       [("$from", fromPosition), ("$to", toPosition), .. typeParameters]))
            {
                deleted = delete.ExecuteNonQuery();
            }

            if (deleted != expectedCount)
            {
                transaction.Rollback();
                throw new CompactionMismatchException(fromPosition, toPosition, types, expectedCount, deleted);
            }

            Execute(_writer, transaction,
                "INSERT INTO compaction (id, compacted_through) VALUES (1, $to) "
                + "ON CONFLICT (id) DO UPDATE SET compacted_through = max(compacted_through, excluded.compacted_through)",
                ("$to", toPosition));
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override async Task<long> ReadCompactedThroughAsync(CancellationToken cancellationToken = default)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(compacted_through), 0) FROM compaction";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Wakes on appends by any store over this file in this process; another process's appends are found by polling.</summary>
    private protected override Task<IAppendListener> ListenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IAppendListener>(new InProcessListener(_appended, _options.TimeProvider));

    public override async Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default)
    {
        StreamName.Validate(stream);
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT created_at, version FROM streams WHERE stream = $stream";
        command.Parameters.AddWithValue("$stream", stream);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return reader.Read()
            ? new StreamMetadata(stream, CanonicalEvent.FromUnixMicroseconds(reader.GetInt64(0)), reader.GetInt64(1))
            : null;
    }

    public override async Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(position), 0) FROM events";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<long> ReadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projection);
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT position FROM checkpoints WHERE name = $name";
        command.Parameters.AddWithValue("$name", projection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    /// <remarks>
    /// The projection's work — reading the events, loading documents, applying, serialising — runs outside the writer
    /// lock, on a read snapshot of the documents as of the expected checkpoint; only the final write (documents and
    /// checkpoint in one transaction, if the checkpoint has not moved meanwhile) takes the lock, so live appends wait
    /// for a few row writes, not for a batch.
    /// </remarks>
    public async Task<long> CommitAsync(
        IProjection projection, IAsyncEnumerable<RecordedEvent> events, long expectedCheckpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(events);
        long checkpoint;
        List<KeyValuePair<string, byte[]?>> changes;
        using (var reader = OpenReader())
        using (var snapshot = reader.BeginTransaction(deferred: true))
        {
            // The first read starts the snapshot: the documents below are the ones committed with this checkpoint.
            ThrowIfCheckpointMoved(reader, snapshot, projection.Name, expectedCheckpoint);
            var session = new SqliteDocumentSession(reader, snapshot, projection.Name);
            checkpoint = await ProjectionBatch.ApplyAsync(projection, events, session, expectedCheckpoint, cancellationToken)
                .ConfigureAwait(false);
            if (checkpoint == expectedCheckpoint)
            {
                return checkpoint;
            }

            changes = [.. session.PendingChanges];
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _writer.BeginTransaction(deferred: false);
            ThrowIfCheckpointMoved(_writer, transaction, projection.Name, expectedCheckpoint);
            SqliteDocumentSession.Write(_writer, transaction, projection.Name, changes);
            Execute(_writer, transaction,
                "INSERT INTO checkpoints (name, position) VALUES ($name, $position) "
                + "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                ("$name", projection.Name), ("$position", checkpoint));
            transaction.Commit();
            return checkpoint;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static void ThrowIfCheckpointMoved(SqliteConnection connection, SqliteTransaction transaction, string projection, long expected)
    {
        using var command = Command(connection, transaction, "SELECT position FROM checkpoints WHERE name = $name", ("$name", projection));
        var actual = command.ExecuteScalar() is long position ? position : 0;
        if (actual != expected)
        {
            throw new CheckpointConflictException(projection, expected, actual);
        }
    }

    public async Task ResetAsync(string projection, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projection);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _writer.BeginTransaction(deferred: false);
            Execute(_writer, transaction, "DELETE FROM documents WHERE projection = $name", ("$name", projection));
            Execute(_writer, transaction, "DELETE FROM checkpoints WHERE name = $name", ("$name", projection));
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<byte[]?> ReadDocumentAsync(string projection, string id, CancellationToken cancellationToken = default)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM documents WHERE projection = $projection AND id = $id";
        command.Parameters.AddWithValue("$projection", projection);
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    public async Task<IReadOnlyList<ProjectionDocument>> ReadDocumentsAsync(
        string projection, string fromId, string toId, int limit, bool descending, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projection);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        // TEXT compares with SQLite's BINARY collation: byte order of the UTF-8 ids.
        command.CommandText = "SELECT id, body FROM documents WHERE projection = $projection AND id >= $from AND id <= $to ORDER BY id "
            + (descending ? "DESC" : "ASC") + " LIMIT $limit";
        command.Parameters.AddWithValue("$projection", projection);
        command.Parameters.AddWithValue("$from", fromId);
        command.Parameters.AddWithValue("$to", toId);
        command.Parameters.AddWithValue("$limit", limit);
        var documents = new List<ProjectionDocument>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (reader.Read())
        {
            documents.Add(new ProjectionDocument(reader.GetString(0), reader.GetFieldValue<byte[]>(1)));
        }

        return documents;
    }

    /// <summary>Closes the store; a second call does nothing (hosts and tests may both dispose it).</summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        foreach (var command in new[] { _findEvent, _streamVersion, _head, _insertEvent, _upsertStream })
        {
            command.Dispose();
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        _writeLock.Dispose();
    }

    private List<StoredEvent> FindStored(IReadOnlyList<EventData> events, SqliteTransaction transaction)
    {
        var stored = new List<StoredEvent>();
        _findEvent.Transaction = transaction;
        foreach (var e in events)
        {
            _findEvent.Parameters[0].Value = Blob(e.EventId);
            using var reader = _findEvent.ExecuteReader();
            if (reader.Read())
            {
                stored.Add(EventRows.ReadStored(reader));
            }
        }

        stored.Sort((a, b) => a.Event.Position.CompareTo(b.Event.Position));
        return stored;
    }

    private long? ReadStreamVersion(string stream, SqliteTransaction transaction)
    {
        _streamVersion.Transaction = transaction;
        _streamVersion.Parameters[0].Value = stream;
        return _streamVersion.ExecuteScalar() is long version ? version : null;
    }

    private (long Position, ReadOnlyMemory<byte> Hash) ReadHead(SqliteTransaction transaction)
    {
        _head.Transaction = transaction;
        using var reader = _head.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : (0, CanonicalEvent.GenesisHash);
    }

    private void Insert(RecordedEvent e, long appendFirst, long appendLast, SqliteTransaction transaction) => Run(_insertEvent, transaction,
        e.Position, e.Stream, e.Version, Blob(e.EventId), e.Type, CanonicalEvent.ToUnixMicroseconds(e.RecordedAt),
        Blob(e.Metadata.CausationId), Blob(e.Metadata.CorrelationId), (object?)e.Metadata.ObserverId ?? DBNull.Value,
        e.Payload.ToArray(), e.Hash.ToArray(), appendFirst, appendLast);

    /// <summary>GUIDs are stored as 16 bytes in RFC 4122 order, as they are hashed.</summary>
    private static object Blob(Guid? id) => id is { } g ? g.ToByteArray(bigEndian: true) : DBNull.Value;

    private static void Run(SqliteCommand command, SqliteTransaction transaction, params object[] values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _writer.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    /// <remarks>
    /// Bulk reads go through SQLitePCLRaw directly: the column getters of Microsoft.Data.Sqlite cost more than the read
    /// itself (measured: about 1.7 times the throughput this way), and catch-up and rebuilds read every row of the log.
    /// </remarks>
    private protected override Task<IReadOnlyList<RecordedEvent>> QueryEventsAsync(
        string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, "$" + (i + 1).ToString(CultureInfo.InvariantCulture));
                Check(db, parameters[i] switch
                {
                    string text => raw.sqlite3_bind_text(statement, index, text),
                    var number => raw.sqlite3_bind_int64(statement, index, Convert.ToInt64(number, CultureInfo.InvariantCulture)),
                });
            }

            var events = new List<RecordedEvent>();
            int step;
            while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                events.Add(ReadRow(statement));
            }

            Check(db, step == raw.SQLITE_DONE ? raw.SQLITE_OK : step);
            return Task.FromResult<IReadOnlyList<RecordedEvent>>(events);
        }
    }

    /// <summary>A row of <see cref="EventRows.Columns"/>.</summary>
    private static RecordedEvent ReadRow(sqlite3_stmt row)
    {
        var (causation, correlation, observer) = (Guid(row, 6), Guid(row, 7), Text(row, 8));
        return new RecordedEvent(
            raw.sqlite3_column_int64(row, 0),
            Text(row, 1)!,
            raw.sqlite3_column_int64(row, 2),
            Guid(row, 3)!.Value,
            Text(row, 4)!,
            CanonicalEvent.FromUnixMicroseconds(raw.sqlite3_column_int64(row, 5)),
            causation is null && correlation is null && observer is null ? EventMetadata.None : new EventMetadata(causation, correlation, observer),
            raw.sqlite3_column_blob(row, 9).ToArray(),
            raw.sqlite3_column_blob(row, 10).ToArray());

        static bool IsNull(sqlite3_stmt row, int column) => raw.sqlite3_column_type(row, column) == raw.SQLITE_NULL;

        static string? Text(sqlite3_stmt row, int column) =>
            IsNull(row, column) ? null : System.Text.Encoding.UTF8.GetString(raw.sqlite3_column_blob(row, column));

        static Guid? Guid(sqlite3_stmt row, int column) =>
            IsNull(row, column) ? null : new Guid(raw.sqlite3_column_blob(row, column), bigEndian: true);
    }

    private static void Check(sqlite3 db, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), result);
        }
    }

    private static void Execute(
        SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(
        SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private SqliteConnection OpenReader() => OpenConnection(_connectionString, _options);

    private static SqliteConnection OpenConnection(string connectionString, SqliteEventStoreOptions options)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        var synchronous = options.Durability == SqliteDurability.Full ? "FULL" : "NORMAL";
        Execute(connection,
            $"PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds};");
        return connection;
    }

    /// <summary>
    /// A new store file is created readable and writable by its owner only (an empty file is an empty SQLite database);
    /// SQLite gives its -wal and -shm files the same mode. An existing file keeps its mode.
    /// </summary>
    private static void CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        try
        {
            new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: its mode stands.
        }
    }

    private static void Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        long current;
        using (var read = new SqliteCommand("PRAGMA user_version", connection, transaction))
        {
            current = (long)read.ExecuteScalar()!;
        }

        foreach (var (version, _, sql) in SchemaScripts.Load("sqlite"))
        {
            if (version > current)
            {
                using var command = new SqliteCommand(sql + $";\nPRAGMA user_version = {version};", connection, transaction);
                command.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    /// <summary>A read-only store runs no migration: the file must be at exactly the schema version this build writes.</summary>
    private static void RequireCurrentSchema(SqliteConnection connection, string path)
    {
        long current;
        using (var read = new SqliteCommand("PRAGMA user_version", connection))
        {
            current = (long)read.ExecuteScalar()!;
        }

        var latest = SchemaScripts.Load("sqlite")[^1].Version;
        if (current != latest)
        {
            throw new InvalidOperationException(current == 0
                ? $"{path} is not an event store (schema version 0, expected {latest})."
                : current < latest
                    ? $"{path} has event store schema version {current}; this build reads version {latest}. Opened read-only, it is not migrated: open it once read-write (e.g. with the service) or use a build of its version."
                    : $"{path} has event store schema version {current}, newer than this build's {latest}: use a newer build.");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>Loads committed documents from a read snapshot; the changes are written later, by <see cref="Write"/>.</summary>
internal sealed class SqliteDocumentSession(SqliteConnection connection, SqliteTransaction snapshot, string projection)
    : BufferedDocumentSession
{
    /// <summary>The changed documents as JSON (null: deleted), serialised now.</summary>
    public IEnumerable<KeyValuePair<string, byte[]?>> PendingChanges => PendingJson;

    protected override ValueTask<byte[]?> LoadCommittedAsync(string id, CancellationToken cancellationToken)
    {
        using var command = new SqliteCommand("SELECT body FROM documents WHERE projection = $p AND id = $id", connection, snapshot);
        command.Parameters.AddWithValue("$p", projection);
        command.Parameters.AddWithValue("$id", id);
        return ValueTask.FromResult(command.ExecuteScalar() as byte[]);
    }

    public static void Write(
        SqliteConnection connection, SqliteTransaction transaction, string projection, IReadOnlyList<KeyValuePair<string, byte[]?>> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        using var upsert = new SqliteCommand(
            "INSERT INTO documents (projection, id, body) VALUES ($p, $id, $body) ON CONFLICT (projection, id) DO UPDATE SET body = excluded.body",
            connection, transaction);
        using var delete = new SqliteCommand("DELETE FROM documents WHERE projection = $p AND id = $id", connection, transaction);
        var (upsertId, upsertBody, deleteId) = (upsert.Parameters.Add("$id", SqliteType.Text), upsert.Parameters.Add("$body", SqliteType.Blob),
            delete.Parameters.Add("$id", SqliteType.Text));
        upsert.Parameters.AddWithValue("$p", projection);
        delete.Parameters.AddWithValue("$p", projection);
        foreach (var (id, body) in changes)
        {
            if (body is null)
            {
                deleteId.Value = id;
                delete.ExecuteNonQuery();
            }
            else
            {
                (upsertId.Value, upsertBody.Value) = (id, body);
                upsert.ExecuteNonQuery();
            }
        }
    }
}
