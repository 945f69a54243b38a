using System.Diagnostics.Metrics;
using Failover.EventStore.Postgres;
using Npgsql;

namespace Failover.EventStore.Tests;

/// <summary>The acceptance suite against a fresh schema per test on the real PostgreSQL server.</summary>
public sealed class PostgresEventStoreTests : EventStoreAcceptanceTests
{
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");
    private string? _connectionString;

    /// <summary>The server's connection string, tagged with this test's schema so its sessions can be found and killed.</summary>
    private async Task<string> ConnectionStringAsync() => _connectionString ??=
        new NpgsqlConnectionStringBuilder(await PostgresServer.ConnectionStringAsync()) { ApplicationName = _schema }.ConnectionString;

    protected override Task<IEventStore> OpenStoreAsync(StoreSettings settings) => OpenStoreAsync(settings, applicationName: _schema);

    /// <summary>A store whose sessions carry <paramref name="applicationName"/>, so they can be told apart on the server and in the pool metrics.</summary>
    private async Task<IEventStore> OpenStoreAsync(StoreSettings settings, string applicationName) =>
        await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(await ConnectionStringAsync()) { ApplicationName = applicationName }.ConnectionString,
            Schema = _schema,
            TimeProvider = settings.Clock,
            ReadPageSize = settings.ReadPageSize,
            SubscriptionBufferSize = settings.SubscriptionBufferSize,
            PollInterval = TimeSpan.FromSeconds(settings.PollIntervalSeconds),
            GapTimeout = TimeSpan.FromSeconds(settings.GapTimeoutSeconds),
            ReconnectDelay = TimeSpan.FromSeconds(settings.ReconnectDelaySeconds),
        });

    protected override async Task<int> ExecuteRawAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenRawAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    protected override IReadOnlyList<string> CrashWriterArguments => ["postgres", _connectionString!, _schema];

    /// <summary>What a schema migrated by the build before compaction is: migrations 1–3, no compaction table.</summary>
    protected override Task RevertToSchemaBeforeCompactionAsync() => ExecuteRawAsync("DROP TABLE compaction; DELETE FROM schema_migrations WHERE version = 4");

    protected override async Task DeleteDatabaseAsync()
    {
        await using var connection = await OpenRawAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenRawAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(await ConnectionStringAsync())
        {
            SearchPath = _schema, ApplicationName = "raw-" + _schema, Pooling = false,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Ends every server session of this test's stores, as a server restart or network failure would.</summary>
    private Task<int> TerminateStoreSessionsAsync() => TerminateSessionsAsync(_schema, "true");

    private async Task<int> TerminateSessionsAsync(string applicationName, string condition)
    {
        await using var connection = await OpenRawAsync();
        await using var kill = new NpgsqlCommand(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND {condition}", connection);
        kill.Parameters.Add(new() { Value = applicationName });
        return (int)(long)(await kill.ExecuteScalarAsync())!;
    }

    /// <summary>Connections the pools of stores named <paramref name="applicationName"/> have handed out and not got back (Npgsql's metrics).</summary>
    private static long ConnectionsInUse(string applicationName)
    {
        long inUse = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Meter.Name: "Npgsql", Name: "db.client.connection.count" })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            string? pool = null, state = null;
            foreach (var (key, tag) in tags)
            {
                (pool, state) = key switch
                {
                    "db.client.connection.pool.name" => (tag as string, state),
                    "db.client.connection.state" => (pool, tag as string),
                    _ => (pool, state),
                };
            }

            if (state == "used" && pool is not null && pool.Split(';').Contains("Application Name=" + applicationName))
            {
                inUse += value;
            }
        });
        meters.Start();
        meters.RecordObservableInstruments();
        return inUse;
    }

    private async Task<IEventStore> OpenAsync() => await OpenStoreAsync(new StoreSettings(Clock));

    private static EventData NewEvent(int n) =>
        new(Guid.NewGuid(), "thing-happened.v1", System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"));

    [Fact]
    public async Task Migrations_are_recorded_once_even_when_stores_start_concurrently()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync()));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        await using var connection = await OpenRawAsync();
        await using var read = new NpgsqlCommand("SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM schema_migrations", connection);

        Assert.Equal("1:001_initial.sql,2:002_append_bounds.sql,3:003_document_order.sql,4:004_compaction.sql", await read.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_retried_append_after_an_ambiguous_failure_commits_nothing_twice()
    {
        await using var store = await OpenAsync();
        var batch = new[] { NewEvent(1), NewEvent(2) };
        var original = await store.AppendToStreamAsync("s", ExpectedVersion.NoStream, batch);

        // The caller lost the connection and cannot know the outcome; it retries the same events.
        Assert.True(await TerminateStoreSessionsAsync() > 0);
        var retried = await store.AppendToStreamAsync("s", ExpectedVersion.NoStream, batch);

        Assert.Equal(original, retried);
        Assert.Equal(2, await store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task An_append_on_connections_the_server_ended_reconnects_and_commits_once()
    {
        await using var store = await OpenAsync();
        await store.AppendToStreamAsync("s", ExpectedVersion.NoStream, [NewEvent(1)]);
        await TerminateStoreSessionsAsync();

        var result = await store.AppendToStreamAsync("s", ExpectedVersion.Exact(0), [NewEvent(2)]);

        Assert.Equal(new AppendResult(1, 2), result);
        Assert.True((await store.VerifyHashChainAsync()).IsIntact);
    }

    [Fact]
    public async Task A_subscription_whose_connections_are_ended_waits_the_reconnect_delay_and_resumes_after_the_last_delivered_position()
    {
        await using var subscriber = await OpenStoreAsync(new StoreSettings(Clock, PollIntervalSeconds: 3600, ReconnectDelaySeconds: 5));
        await using var writer = await OpenAsync();
        await writer.AppendToStreamAsync("s", ExpectedVersion.Any, [NewEvent(1), NewEvent(2)]);
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["E1", "E2", "C2"], await TakeMessagesAsync(subscription, 3));
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // caught up, waiting for a notification or the poll

        var next = subscription.MoveNextAsync().AsTask();
        Assert.True(await TerminateStoreSessionsAsync() > 0);
        var afterFailure = await Clock.NextWaitAsync();
        await writer.AppendToStreamAsync("s", ExpectedVersion.Any, [NewEvent(3), NewEvent(4), NewEvent(5)]);
        Clock.Advance(afterFailure);
        await Clock.AdvanceUntilAsync(next); // reconnecting may meet more ended sessions in the pool: each waits the delay

        Assert.Equal(TimeSpan.FromSeconds(5), afterFailure);
        Assert.True(await next);
        Assert.Equal(["E3", "E4", "E5", "C5"], [Describe(subscription.Current), .. await TakeMessagesAsync(subscription, 3)]);
    }

    [Fact]
    public async Task A_live_subscription_holds_one_connection_however_often_it_wakes_and_gives_it_back_when_left()
    {
        var subscriberName = _schema + "_sub";
        await using var subscriber = await OpenStoreAsync(new StoreSettings(Clock, PollIntervalSeconds: 3600), subscriberName);
        var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["C0"], await TakeMessagesAsync(subscription, 1));
        var inUseWhileWaiting = new List<long>();

        for (var n = 1; n <= 20; n++)
        {
            Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // waiting for a notification
            inUseWhileWaiting.Add(ConnectionsInUse(subscriberName));
            await Store.AppendToStreamAsync("s", ExpectedVersion.Any, [NewEvent(n)]);
            Assert.Equal(["E" + n, "C" + n], await TakeMessagesAsync(subscription, 2));
        }

        await subscription.DisposeAsync();

        Assert.All(inUseWhileWaiting, inUse => Assert.Equal(1, inUse)); // the listening connection, nothing else
        Assert.Equal(0, ConnectionsInUse(subscriberName));
    }

    [Fact]
    public async Task A_subscription_whose_page_read_fails_reconnects_with_a_new_listening_connection_and_releases_the_old_one()
    {
        var subscriberName = _schema + "_sub";
        await using var subscriber = await OpenStoreAsync(new StoreSettings(Clock, PollIntervalSeconds: 3600, ReconnectDelaySeconds: 5), subscriberName);
        await Store.AppendToStreamAsync("s", ExpectedVersion.Any, [NewEvent(1)]);
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["E1", "C1"], await TakeMessagesAsync(subscription, 2));
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync());

        // The pooled connection that reads pages dies; the listening one lives and wakes the reader for the next append.
        Assert.True(await TerminateSessionsAsync(subscriberName, "query NOT LIKE 'LISTEN%'") > 0);
        var next = subscription.MoveNextAsync().AsTask();
        await Store.AppendToStreamAsync("s", ExpectedVersion.Any, [NewEvent(2)]);
        var afterFailure = await Clock.NextWaitAsync();
        Clock.Advance(afterFailure);
        await Clock.AdvanceUntilAsync(next); // more ended sessions in the pool fail the same way, each after the delay

        Assert.Equal(TimeSpan.FromSeconds(5), afterFailure);
        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal(["E2", "C2"], [Describe(subscription.Current), .. await TakeMessagesAsync(subscription, 1)]);
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync());
        Assert.Equal(1, ConnectionsInUse(subscriberName));
    }

    [Fact]
    public async Task Observers_appending_to_one_chain_stream_through_separate_connection_pools_store_every_block_once_without_gaps()
    {
        const int blocks = 120;
        await using var east = await OpenAsync();
        await using var west = await OpenAsync();
        var observers = new[] { new ChainStreamWriter(east, "aca376f2", "eu-1"), new ChainStreamWriter(west, "aca376f2", "us-1") };

        // Each observer sees the chain grow in its own steps (1-4 blocks at a time) and appends what it has not seen.
        await Task.WhenAll(observers.Select((observer, index) => Task.Run(async () =>
        {
            var random = new Random(index);
            for (var seen = 0; seen < blocks;)
            {
                seen = Math.Min(blocks, seen + random.Next(1, 5));
                await observer.ObserveAsync(ChainStreamWriter.Blocks(1, seen));
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        var chain = await east.ReadStreamAsync("chain-aca376f2", Direction.Forwards, StreamVersion.Start, int.MaxValue).ToListAsync();
        Assert.Equal(ChainStreamWriter.Blocks(1, blocks).Select(b => ChainStreamWriter.BlockEventId("aca376f2", b)), chain.Select(e => e.EventId));
        Assert.Equal(Enumerable.Range(0, blocks).Select(v => (long)v), chain.Select(e => e.Version));
        Assert.Equal(Enumerable.Range(1, blocks).Select(p => (long)p), chain.Select(e => e.Position));
        Assert.Equal(new ChainVerification(true, blocks, null), await west.VerifyHashChainAsync());
        Assert.All(observers, o => Assert.Equal(ChainStreamWriter.Blocks(1, blocks), o.Seen));
    }

    [Fact]
    public async Task Concurrent_appenders_keep_the_log_dense_and_chained_when_sessions_default_to_repeatable_read()
    {
        var repeatableRead = new NpgsqlConnectionStringBuilder(await ConnectionStringAsync())
        {
            Options = "-c default_transaction_isolation=repeatable\\ read",
        }.ConnectionString;
        await using (var probe = new NpgsqlConnection(repeatableRead))
        {
            await probe.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW default_transaction_isolation", probe);
            Assert.Equal("repeatable read", await show.ExecuteScalarAsync());
        }

        var stores = new List<IEventStore>();
        for (var i = 0; i < 2; i++)
        {
            stores.Add(await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions
            {
                ConnectionString = repeatableRead, Schema = _schema, TimeProvider = Clock,
            }));
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 10; i++)
                {
                    await stores[w % 2].AppendToStreamAsync($"writer-{w}", ExpectedVersion.Any, [NewEvent(i)]);
                }
            })));

            Assert.Equal(new ChainVerification(true, 80, null), await stores[0].VerifyHashChainAsync());
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Observers_appending_through_separate_stores_share_one_dense_chained_log()
    {
        await using var east = await OpenAsync();
        await using var west = await OpenAsync();

        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < 30; i++)
                {
                    await east.AppendToStreamAsync("east", ExpectedVersion.Any, [NewEvent(i)]);
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 0; i < 30; i++)
                {
                    await west.AppendToStreamAsync("west", ExpectedVersion.Any, [NewEvent(i), NewEvent(i)]);
                }
            }));

        Assert.Equal(new ChainVerification(true, 90, null), await east.VerifyHashChainAsync());
    }
}
