using System.Net;
using System.Text;
using Failover.Antelope;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;
using Failover.EventStore.Postgres;
using Failover.EventStore.Sqlite;
using Failover.Service.Configuration;
using Failover.Service.Observation;
using Failover.Service.Process;
using Failover.Service.Storage;
using Failover.Simulator;
using Failover.Simulator.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Service.Tests;

/// <summary>How a rig is built: the chain, how much of it exists before the service starts, the store, the instances.</summary>
internal sealed record RigOptions
{
    public ConsensusMode Consensus { get; init; } = ConsensusMode.Savanna;

    public string Seed { get; init; } = "service";

    /// <summary>
    /// Chain time produced before the service starts: the observer reads it back from block 2 in its first polls
    /// (batches of its BatchSize) instead of the rig stepping through it slot by slot — the same events, a fraction of
    /// the work. Zero: the service starts with the chain's genesis and the observer from the head.
    /// </summary>
    public TimeSpan History { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The simulator's API nodes (the first answers http://simulator/).</summary>
    public IReadOnlyList<string> ApiNodes { get; init; } = ["api1", "api2"];

    /// <summary>Changes the settings of every instance (the defaults: endpoints api1 and api2, dc1 then dc2, no DC endpoints).</summary>
    public Func<FailoverSettings, FailoverSettings>? Configure { get; init; }

    /// <summary>Null: a SQLite file of the rig's own. Else a PostgreSQL store in this schema (created, dropped at the end).</summary>
    public string? PostgresSchema { get; init; }

    /// <summary>Service instances (observer + process manager) over the one store, observer ids obs-1, obs-2, ….</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Each instance with a SQLite store of its own (design §2.2's "separate stores") instead of one shared store.</summary>
    public bool SeparateStores { get; init; }

    /// <summary>
    /// The policy <c>failover run</c> defaults to (<see cref="FailoverPolicy.ServiceDefault"/>: Savanna early detection
    /// and the degraded rule on); off, the record's own defaults, where only missed runs open incidents.
    /// </summary>
    public bool ServiceDefaultPolicy { get; init; }

    /// <summary>Wraps each store before the instances get it (a test's decorator, e.g. one that loses an append's reply).</summary>
    public Func<IEventStore, IEventStore>? WrapStore { get; init; }
}

/// <summary>One service instance: its settings, observer and process manager (rebuilt on restart), and what they logged.</summary>
internal sealed class ServiceInstance(FailoverSettings settings, IEventStore store)
{
    public FailoverSettings Settings { get; set; } = settings;

    public IEventStore Store { get; } = store;

    /// <summary>False while the instance is down: the rig does not step it.</summary>
    public bool Running { get; set; } = true;

    public RecordingLogger Log { get; } = new();

    public Observer Observer { get; set; } = null!;

    public ProcessManager Manager => Turns.Manager;

    public ManagerTurns Turns { get; set; } = null!;
}

/// <summary>A push_transaction the service sent: the body, the API node it went to and when.</summary>
internal sealed record RecordedPush(PackedTransaction Body, string TransactionId, string Path, DateTimeOffset At);

/// <summary>Thrown by a rig hook to stand for the process dying at that point: nothing after it runs.</summary>
internal sealed class SimulatedCrash(string where) : Exception($"simulated crash {where}");

/// <summary>
/// The service against the in-process simulator on one fake clock, stepped slot by slot: each step moves the clock
/// half a second, polls every observer once (again while it is behind) and lets every process manager handle what was
/// appended. No socket, no sleep. Every push_transaction the service sends is recorded, and a test can intercept it.
/// </summary>
internal sealed class ServiceRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs);

    private readonly DirectoryInfo _directory;
    private readonly RecordingHandler _http;
    private readonly HttpClient _client;
    private readonly RigClock _serviceClock;
    private readonly string? _postgresSchema;
    private readonly string? _postgresConnection;
    private readonly List<BackgroundLoop> _retired = [];
    private readonly List<ManagerTurns> _followers = [];
    private long _steps;

    private ServiceRig(FakeTimeProvider clock, ChainSimulator simulator, DirectoryInfo directory, IReadOnlyList<(FailoverSettings Settings, IEventStore Store)> instances, string? postgresSchema, string? postgresConnection)
    {
        (Clock, Simulator, _directory, _postgresSchema, _postgresConnection) = (clock, simulator, directory, postgresSchema, postgresConnection);
        _serviceClock = new RigClock(clock, Step);
        _http = new RecordingHandler(new InProcessChainHandler(simulator, clock), clock);
        _client = new HttpClient(_http) { Timeout = Timeout.InfiniteTimeSpan };
        Instances = [.. instances.Select(i => new ServiceInstance(i.Settings, i.Store))];
        foreach (var instance in Instances)
        {
            Rebuild(instance);
        }
    }

    public FakeTimeProvider Clock { get; }

    /// <summary>The clock the rig gives the service (<see cref="RigClock"/>): for a service part a test builds itself.</summary>
    public TimeProvider ServiceClock => _serviceClock;

    public ChainSimulator Simulator { get; }

    public IReadOnlyList<ServiceInstance> Instances { get; }

    public FailoverSettings Settings => Instances[0].Settings;

    /// <summary>The (first instance's) event store.</summary>
    public IEventStore Store => Instances[0].Store;

    public Observer Observer => Instances[0].Observer;

    public ProcessManager Manager => Instances[0].Manager;

    /// <summary>Every push_transaction body that reached a node (the simulator, or a hook answering for it), in order.</summary>
    public IReadOnlyList<PackedTransaction> Pushes => [.. _http.Pushes.Select(p => p.Body)];

    public IReadOnlyList<RecordedPush> RecordedPushes => _http.Pushes;

    public static Name Ours { get; } = Name.Parse("failover.bp");

    public static string OursText => Ours.ToString();

    /// <summary>The first endpoint (api1) as the service names it.</summary>
    public const string Api1 = "http://simulator";

    public static Task<ServiceRig> StartAsync(
        ConsensusMode mode = ConsensusMode.Savanna, Func<FailoverSettings, FailoverSettings>? configure = null, string seed = "service") =>
        StartAsync(new RigOptions { Consensus = mode, Configure = configure, Seed = seed, History = TimeSpan.Zero });

    public static async Task<ServiceRig> StartAsync(RigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = new FakeTimeProvider(Start);
        var simulator = new ChainSimulator(
            new SimulationOptions { Consensus = options.Consensus, Seed = options.Seed, ApiNodes = options.ApiNodes, GenesisTime = Start - options.History },
            clock);
        var directory = Directory.CreateTempSubdirectory("failover-service-");
        var keyFile = Path.Combine(directory.FullName, "failover.key");
        var failoverKey = simulator.Roster.Accounts.Single(a => a.Account == Ours).Permissions[Roster.FailoverPermission];
        File.WriteAllText(keyFile, failoverKey.ExportPvtK1());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead);
        }

        string? connection = null;
        string SqlitePath(int instance) => Path.Combine(directory.FullName, options.SeparateStores ? $"failover-{instance}.db" : "failover.db");
        var stores = new List<IEventStore>();
        for (var i = 1; i <= (options.SeparateStores ? options.Instances : 1); i++)
        {
            stores.Add((options.WrapStore ?? (s => s))(options.PostgresSchema is { } schema
                ? await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions
                {
                    ConnectionString = connection = await PostgresServer.ConnectionStringAsync(), Schema = schema, TimeProvider = clock,
                }, CancellationToken.None)
                : await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions
                {
                    // The rig's crashes are process crashes, not power losses: no fsync per commit.
                    Path = SqlitePath(i), TimeProvider = clock, Durability = SqliteDurability.Normal,
                }, CancellationToken.None)));
        }

        var settings = Enumerable.Range(1, options.Instances).Select(i =>
        {
            var observer = options.History > TimeSpan.Zero ? ObserverSettings.Default with { FromBlock = 2 } : ObserverSettings.Default;
            var s = new FailoverSettings(
                $"obs-{i}",
                options.PostgresSchema is null
                    ? new StoreLocation(StoreKind.Sqlite, SqlitePath(i))
                    : new StoreLocation(StoreKind.Postgres, connection!),
                simulator.ChainId,
                [new Uri("http://simulator/"), .. options.ApiNodes.Skip(1).Select(n => new Uri($"http://simulator/node/{n}"))],
                options.Consensus == ConsensusMode.Savanna ? ConsensusKind.Savanna : ConsensusKind.Legacy,
                Ours,
                [.. simulator.Roster.NodesOf(Ours).Select((node, n) => new DataCenter(node.DataCenter, n + 1, node.SigningKey.PublicKey, node.FinalizerKey, null))],
                new SignerSettings(Roster.FailoverPermission, keyFile, null),
                options.ServiceDefaultPolicy ? FailoverPolicy.ServiceDefault : new FailoverPolicy(),
                false,
                observer,
                new ApiSettings(null, null, false));
            return options.Configure?.Invoke(s) ?? s;
        }).ToList();
        return new ServiceRig(clock, simulator, directory, [.. settings.Select((s, i) => (s, stores[options.SeparateStores ? i : 0]))], options.PostgresSchema, connection);
    }

    /// <summary>
    /// One slot: the clock moves, the chain produces, every observer polls, then every process manager handles what
    /// was appended (in turns: the first instance first on even steps, the last first on odd ones).
    /// </summary>
    public async Task StepAsync()
    {
        Clock.Advance(Step);
        Simulator.Advance();
        await SettleAsync();
    }

    /// <summary>Every observer polls and every process manager handles what was appended — the clock does not move.</summary>
    public async Task SettleAsync()
    {
        var order = (_steps++ % 2 == 0 ? Instances : Instances.Reverse()).Where(i => i.Running).ToList();
        foreach (var instance in order)
        {
            PollOutcome outcome;
            do
            {
                outcome = await Watched(instance.Observer.PollOnceAsync(CancellationToken.None), "the observer's poll");
            }
            while (outcome.Behind);
        }

        // Each manager in turn handles everything the log holds while the others wait at their gates; round after
        // round until none has anything left.
        var turns = order.Select(i => i.Turns).Concat(_followers).ToList();
        bool handled;
        do
        {
            handled = false;
            foreach (var turn in turns)
            {
                handled |= await turn.TakeTurnAsync();
            }
        }
        while (handled);
    }

    /// <summary>A process manager a test built itself (other HTTP, another logger) over the first store, run in the rig's turns from the next settle on.</summary>
    public ProcessManager Follow(Func<IEventStore, ProcessManager> build)
    {
        var turns = new ManagerTurns(Store, build);
        _followers.Add(turns);
        return turns.Manager;
    }

    /// <summary>
    /// A watchdog, not a synchronisation: a step never waits on real time, so one that has not finished after a minute
    /// is waiting for the fake clock, which does not move while the rig awaits it — fail instead of hanging.
    /// </summary>
    private static async Task<T> Watched<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"{what} is still waiting after a minute of real time: it waits for the fake clock, which the rig moves only between steps.", e);
        }
    }

    /// <summary>The chain goes on while the service is down: the clock moves, blocks are produced, nobody observes.</summary>
    public void RunChainAlone(TimeSpan span)
    {
        Clock.Advance(span);
        Simulator.Advance();
    }

    public async Task RunForAsync(TimeSpan span)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += Step)
        {
            await StepAsync();
        }
    }

    /// <summary>Steps until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <paramref name="limit"/> of chain time.</summary>
    public async Task RunUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < limit; elapsed += Step)
        {
            if (await condition())
            {
                return;
            }

            await StepAsync();
        }

        Assert.Fail($"Not within {limit.TotalSeconds} s of chain time: {what}");
    }

    public Task RunUntilAsync(Func<bool> condition, TimeSpan limit, string what) => RunUntilAsync(() => Task.FromResult(condition()), limit, what);

    /// <summary>Steps until a hook throws <see cref="SimulatedCrash"/> (the service "dies" there); fails if it does not within <paramref name="limit"/>.</summary>
    public async Task<SimulatedCrash> RunUntilCrashAsync(TimeSpan limit)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < limit; elapsed += Step)
        {
            try
            {
                await StepAsync();
            }
            catch (SimulatedCrash crash)
            {
                return crash;
            }
        }

        Assert.Fail($"No simulated crash within {limit.TotalSeconds} s of chain time");
        return null!;
    }

    /// <summary>Steps until the chain has just entered the last window before ours: our next window is about to begin.</summary>
    public Task RunUntilJustBeforeOurWindowAsync(int slotsBefore = 2) => RunUntilAsync(() =>
    {
        var head = Simulator.View().Head;
        var schedule = Simulator.View().ActiveSchedule;
        var next = head.Slot + (uint)slotsBefore;
        return schedule.ProducerForSlot(next).Producer == Ours && schedule.ProducerForSlot(head.Slot).Producer != Ours;
    }, TimeSpan.FromMinutes(5), "our next window");

    /// <summary>Steps until the chain's head is the <paramref name="produced"/>-th block of one of our windows.</summary>
    public Task RunUntilInsideOurWindowAsync(int produced) => RunUntilAsync(() =>
    {
        var state = Simulator.View();
        var head = state.Head;
        return head.Producer == Ours && head.Slot % 12 == (uint)(produced - 1);
    }, TimeSpan.FromMinutes(5), $"block {produced} of our window");

    /// <summary>The domain events of a stream, in order.</summary>
    public async Task<List<object>> EventsAsync(string stream, int instance = 0)
    {
        var events = new List<object>();
        await foreach (var (_, e) in DomainEvents.ReadStreamAsync(Instances[instance].Store, stream, 0, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>The recorded events of a stream (versions, metadata), in order.</summary>
    public async Task<List<RecordedEvent>> RecordsAsync(string stream, int instance = 0)
    {
        var records = new List<RecordedEvent>();
        await foreach (var (recorded, _) in DomainEvents.ReadStreamAsync(Instances[instance].Store, stream, 0, CancellationToken.None))
        {
            records.Add(recorded);
        }

        return records;
    }

    public static string ProcessStream => Streams.Failover(OursText);

    public string ChainStream => Streams.Chain(Simulator.ChainId.ToString());

    public Task<List<object>> ProcessEventsAsync(int instance = 0) => EventsAsync(ProcessStream, instance);

    public Task<List<object>> ChainEventsAsync() => EventsAsync(ChainStream);

    public Task<List<object>> ObserverEventsAsync(int instance = 0) => EventsAsync(Streams.Observer(Instances[instance].Settings.ObserverId), instance);

    /// <summary>The process stream's event type names, in order.</summary>
    public async Task<List<string>> ProcessTypesAsync(int instance = 0) => [.. (await ProcessEventsAsync(instance)).Select(e => EventCatalogue.Of(e.GetType()).Name)];

    /// <summary>A fresh observer and process manager over the same store, as after a crash and restart.</summary>
    public Task RestartAsync(int instance = 0)
    {
        Rebuild(Instances[instance]);
        Instances[instance].Running = true;
        return Task.CompletedTask;
    }

    /// <summary>The instance is down from now on (until restarted): the rig no longer steps it, and its manager stops.</summary>
    public void Kill(int instance)
    {
        Instances[instance].Running = false;
        Retire(Instances[instance]);
    }

    /// <summary>Runs with other settings from now on (a new observer and manager, same store).</summary>
    public void Reconfigure(Func<FailoverSettings, FailoverSettings> change, int instance = 0)
    {
        ArgumentNullException.ThrowIfNull(change);
        Instances[instance].Settings = change(Instances[instance].Settings);
        Rebuild(Instances[instance]);
    }

    /// <summary>Makes the simulator answer push_transaction with this instead of processing it.</summary>
    public void FailPushesWith(Func<HttpResponseMessage>? answer) =>
        _http.OnPush = answer is null ? null : _ => Task.FromResult(answer());

    /// <summary>
    /// Intercepts every push_transaction: the hook gets a function that forwards the push to the simulator and
    /// returns its answer, and answers (or throws) as it likes. Null: pushes go through.
    /// </summary>
    public void InterceptPushes(Func<Func<Task<HttpResponseMessage>>, Task<HttpResponseMessage>>? hook) => _http.OnPush = hook;

    /// <summary>
    /// Rewrites the body of every successful answer a node gives (request URL, body → the body the service reads; the
    /// same string instance leaves it alone): an endpoint that lies. Null stops rewriting.
    /// </summary>
    public void RewriteAnswers(Func<Uri, string, string>? rewrite) => _http.Rewrite = rewrite;

    /// <summary>
    /// Fails chain calls (not pushes) before they reach a node: the hook returns the exception the HTTP client would
    /// throw (a timeout, a refused connection) for a request URL, or null to let it through. Null stops failing.
    /// </summary>
    public void FailRequests(Func<Uri, Exception?>? fail) => _http.Fail = fail;

    /// <summary>A nodeos error body (e.g. a fixture of tests/Failover.Antelope.Tests/Fixtures) as an HTTP answer.</summary>
    public static HttpResponseMessage NodeosError(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>An operator's command to the failover process, decided on the process stream and appended as the Mediator handlers do.</summary>
    public async Task<ProcessDecision> OperatorAsync(Func<DateTimeOffset, FailoverCommand> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var process = FailoverProcess.Initial;
        foreach (var e in await ProcessEventsAsync())
        {
            process = process.Apply((IProcessEvent)e);
        }

        var decision = FailoverDecider.Decide(command(Clock.GetUtcNow()), process, OursText);
        if (decision.Events.Count > 0)
        {
            var expected = process.EventCount == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(process.EventCount - 1);
            await Store.AppendToStreamAsync(ProcessStream, expected, [.. decision.Events.Select(e => DomainEvents.ToEventData(Guid.NewGuid(), e, new EventMetadata(ObserverId: "operator")))]);
        }

        return decision;
    }

    /// <summary>Every transaction in the blocks of an API node's branch: its id and the block holding it.</summary>
    public IReadOnlyList<(uint BlockNum, string TransactionId)> TransactionsOnChain(string? apiNode = null) =>
        [.. Simulator.View(apiNode).Blocks.SelectMany(b => b.Transactions.Select(t => (b.Number, t.Id.ToString())))];

    public async ValueTask DisposeAsync()
    {
        foreach (var loop in _retired.Concat(Instances.Select(i => i.Turns).Concat(_followers).Select(t => t.Loop).OfType<BackgroundLoop>()))
        {
            await loop.DisposeAsync();
        }

        foreach (var store in Instances.Select(i => i.Store).Distinct())
        {
            await store.DisposeAsync();
        }

        _client.Dispose();
        _directory.Delete(recursive: true);
        if (_postgresSchema is { } schema && _postgresConnection is { } connection)
        {
            await PostgresServer.DropSchemaAsync(connection, schema);
        }
    }

    /// <summary>A new observer and process manager, as after a restart; the manager's loop starts at its first turn.</summary>
    private void Rebuild(ServiceInstance instance)
    {
        Retire(instance);
        instance.Observer = new Observer(instance.Settings, instance.Store, _client, _serviceClock, instance.Log);
        instance.Turns = new ManagerTurns(instance.Store, store => new ProcessManager(instance.Settings, store, _client, _serviceClock, instance.Log));
    }

    /// <summary>Stops the instance's manager loop (it is disposed with the rig: it may have failed, and the test saw that).</summary>
    private void Retire(ServiceInstance instance)
    {
        if (instance.Turns?.Loop is { } loop)
        {
            _retired.Add(loop);
        }
    }

    /// <summary>Passes requests on, keeping every push_transaction body; a hook can answer pushes itself.</summary>
    private sealed class RecordingHandler(HttpMessageHandler inner, TimeProvider clock) : DelegatingHandler(inner)
    {
        private readonly List<RecordedPush> _pushes = [];

        public Func<Func<Task<HttpResponseMessage>>, Task<HttpResponseMessage>>? OnPush { get; set; }

        public Func<Uri, string, string>? Rewrite { get; set; }

        public Func<Uri, Exception?>? Fail { get; set; }

        private void Record(RecordedPush push)
        {
            lock (_pushes)
            {
                _pushes.Add(push);
            }
        }

        public IReadOnlyList<RecordedPush> Pushes
        {
            get
            {
                lock (_pushes)
                {
                    return [.. _pushes];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/push_transaction", StringComparison.Ordinal))
            {
                var body = await request.Content!.ReadAsStringAsync(cancellationToken);
                var packed = System.Text.Json.JsonSerializer.Deserialize(body, Antelope.Chain.ChainJsonContext.Default.PackedTransaction)!;
                var id = Transaction.Unpack(Convert.FromHexString(packed.PackedTrx)).Id.ToString();
                var push = new RecordedPush(packed, id, request.RequestUri.AbsolutePath, clock.GetUtcNow());
                if (OnPush is not { } hook)
                {
                    Record(push);
                    return await base.SendAsync(request, cancellationToken);
                }

                // A push counts once it reaches a node: forwarded to the simulator, or answered by the hook standing in
                // for the node. A hook that throws without forwarding stands for a push that never left the process.
                var forwarded = false;
                var answer = await hook(() =>
                {
                    forwarded = true;
                    Record(push);
                    return base.SendAsync(request, cancellationToken);
                });
                if (!forwarded)
                {
                    Record(push);
                }

                return answer;
            }

            if (Fail?.Invoke(request.RequestUri) is { } failure)
            {
                throw failure;
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (Rewrite is { } rewrite && response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var rewritten = rewrite(request.RequestUri, text);
                if (!ReferenceEquals(rewritten, text))
                {
                    response.Content = new StringContent(rewritten, Encoding.UTF8, "application/json");
                }
            }

            return response;
        }
    }
}

/// <summary>Keeps what an instance logged (level and message), for scenarios that need to see what it tried.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
