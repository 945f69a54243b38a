using System.Text.Json;
using Failover.EventStore.Postgres;
using Failover.EventStore.Projections;
using Failover.EventStore.Sqlite;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Projections = Failover.EventStore.Projections;

namespace Failover.EventStore.Benchmarks;

/// <summary>Appends and reads through our port, whatever the adapter.</summary>
internal abstract class OurTarget : IBenchmarkTarget
{
    private long _next;
    private int _streams = 1;

    protected IEventStore Store { get; private set; } = null!;

    public abstract string Name { get; }

    protected abstract Task<IEventStore> OpenAsync(BenchmarkPlan plan);

    public async Task SetUpAsync(BenchmarkPlan plan)
    {
        _streams = plan.Streams;
        Store = await OpenAsync(plan);
    }

    public async Task<long> AppendAsync(int appends, int batch)
    {
        for (var i = 0; i < appends; i++)
        {
            var events = new EventData[batch];
            for (var j = 0; j < batch; j++)
            {
                events[j] = new EventData(Guid.CreateVersion7(), "block-observed.v1",
                    JsonSerializer.SerializeToUtf8Bytes(Payloads.Block(++_next), BenchmarkJsonContext.Default.BlockObserved));
            }

            await Store.AppendToStreamAsync($"producer-{_next / batch % _streams}", ExpectedVersion.Any, events);
        }

        return (long)appends * batch;
    }

    public async Task<long> ReadAllAsync()
    {
        long count = 0;
        await foreach (var _ in Store.ReadAllAsync(GlobalPosition.Start))
        {
            count++;
        }

        return count;
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}

internal sealed class SqliteTarget(string path) : OurTarget
{
    public override string Name => "our SQLite (synchronous=FULL)";

    protected override async Task<IEventStore> OpenAsync(BenchmarkPlan plan) =>
        await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadPageSize = 5000 });
}

internal sealed class PostgresTarget(string connectionString) : OurTarget
{
    public const string TargetName = "our PostgreSQL";
    private const string Schema = "bench_failover";

    public override string Name => TargetName;

    protected override async Task<IEventStore> OpenAsync(BenchmarkPlan plan)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }

        return await PostgresEventStore.OpenAsync(
            new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = Schema, ReadPageSize = 5000 });
    }
}

/// <summary>Marten's event store on the same server: string stream keys, Quick append mode (its faster mode).</summary>
internal sealed class MartenTarget(string connectionString) : IBenchmarkTarget
{
    public const string TargetName = "Marten 9.58 (Quick append)";
    private DocumentStore _store = null!;
    private long _next;
    private int _streams = 1;

    public string Name => TargetName;

    public async Task SetUpAsync(BenchmarkPlan plan)
    {
        _streams = plan.Streams;
        _store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = "bench_marten";
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.AppendMode = EventAppendMode.Quick;
            options.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await _store.Advanced.Clean.CompletelyRemoveAllAsync();
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public async Task<long> AppendAsync(int appends, int batch)
    {
        for (var i = 0; i < appends; i++)
        {
            await using var session = _store.LightweightSession();
            var events = new object[batch];
            for (var j = 0; j < batch; j++)
            {
                events[j] = Payloads.Block(++_next);
            }

            session.Events.Append($"producer-{_next / batch % _streams}", events);
            await session.SaveChangesAsync();
        }

        return (long)appends * batch;
    }

    /// <summary>Pages through mt_events by sequence, 5000 at a time, as a projection rebuild would.</summary>
    public async Task<long> ReadAllAsync()
    {
        await using var session = _store.QuerySession();
        long count = 0, after = 0;
        while (true)
        {
            var from = after;
            var page = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > from).OrderBy(e => e.Sequence).Take(5000).ToListAsync();
            if (page.Count == 0)
            {
                return count;
            }

            count += page.Count;
            after = page[^1].Sequence;
        }
    }

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A large SQLite log, read whole and rebuilt into a projection (documents and checkpoints committed per batch).</summary>
internal sealed class SqliteRebuild(string path) : OurTarget
{
    private readonly BlocksPerProducer _projection = new();
    private ProjectionRunner _runner = null!;

    public override string Name => "our SQLite (synchronous=FULL)";

    protected override async Task<IEventStore> OpenAsync(BenchmarkPlan plan)
    {
        var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadPageSize = 5000 });
        _runner = new ProjectionRunner(store, store, batchSize: 50_000);
        for (long n = 0; n < plan.RebuildEvents;)
        {
            var events = new EventData[1000];
            for (var j = 0; j < events.Length; j++, n++)
            {
                events[j] = new EventData(Guid.CreateVersion7(), "block-observed.v1",
                    JsonSerializer.SerializeToUtf8Bytes(Payloads.Block(n), BenchmarkJsonContext.Default.BlockObserved));
            }

            await store.AppendToStreamAsync($"producer-{n / 1000 % plan.Streams}", ExpectedVersion.Any, events);
        }

        return store;
    }

    public Task<long> RebuildAsync() => _runner.RebuildAsync(_projection);

    /// <summary>Counts blocks per producer stream: one document per stream, updated by every event.</summary>
    private sealed class BlocksPerProducer : IProjection
    {
        public string Name => "blocks-per-producer";

        public async ValueTask ApplyAsync(RecordedEvent recorded, Projections.IDocumentSession documents, CancellationToken cancellationToken)
        {
            var count = await documents.LoadAsync(recorded.Stream, BenchmarkJsonContext.Default.Int64, cancellationToken);
            documents.Store(recorded.Stream, count + 1, BenchmarkJsonContext.Default.Int64);
        }
    }
}
