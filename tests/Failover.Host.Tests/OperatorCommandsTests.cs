using System.Text.Json;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Postgres;
using Failover.EventStore.Sqlite;
using Failover.Host.Commands;
using Failover.Service.Storage;
using Failover.Testing;
using Npgsql;

namespace Failover.Host.Tests;

/// <summary>
/// <c>failover automation pause|resume|rearm</c> and <c>failover switch --to DC</c> in-process: they record only into a
/// store that exists, for a producer that store knows, and a switch only to a data center of the service's
/// configuration (or, without it, of the producer's latest recorded decision); every argument is checked before anything
/// is opened. The stores are written here as the service writes them (its observer's first schedule and block, a decision).
/// </summary>
public sealed class OperatorCommandsTests : IDisposable
{
    private const string ChainId = "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906";
    private const string Ours = "failover.bp";
    private static readonly DateTimeOffset T = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Dc1Key = Key(1);
    private static readonly string Dc2Key = Key(2);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-operator-test-");

    private string StorePath => Path.Combine(_directory.FullName, "failover.db");

    private string Store => "sqlite:" + StorePath;

    public static TheoryData<string[]> EveryCommand => new()
    {
        { ["automation", "pause"] },
        { ["automation", "resume"] },
        { ["automation", "rearm"] },
        { ["switch", "--to", "dc2"] },
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task A_store_path_with_no_store_is_refused_naming_it_and_nothing_is_created(string[] command)
    {
        var typo = Path.Combine(_directory.FullName, "failover.bd");
        var inMissingDirectory = Path.Combine(_directory.FullName, "dat", "failover.db");

        var result = await RunAsync([.. command, "--store", "sqlite:" + typo, "--producer", Ours, "--reason", "maintenance"]);
        var nested = await RunAsync([.. command, "--store", "sqlite:" + inMissingDirectory, "--producer", Ours, "--reason", "maintenance"]);

        Assert.Equal((ExitCodes.Failure, ExitCodes.Failure), (result.ExitCode, nested.ExitCode));
        Assert.Equal([$"--store: there is no event store at {typo}. Operator commands record into the store the service runs on and never create one: check the path."], Lines(result.Error));
        Assert.Contains(inMissingDirectory, nested.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out + nested.Out);
        Assert.False(File.Exists(typo), "the mistyped store was created");
        Assert.False(Directory.Exists(Path.GetDirectoryName(inMissingDirectory)), "the mistyped store's directory was created");
    }

    [Fact]
    public async Task Every_argument_problem_is_listed_with_exit_2_before_the_store_is_opened()
    {
        var store = Path.Combine(_directory.FullName, "new", "failover.db");

        var result = await RunAsync(["switch", "--to", " ", "--store", "sqlite:" + store, "--producer", "Not A Name", "--reason", "", "--by", ""]);
        var noProducer = await RunAsync(["automation", "pause", "--store", "sqlite:" + store, "--reason", "maintenance"]);
        var badStore = await RunAsync(["automation", "pause", "--store", "mysql:failover", "--producer", Ours, "--reason", "x\u0007"]);

        Assert.Equal((ExitCodes.Usage, ExitCodes.Usage, ExitCodes.Usage), (result.ExitCode, noProducer.ExitCode, badStore.ExitCode));
        Assert.Equal(
            [
                "producer must be an account name, got 'Not A Name'.",
                "by must name who asks (1–100 characters).",
                "reason must say why (1–500 characters): it is kept in the audit trail.",
                "data_center must name the data center to fail over to.",
            ],
            Lines(result.Error));
        Assert.Equal(["--producer (or --config) is required: which producer's failover process is this for?"], Lines(noProducer.Error));
        Assert.Equal(["--store 'mysql:failover' is neither sqlite:PATH nor postgres:CONNECTION STRING.", "reason must not contain control characters."], Lines(badStore.Error));
        Assert.False(Directory.Exists(Path.GetDirectoryName(store)), "a store was opened despite the problems");
    }

    [Fact]
    public async Task A_file_that_is_not_an_event_store_is_refused_and_left_as_it_was()
    {
        var notes = Path.Combine(_directory.FullName, "notes.db");
        await File.WriteAllTextAsync(notes, "not a database");

        var result = await RunAsync(["automation", "pause", "--store", "sqlite:" + notes, "--producer", Ours, "--reason", "maintenance"]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var message = Assert.Single(Lines(result.Error));
        Assert.StartsWith($"--store: the event store sqlite:{notes} cannot be used: ", message, StringComparison.Ordinal);
        Assert.Equal("not a database", await File.ReadAllTextAsync(notes));
        Assert.Equal([notes], Directory.GetFiles(_directory.FullName));
    }

    [Fact]
    public async Task On_a_store_the_service_has_just_started_on_a_scheduled_producer_is_recorded_with_who_and_why()
    {
        await WriteStoreAsync(JustStarted());

        var result = await RunAsync(["automation", "pause", "--store", Store, "--producer", Ours, "--reason", "dc1 maintenance", "--by", "alice"]);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Error);
        Assert.Equal(["Recorded at position 3: automation paused."], Lines(result.Out));
        var paused = Assert.IsType<AutomationPaused>(Assert.Single(await ReadStreamAsync(Streams.Failover(Ours))));
        Assert.Equal((Ours, "alice", "dc1 maintenance"), (paused.Producer, paused.By, paused.Reason));
    }

    [Theory]
    [InlineData("failover.bq")]
    [InlineData("failoverbp")]
    public async Task A_producer_the_store_does_not_know_is_refused_and_nothing_is_recorded(string typo)
    {
        await WriteStoreAsync([.. JustStarted(), (Streams.Failover("producer.b"), Paused("producer.b"))]);

        var result = await RunAsync(["automation", "pause", "--store", Store, "--producer", typo, "--reason", "maintenance"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            [
                $"--producer {typo}: the store {Store} knows no producer {typo} — there is no stream failover-{typo} and {typo} is in no producer schedule "
                + "the service's observer recorded there. Check --producer and --store; a service that has only just started knows its chain's producers "
                + "once it has recorded its first block.",
            ],
            Lines(result.Error));
        Assert.Empty(result.Out);
        Assert.Equal(3, await HeadAsync());
    }

    [Fact]
    public async Task A_producer_whose_process_stream_exists_is_known_without_a_chain_stream()
    {
        await WriteStoreAsync((Streams.Failover(Ours), Paused(Ours)));

        var result = await RunAsync(["automation", "resume", "--store", Store, "--producer", Ours, "--reason", "maintenance over"]);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.Error);
        Assert.Equal(["Recorded at position 2: automation resumed."], Lines(result.Out));
        Assert.IsType<AutomationResumed>((await ReadStreamAsync(Streams.Failover(Ours)))[^1]);
    }

    [Fact]
    public async Task Without_config_switch_checks_the_target_against_the_data_centers_of_the_latest_decision()
    {
        await WriteStoreAsync([.. JustStarted(), (Streams.Failover(Ours), Suppressed(["dc1", "dc9-old"])), (Streams.Failover(Ours), Suppressed(["dc1", "dc2"]))]);

        var unknown = await RunAsync(["switch", "--to", "dc9-old", "--store", Store, "--producer", Ours, "--reason", "drill"]);
        var known = await RunAsync(["switch", "--to", "dc2", "--store", Store, "--producer", Ours, "--reason", "drill"]);

        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Equal(
            [
                "--to dc9-old is not a data center of failover.bp: the store records dc1, dc2 (with its latest decision, at position 4, 2025-06-01 12:00:00Z). "
                + "If the configuration has changed since, give --config FILE, the service's configuration.",
            ],
            Lines(unknown.Error));
        Assert.True(known.ExitCode == ExitCodes.Ok, known.Error);
        Assert.Equal(["Recorded at position 5: manual failover to dc2 requested; the service decides on it."], Lines(known.Out));
        var requested = Assert.IsType<ManualFailoverRequested>((await ReadStreamAsync(Streams.Failover(Ours)))[^1]);
        Assert.Equal("dc2", requested.DataCenter);
    }

    [Fact]
    public async Task Without_config_switch_on_a_store_that_records_no_decision_asks_for_the_config()
    {
        await WriteStoreAsync(JustStarted());

        var result = await RunAsync(["switch", "--to", "dc2", "--store", Store, "--producer", Ours, "--reason", "drill"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            [
                "--to dc2: the store records no data centers of failover.bp yet (they are recorded with each decision); "
                + "give --config FILE, the service's configuration, to check the data center against.",
            ],
            Lines(result.Error));
        Assert.Equal(2, await HeadAsync());
    }

    [Fact]
    public async Task With_config_switch_takes_store_and_producer_from_it_and_checks_the_target_against_its_data_centers()
    {
        await WriteStoreAsync(JustStarted());
        var config = WriteConfig(Store);

        var unknown = await RunAsync(["switch", "--to", "dc9", "--config", config, "--reason", "drill"]);
        var known = await RunAsync(["switch", "--to", "dc2", "--config", config, "--reason", "drill"]);

        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Equal(["data_center 'dc9' is not configured; known: dc1, dc2."], Lines(unknown.Error));
        Assert.True(known.ExitCode == ExitCodes.Ok, known.Error);
        Assert.Equal(["Recorded at position 3: manual failover to dc2 requested; the service decides on it."], Lines(known.Out));
        Assert.Equal("dc2", Assert.IsType<ManualFailoverRequested>(Assert.Single(await ReadStreamAsync(Streams.Failover(Ours)))).DataCenter);
    }

    [Fact]
    public async Task A_config_problem_or_a_producer_other_than_the_configs_is_refused_before_the_store_is_opened()
    {
        var missingStore = Path.Combine(_directory.FullName, "new", "failover.db");
        var config = WriteConfig("sqlite:" + missingStore);
        var missingConfig = Path.Combine(_directory.FullName, "missing.json");

        var other = await RunAsync(["automation", "pause", "--config", config, "--producer", "producer.b", "--reason", "maintenance"]);
        var missing = await RunAsync(["automation", "pause", "--config", missingConfig, "--reason", "maintenance"]);

        Assert.Equal((ExitCodes.Usage, ExitCodes.Usage), (other.ExitCode, missing.ExitCode));
        Assert.Equal(["--producer producer.b is not the producer of --config, whose service runs for failover.bp."], Lines(other.Error));
        Assert.Equal([$"--config: {missingConfig} does not exist."], Lines(missing.Error));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missingStore)));
    }

    [Fact]
    public async Task A_postgres_schema_without_an_event_store_is_refused_naming_it_and_nothing_is_created()
    {
        var server = await PostgresServer.ConnectionStringAsync();
        var schema = PostgresServer.NewSchema("op_typo");
        var store = "postgres:" + new NpgsqlConnectionStringBuilder(server) { SearchPath = schema };

        try
        {
            var result = await RunAsync(["automation", "pause", "--store", store, "--producer", Ours, "--reason", "maintenance"]);

            Assert.Equal(ExitCodes.Failure, result.ExitCode);
            var message = Assert.Single(Lines(result.Error));
            Assert.StartsWith("--store: the event store postgres:", message, StringComparison.Ordinal);
            Assert.Contains($"Schema '{schema}' holds no event store", message, StringComparison.Ordinal);
            Assert.Contains("Password=***", message, StringComparison.Ordinal);
            Assert.DoesNotContain("Password=" + new NpgsqlConnectionStringBuilder(server).Password, message, StringComparison.Ordinal);
            Assert.Equal(0L, await ScalarAsync(server, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(server, schema);
        }
    }

    [Fact]
    public async Task A_postgres_store_the_service_has_just_started_on_is_recorded_into()
    {
        var server = await PostgresServer.ConnectionStringAsync();
        var schema = PostgresServer.NewSchema("op_pg");
        try
        {
            await using (var store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = server, Schema = schema }))
            {
                await AppendAsync(store, JustStarted());
            }

            var result = await RunAsync(
                ["automation", "pause", "--store", "postgres:" + new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }, "--producer", Ours, "--reason", "maintenance"]);

            Assert.True(result.ExitCode == ExitCodes.Ok, result.Error);
            Assert.Equal(["Recorded at position 3: automation paused."], Lines(result.Out));
            Assert.Equal(1L, await ScalarAsync(server, $"SELECT count(*) FROM \"{schema}\".events WHERE stream = $1", Streams.Failover(Ours)));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(server, schema);
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static async Task<object?> ScalarAsync(string connectionString, string sql, string parameter)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = parameter });
        return await command.ExecuteScalarAsync();
    }

    private static async Task AppendAsync(IEventStore store, (string Stream, object Event)[] events)
    {
        foreach (var (stream, e) in events)
        {
            await store.AppendToStreamAsync(stream, ExpectedVersion.Any, [DomainEvents.ToEventData(Guid.NewGuid(), e)]);
        }
    }

    private static Task<CliResult> RunAsync(string[] args) => CliRunner.RunAsync(args).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>What the observer of a service that has just started has recorded: the schedule it found, then the first block.</summary>
    private static (string Stream, object Event)[] JustStarted() =>
    [
        (Streams.Chain(ChainId), new ProducerScheduleChanged(
            ChainId, 1, [new ScheduleEntry("producer.b", 1, [new ScheduleKey(Key(3), 1)]), new ScheduleEntry(Ours, 1, [new ScheduleKey(Dc1Key, 1)])], 100, 1000, T)),
        (Streams.Chain(ChainId), new BlockProduced(ChainId, 100, new string('1', 64), new string('0', 64), "producer.b", T, 1000, 1, T)),
    ];

    private static AutomationPaused Paused(string producer) => new(producer, "bob", "earlier", T);

    /// <summary>A suppressed decision whose evidence lists <paramref name="dataCenters"/>, as the configuration had them.</summary>
    private static FailoverSuppressed Suppressed(string[] dataCenters) => new(
        Ours,
        "incident-1",
        ["automation-paused"],
        new Decision(DecisionOutcome.Suppress, ["automation-paused"], null, [], "0123456789abcdef"),
        new Evidence(
            Ours,
            T,
            ConsensusKind.Savanna,
            null,
            null,
            new ScheduleEvidence(true, 1, 2, [Dc1Key]),
            new ChainEvidence(100, new string('1', 64), T, 99, new string('0', 64), T, true, null, null, null, 1, 1),
            new ProcessEvidence(true, false, null, null, []),
            [.. dataCenters.Select((name, i) => new DataCenterEvidence(name, i + 1, Key(i + 1), null, false, null, null))]),
        new FailoverPolicy(),
        T);

    private static string Key(int seed) => PrivateKey.FromSecret(Enumerable.Repeat((byte)seed, 32).ToArray()).PublicKey.ToString();

    private async Task WriteStoreAsync(params (string Stream, object Event)[] events)
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = StorePath });
        await AppendAsync(store, events);
    }

    private async Task<List<object>> ReadStreamAsync(string stream)
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = StorePath, ReadOnly = true });
        var events = new List<object>();
        await foreach (var (_, e) in DomainEvents.ReadStreamAsync(store, stream, 0, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }

    private async Task<long> HeadAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = StorePath, ReadOnly = true });
        return await store.ReadHeadPositionAsync();
    }

    /// <summary>The service's configuration (DryRun, so no signer key): failover.bp with data centers dc1 and dc2, recording into <paramref name="store"/>.</summary>
    private string WriteConfig(string store)
    {
        var path = Path.Combine(_directory.FullName, "config.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Failover"] = new Dictionary<string, object>
            {
                ["ObserverId"] = "obs-1",
                ["Store"] = store,
                ["Chain"] = new Dictionary<string, object> { ["Id"] = ChainId, ["Endpoints"] = new[] { "http://127.0.0.1:1" }, ["Consensus"] = "legacy" },
                ["Producer"] = Ours,
                ["DataCenters"] = new object[]
                {
                    new Dictionary<string, object> { ["Name"] = "dc1", ["Priority"] = 1, ["SigningKey"] = Dc1Key },
                    new Dictionary<string, object> { ["Name"] = "dc2", ["Priority"] = 2, ["SigningKey"] = Dc2Key },
                },
                ["Signer"] = new Dictionary<string, object> { ["Permission"] = "failover" },
                ["DryRun"] = true,
            },
        }));
        return path;
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
}
