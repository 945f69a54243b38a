using System.Text;
using Failover.EventStore.Projections;
using Npgsql;
using NpgsqlTypes;

namespace Failover.EventStore.Postgres;

/// <summary>Applies eventstore/postgres/NNN_name.sql in order, once each, recorded in schema_migrations.</summary>
internal static class PostgresMigrations
{
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, string schema, long lockKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // A session lock: concurrent start-ups wait here, then find the migrations applied.
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({lockKey})", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null,
                $"CREATE SCHEMA IF NOT EXISTS {schema}; "
                + "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                + "applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken).ConfigureAwait(false);
            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            foreach (var (version, name, sql) in SchemaScripts.Load("postgres"))
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new() { Value = version });
                    record.Parameters.Add(new() { Value = name });
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({lockKey})", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>For a read-only store: the schema must hold every migration of this build; nothing is created or applied.</summary>
    public static async Task RequireCurrentAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection))
        {
            exists.Parameters.Add(new() { Value = schema + ".schema_migrations" });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                throw new InvalidOperationException($"Schema '{schema}' holds no event store (no schema_migrations table); opened read-only, nothing is created.");
            }
        }

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var missing = SchemaScripts.Load("postgres").Where(s => !applied.Contains(s.Version)).Select(s => s.Name).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Schema '{schema}' lacks migration(s) {string.Join(", ", missing)}; opened read-only, it is not migrated: open it once read-write (e.g. with the service) or use a build of its version.");
        }

        var newer = applied.Except(SchemaScripts.Load("postgres").Select(s => s.Version)).Order().ToList();
        if (newer.Count > 0)
        {
            throw new InvalidOperationException($"Schema '{schema}' has migration(s) {string.Join(", ", newer)} this build does not know: use a newer build.");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Waits on LISTEN for the NOTIFY each append sends at commit; a dedicated connection per subscription.</summary>
internal sealed class NotificationListener : IAppendListener
{
    private readonly NpgsqlConnection _connection;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private Task? _notified;

    private NotificationListener(NpgsqlConnection connection, TimeProvider clock) => (_connection, _clock) = (connection, clock);

    public static async Task<NotificationListener> OpenAsync(
        NpgsqlDataSource dataSource, string channel, TimeProvider clock, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new NotificationListener(connection, clock);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Notifications queue on the connection, so one sent while the subscriber read a page ends the next wait at once.
    public void Arm()
    {
    }

    /// <remarks>
    /// The connection's wait runs until a notification arrives and outlives a timed-out poll (the timeout is on the
    /// store's clock, which the connection cannot use); a notification that arrives meanwhile ends the next wait at once.
    /// </remarks>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_notified is null || _notified.IsCompleted)
        {
            _notified = _connection.WaitAsync(_stop.Token);
        }

        try
        {
            await _notified.WaitAsync(timeout, _clock, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Polling: look again even without a wake-up.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_notified is not null)
        {
            try
            {
                await _notified.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
            {
                // Stopped, or the connection broke; either way it is discarded below.
            }
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}

internal sealed class PostgresDocumentSession(NpgsqlConnection connection, string projection) : BufferedDocumentSession
{
    protected override async ValueTask<byte[]?> LoadCommittedAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT body::text FROM documents WHERE projection = $1 AND id = $2", connection);
        command.Parameters.Add(new() { Value = projection });
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string body ? Encoding.UTF8.GetBytes(body) : null;
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var changes = PendingJson.ToList();
        var stored = changes.Where(p => p.Value is not null).ToList();
        var deleted = changes.Where(p => p.Value is null).Select(p => p.Key).ToArray();
        using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    "INSERT INTO documents (projection, id, body) SELECT $1, * FROM unnest($2::text[], $3::text[]::jsonb[]) "
                    + "ON CONFLICT (projection, id) DO UPDATE SET body = excluded.body")
                {
                    Parameters =
                    {
                        new() { Value = projection },
                        new() { Value = stored.Select(p => p.Key).ToArray() },
                        new() { Value = stored.Select(p => Encoding.UTF8.GetString(p.Value!)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    },
                },
                new NpgsqlBatchCommand("DELETE FROM documents WHERE projection = $1 AND id = ANY($2)")
                {
                    Parameters = { new() { Value = projection }, new() { Value = deleted } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
