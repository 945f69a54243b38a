using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Audit.Replay;
using Failover.EventStore;
using Failover.EventStore.Postgres;
using Failover.EventStore.Projections;
using Failover.EventStore.Sqlite;
using Failover.Service.Hosting;
using Failover.Service.Projections;
using Npgsql;
using Failover.Domain.ReadModels;

namespace Failover.Audit.Tests;

/// <summary>
/// <c>failover audit replay</c> rebuilds the service's read models in memory; they equal the service's live
/// projections document by document — on the demo's SQLite store, and on a PostgreSQL store holding the same events.
/// </summary>
[Collection(DemoStoreFixture.Name)]
public sealed class ReplayTests(DemoStore demo) : IAsyncLifetime
{
    private const string Producer = "failover.bp";
    private readonly string _schema = "audit_" + Guid.NewGuid().ToString("N");
    private bool _usedPostgres;

    [Fact]
    public async Task Replay_equals_the_live_projections_the_demo_committed_at_their_checkpoints()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = demo.DatabasePath, ReadOnly = true });

        var compared = await AssertReplayEqualsLiveAsync(store, store);

        Assert.True(compared > 20, $"only {compared} documents compared");
    }

    [Fact]
    public async Task Replay_equals_the_live_projections_after_the_service_catches_them_up_to_the_head()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = demo.Copy("caught-up") });
        var runner = new ProjectionRunner(store, store);
        foreach (var readModel in ReadModelSet.For(Producer))
        {
            await runner.CatchUpAsync(new ReadModelProjection(readModel));
        }

        var head = await store.ReadHeadPositionAsync();
        Assert.Equal(head, await store.ReadCheckpointAsync("chain-health"));

        await AssertReplayEqualsLiveAsync(store, store);
    }

    [Fact]
    public async Task A_rebuild_from_position_zero_reproduces_every_live_document_byte_for_byte()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = demo.Copy("rebuilt") });
        var runner = new ProjectionRunner(store, store);
        var readModels = ReadModelSet.For(Producer);
        var live = new Dictionary<string, List<(string Id, byte[] Body)>>();
        foreach (var readModel in readModels)
        {
            await runner.CatchUpAsync(new ReadModelProjection(readModel));
            live[readModel.Name] = await DocumentsAsync(store, readModel.Name);
        }

        foreach (var readModel in readModels)
        {
            await runner.RebuildAsync(new ReadModelProjection(readModel));
            var rebuilt = await DocumentsAsync(store, readModel.Name);

            Assert.True(live[readModel.Name].Count > 0, $"{readModel.Name} has no documents");
            Assert.Equal(live[readModel.Name].Select(d => d.Id), rebuilt.Select(d => d.Id));
            Assert.All(live[readModel.Name].Zip(rebuilt), pair => Assert.True(pair.First.Body.AsSpan().SequenceEqual(pair.Second.Body), $"{readModel.Name}/{pair.First.Id} differs after the rebuild"));
        }
    }

    [Fact]
    public async Task Replay_of_the_same_events_in_a_postgres_store_equals_its_live_projections()
    {
        _usedPostgres = true;
        var connectionString = await PostgresServer.ConnectionStringAsync();
        await using (var target = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema }))
        {
            await using var source = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = demo.DatabasePath, ReadOnly = true });
            await StoreCopy.CopyEventsAsync(source, target);
            var runner = new ProjectionRunner(target, target, batchSize: 250);
            foreach (var readModel in ReadModelSet.For(Producer))
            {
                await runner.CatchUpAsync(new ReadModelProjection(readModel));
            }
        }

        var location = new StoreLocation(StoreKind.Postgres, PostgresLocation(connectionString));
        await using var store = await AuditStore.OpenAsync(location);
        var compared = await AssertReplayEqualsLiveAsync(store, AuditStore.Projections(store));

        Assert.True(compared > 20, $"only {compared} documents compared");
        var run = await Audit.RunAsync("replay", "--store", "postgres:" + PostgresLocation(connectionString));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("missed-", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_replay_command_prints_the_rounds_and_the_failover_timeline()
    {
        var run = await Audit.RunAsync("replay", "--store", demo.Location);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("our producer failover.bp", run.Out, StringComparison.Ordinal);
        Assert.Contains("Rounds", run.Out, StringComparison.Ordinal);
        Assert.Contains("missed-all", run.Out, StringComparison.Ordinal); // the round of the outage
        Assert.Contains("Failover timeline", run.Out, StringComparison.Ordinal);
        Assert.Contains("trigger → dc2", run.Out, StringComparison.Ordinal);
        Assert.Contains("completed", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task From_and_to_focus_the_replay_on_a_range_of_the_log()
    {
        var events = await new Tamper(demo.DatabasePath).EventsAsync();
        var decision = events.First(e => e.Type == "failover-triggered.v1");

        var before = Json(await Audit.RunAsync("replay", "--store", demo.Location, "--to", (decision.Position - 1).ToString(), "--json"));
        var around = Json(await Audit.RunAsync("replay", "--store", demo.Location, "--from", decision.Position.ToString(), "--to", (decision.Position + 1).ToString(), "--json"));
        var byTime = Json(await Audit.RunAsync("replay", "--store", demo.Location, "--to", decision.RecordedAt.AddTicks(-10).ToString("O"), "--json"));

        Assert.Equal(decision.Position - 1, before.GetProperty("last_position").GetInt64());
        Assert.Empty(before.GetProperty("failovers").EnumerateArray());
        Assert.Equal(decision.Position + 1, around.GetProperty("last_position").GetInt64());
        Assert.Equal("missed-", around.GetProperty("failovers")[0].GetProperty("incident_id").GetString()![..7]);
        Assert.Empty(around.GetProperty("rounds").EnumerateArray()); // the decision and its request write no round
        Assert.Equal(decision.Position - 1, byTime.GetProperty("last_position").GetInt64());
    }

    [Fact]
    public async Task Replay_needs_a_producer_only_when_the_log_shows_none_and_refuses_a_malformed_one()
    {
        var run = await Audit.RunAsync("replay", "--store", demo.Location, "--producer", "Not A Name!", "--from", "yesterday");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--producer 'Not A Name!' is not an account name", run.Error, StringComparison.Ordinal);
        Assert.Contains("--from 'yesterday' is neither a position nor a time", run.Error, StringComparison.Ordinal);
    }

    /// <summary>Replays up to each projection's checkpoint and compares every document with the committed one.</summary>
    private static async Task<int> AssertReplayEqualsLiveAsync(IEventStore events, IProjectionStore projections)
    {
        var compared = 0;
        foreach (var readModel in ReadModelSet.For(Producer))
        {
            var checkpoint = await projections.ReadCheckpointAsync(readModel.Name);
            Assert.True(checkpoint > 0, $"{readModel.Name} has no live checkpoint");
            var replay = await Replayer.ReplayAsync(events, Producer, to: new LogBound(checkpoint, null));
            var live = await projections.ReadDocumentsAsync(readModel.Name, "", "\U0010FFFF", int.MaxValue, descending: false);
            var replayed = replay.Projections[readModel.Name].Documents();

            Assert.Equal(live.Select(d => d.Id), replayed.Select(d => d.Id));
            foreach (var (a, b) in live.Zip(replayed))
            {
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(a.Body), JsonNode.Parse(b.Json)),
                    $"{readModel.Name}/{a.Id} differs:\nlive   {System.Text.Encoding.UTF8.GetString(a.Body)}\nreplay {System.Text.Encoding.UTF8.GetString(b.Json)}");
                compared++;
            }
        }

        return compared;
    }

    private static async Task<List<(string Id, byte[] Body)>> DocumentsAsync(IProjectionStore store, string projection) =>
        [.. (await store.ReadDocumentsAsync(projection, "", "\U0010FFFF", int.MaxValue, descending: false)).Select(d => (d.Id, d.Body.ToArray()))];

    private string PostgresLocation(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = _schema }.ConnectionString;

    private static JsonElement Json(AuditRun run) =>
        run.ExitCode == 0 ? JsonDocument.Parse(run.Out).RootElement : throw new InvalidOperationException(run.Error + run.Out);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (!_usedPostgres)
        {
            return;
        }

        await PostgresServer.DropSchemaAsync(await PostgresServer.ConnectionStringAsync(), _schema);
    }
}
