using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;
using Failover.Service.Configuration;
using Failover.Service.Observation;
using Failover.Service.Process;
using Failover.Service.Storage;
using Failover.Simulator;
using Failover.Service.Tests;
using Failover.Testing;
using Failover.Simulator.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Api.Tests;

/// <summary>
/// The service's observer and process manager against the in-process simulator on one fake clock, stepped slot by
/// slot over a SQLite store (as Failover.Service.Tests' ServiceRig, reduced to what the API tests need): the store is
/// seeded with the real events, and the web application under test (<see cref="FailoverApiFactory"/>) serves it.
/// </summary>
public sealed class ApiRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs);
    public const string Ours = "failover.bp";

    private readonly DirectoryInfo _directory;
    private readonly HttpClient _client;
    private Observer _observer;
    private readonly ManagerTurns _manager;

    private ApiRig(FakeTimeProvider clock, ChainSimulator simulator, DirectoryInfo directory, FailoverSettings settings, SqliteEventStore store)
    {
        (Clock, Simulator, _directory, Settings, Store) = (clock, simulator, directory, settings, store);
        Handler = new InProcessChainHandler(simulator, clock);
        _client = new HttpClient(Handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var serviceClock = new RigClock(clock, Step);
        _observer = new Observer(settings, store, _client, serviceClock, NullLogger.Instance);
        _manager = new ManagerTurns(store, gated => new ProcessManager(settings, gated, _client, serviceClock, NullLogger.Instance));
    }

    public FakeTimeProvider Clock { get; }

    public ChainSimulator Simulator { get; }

    public InProcessChainHandler Handler { get; }

    /// <summary>The settings of the observer and manager; the web application is given these (with API or alert changes).</summary>
    public FailoverSettings Settings { get; }

    public SqliteEventStore Store { get; }

    public DirectoryInfo Directory => _directory;

    /// <summary>A chain with <paramref name="history"/> of blocks before the service starts, read back by the observer's first polls.</summary>
    public static async Task<ApiRig> StartAsync(TimeSpan history, string seed = "api")
    {
        var clock = new FakeTimeProvider(Start);
        var simulator = new ChainSimulator(new SimulationOptions { Consensus = ConsensusMode.Savanna, Seed = seed, GenesisTime = Start - history }, clock);
        var directory = System.IO.Directory.CreateTempSubdirectory("failover-api-");
        var keyFile = Path.Combine(directory.FullName, "failover.key");
        var failoverKey = simulator.Roster.Accounts.Single(a => a.Account == Name.Parse(Ours)).Permissions[Roster.FailoverPermission];
        await File.WriteAllTextAsync(keyFile, failoverKey.ExportPvtK1());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead);
        }
        var path = Path.Combine(directory.FullName, "failover.db");
        var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, TimeProvider = clock, Durability = SqliteDurability.Normal });
        var settings = new FailoverSettings(
            "obs-1",
            new StoreLocation(StoreKind.Sqlite, path),
            simulator.ChainId,
            [new Uri("http://simulator/"), new Uri("http://simulator/node/api2")],
            ConsensusKind.Savanna,
            Name.Parse(Ours),
            [.. simulator.Roster.NodesOf(Name.Parse(Ours)).Select((node, n) => new DataCenter(node.DataCenter, n + 1, node.SigningKey.PublicKey, node.FinalizerKey, null))],
            new SignerSettings(Roster.FailoverPermission, keyFile, null),
            new FailoverPolicy(),
            false,
            history > TimeSpan.Zero ? ObserverSettings.Default with { FromBlock = 2 } : ObserverSettings.Default,
            new ApiSettings(null, null, false));
        return new ApiRig(clock, simulator, directory, settings, store);
    }

    /// <summary>One slot: the clock and the chain move, the observer polls (again while behind), the manager handles what was appended.</summary>
    public async Task StepAsync()
    {
        Clock.Advance(Step);
        Simulator.Advance();
        PollOutcome outcome;
        do
        {
            outcome = await _observer.PollOnceAsync(CancellationToken.None);
        }
        while (outcome.Behind);

        await _manager.TakeTurnAsync();
    }

    public async Task RunForAsync(TimeSpan span)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += Step)
        {
            await StepAsync();
        }
    }

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

    /// <summary>Our first data center goes down just before our window; steps until the service completed its failover.</summary>
    public async Task RunOutageUntilFailoverCompletedAsync()
    {
        await RunUntilAsync(() =>
        {
            var state = Simulator.View();
            var schedule = state.ActiveSchedule;
            return Task.FromResult(schedule.ProducerForSlot(state.Head.Slot + 2).Producer == Name.Parse(Ours)
                && schedule.ProducerForSlot(state.Head.Slot).Producer != Name.Parse(Ours));
        }, TimeSpan.FromMinutes(5), "our next window");
        Simulator.SetNodeDown(Ours + "/dc1", true);
        await RunUntilAsync(async () => (await ProcessEventsAsync()).OfType<FailoverCompleted>().Any(), TimeSpan.FromMinutes(6), "failover completed");
    }

    public async Task<List<object>> ProcessEventsAsync()
    {
        var events = new List<object>();
        await foreach (var (_, e) in DomainEvents.ReadStreamAsync(Store, Streams.Failover(Ours), 0, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        if (_manager.Loop is { } loop)
        {
            await loop.DisposeAsync();
        }

        await Store.DisposeAsync();
        _client.Dispose();
        Handler.Dispose();
        _directory.Delete(recursive: true);
    }
}
