using System.Text.Json;
using Failover.EventStore.Postgres;
using Failover.EventStore.Projections;
using Projections = Failover.EventStore.Projections;
using Failover.EventStore.Sqlite;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Failover.EventStore.Benchmarks;

/// <summary>Append and read-all measurements against any of our adapters.</summary>
internal abstract class OurTarget
{
    private long _next;

    protected abstract string TargetName { get; }

    protected abstract Task<IEventStore> OpenAsync();

    public async Task RunAsync(BenchmarkPlan plan, Report report)
    {
        await using var store = await OpenAsync();
        report.Add(TargetName, "append, batch 1", await Measure.EventsPerSecondAsync(plan.Repetitions, () => AppendAsync(store, plan, plan.Batch1Appends, 1)));
        report.Add(TargetName, "append, batch 100", await Measure.EventsPerSecondAsync(plan.Repetitions, () => AppendAsync(store, plan, plan.Batch100Appends, 100)));
        report.Add(TargetName, "read all", await Measure.EventsPerSecondAsync(plan.Repetitions, async () =>
        {
            long count = 0;
            await foreach (var _ in store.ReadAllAsync(GlobalPosition.Start))
            {
                count++;
            }

            return count;
        }));
    }

    private async Task<long> AppendAsync(IEventStore store, BenchmarkPlan plan, int appends, int batch)
    {
        for (var i = 0; i < appends; i++)
        {
            var events = new EventData[batch];
            for (var j = 0; j < batch; j++)
            {
                var n = ++_next;
                events[j] = new EventData(Guid.CreateVersion7(), "block-observed.v1",
                    JsonSerializer.SerializeToUtf8Bytes(Payloads.Block(n), BenchmarkJsonContext.Default.BlockObserved));
            }

            await store.AppendToStreamAsync($"producer-{i % plan.Streams}", ExpectedVersion.Any, events);
        }

        return (long)appends * batch;
    }
}

internal sealed class SqliteTarget(string path) : OurTarget
{
    protected override string TargetName => "our SQLite (synchronous=FULL)";

    protected override async Task<IEventStore> OpenAsync() => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path });
}

internal sealed class PostgresTarget(string connectionString) : OurTarget
{
    public const string Name = "our PostgreSQL";
    private const string Schema = "bench_failover";

    protected override string TargetName => Name;

    protected override async Task<IEventStore> OpenAsync()
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }

        return await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = Schema });
    }
}

/// <summary>Marten's event store (string stream keys, Quick append mode) on the same server.</summary>
internal sealed class MartenTarget(string connectionString)
{
    private const string Name = "Marten 9.58 (Quick append)";
    private long _next;

    public async Task RunAsync(BenchmarkPlan plan, Report report)
    {
        using var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = "bench_marten";
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.AppendMode = EventAppendMode.Quick;
            options.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await store.Advanced.Clean.CompletelyRemoveAllAsync();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        report.Add(Name, "append, batch 1", await Measure.EventsPerSecondAsync(plan.Repetitions, () => AppendAsync(store, plan, plan.Batch1Appends, 1)));
        report.Add(Name, "append, batch 100", await Measure.EventsPerSecondAsync(plan.Repetitions, () => AppendAsync(store, plan, plan.Batch100Appends, 100)));
        report.Add(Name, "read all", await Measure.EventsPerSecondAsync(plan.Repetitions, () => ReadAllAsync(store)));
    }

    private async Task<long> AppendAsync(IDocumentStore store, BenchmarkPlan plan, int appends, int batch)
    {
        for (var i = 0; i < appends; i++)
        {
            await using var session = store.LightweightSession();
            var events = new object[batch];
            for (var j = 0; j < batch; j++)
            {
                events[j] = Payloads.Block(++_next);
            }

            session.Events.Append($"producer-{i % plan.Streams}", events);
            await session.SaveChangesAsync();
        }

        return (long)appends * batch;
    }

    private static async Task<long> ReadAllAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        long count = 0, after = 0;
        while (true)
        {
            var from = after;
            var page = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > from).OrderBy(e => e.Sequence).Take(1000).ToListAsync();
            if (page.Count == 0)
            {
                return count;
            }

            count += page.Count;
            after = page[^1].Sequence;
        }
    }
}

/// <summary>Rebuilds a projection from a large SQLite log: reading, deserialising and committing documents and checkpoints.</summary>
internal sealed class SqliteRebuild(string path)
{
    public async Task RunAsync(BenchmarkPlan plan, Report report)
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadPageSize = 5000 });
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

        report.Add("our SQLite", $"read all, {plan.RebuildEvents:N0}-event log", await Measure.EventsPerSecondAsync(plan.Repetitions, async () =>
        {
            long count = 0;
            await foreach (var _ in store.ReadAllAsync(GlobalPosition.Start))
            {
                count++;
            }

            return count;
        }));
        var runner = new ProjectionRunner(store, store, batchSize: 100_000);
        var projection = new BlocksPerProducer();
        report.Add("our SQLite", $"rebuild, {plan.RebuildEvents:N0}-event log", await Measure.EventsPerSecondAsync(plan.Repetitions, () => runner.RebuildAsync(projection)));
    }

    /// <summary>Counts blocks per stream: one document per producer stream, updated by every event.</summary>
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
