using Failover.Antelope;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;
using Failover.Service.Configuration;
using Failover.Service.Observation;
using Failover.Service.Process;
using Failover.Service.Storage;
using Failover.Simulator;
using Failover.Simulator.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Service.Tests;

/// <summary>
/// The service against the in-process simulator on one fake clock, stepped slot by slot: each step moves the clock
/// half a second, polls the observer once and lets the process manager handle everything appended. No socket, no sleep.
/// Every push_transaction the service sends is recorded.
/// </summary>
internal sealed class ServiceRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs);

    private readonly DirectoryInfo _directory;
    private readonly RecordingHandler _http;
    private readonly HttpClient _client;

    private ServiceRig(FakeTimeProvider clock, ChainSimulator simulator, DirectoryInfo directory, FailoverSettings settings, IEventStore store)
    {
        (Clock, Simulator, _directory, Settings, Store) = (clock, simulator, directory, settings, store);
        _http = new RecordingHandler(new InProcessChainHandler(simulator, clock));
        _client = new HttpClient(_http) { Timeout = Timeout.InfiniteTimeSpan };
        Observer = NewObserver();
        Manager = NewManager();
    }

    public FakeTimeProvider Clock { get; }

    public ChainSimulator Simulator { get; }

    public FailoverSettings Settings { get; private set; }

    public IEventStore Store { get; private set; }

    public Observer Observer { get; private set; }

    public ProcessManager Manager { get; private set; }

    /// <summary>Every push_transaction body the service sent, in order.</summary>
    public IReadOnlyList<PackedTransaction> Pushes => _http.Pushes;

    public static Name Ours { get; } = Name.Parse("failover.bp");

    public static async Task<ServiceRig> StartAsync(
        ConsensusMode mode = ConsensusMode.Savanna, Func<FailoverSettings, FailoverSettings>? configure = null, string seed = "service")
    {
        var clock = new FakeTimeProvider(Start);
        var simulator = new ChainSimulator(new SimulationOptions { Consensus = mode, Seed = seed }, clock);
        var directory = Directory.CreateTempSubdirectory("failover-service-");
        var keyFile = Path.Combine(directory.FullName, "failover.key");
        var failoverKey = simulator.Roster.Accounts.Single(a => a.Account == Ours).Permissions[Roster.FailoverPermission];
        File.WriteAllText(keyFile, failoverKey.ExportPvtK1());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead);
        }

        var settings = new FailoverSettings(
            "obs-1",
            new StoreLocation(StoreKind.Sqlite, Path.Combine(directory.FullName, "failover.db")),
            simulator.ChainId,
            [new Uri("http://simulator/"), new Uri("http://simulator/node/api2")],
            mode == ConsensusMode.Savanna ? ConsensusKind.Savanna : ConsensusKind.Legacy,
            Ours,
            [.. simulator.Roster.NodesOf(Ours).Select((node, i) => new DataCenter(node.DataCenter, i + 1, node.SigningKey.PublicKey, node.FinalizerKey, null))],
            new SignerSettings(Roster.FailoverPermission, keyFile, null),
            new FailoverPolicy(),
            false,
            ObserverSettings.Default,
            new ApiSettings(null, null, false));
        settings = configure?.Invoke(settings) ?? settings;
        var store = await StoreOpener.OpenAsync(settings.Store, clock, CancellationToken.None);
        return new ServiceRig(clock, simulator, directory, settings, store);
    }

    /// <summary>One slot: the clock moves, the chain produces, the observer polls, the process manager handles what was appended.</summary>
    public async Task StepAsync()
    {
        Clock.Advance(Step);
        Simulator.Advance();
        PollOutcome outcome;
        do
        {
            outcome = await Observer.PollOnceAsync(CancellationToken.None);
        }
        while (outcome.Behind);

        await Manager.DrainAsync(CancellationToken.None);
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

    /// <summary>Steps until the chain has just entered the last window before ours: our next window is about to begin.</summary>
    public Task RunUntilJustBeforeOurWindowAsync(int slotsBefore = 2) => RunUntilAsync(() =>
    {
        var head = Simulator.View().Head;
        var schedule = Simulator.View().ActiveSchedule;
        var next = head.Slot + (uint)slotsBefore;
        return schedule.ProducerForSlot(next).Producer == Ours && schedule.ProducerForSlot(head.Slot).Producer != Ours;
    }, TimeSpan.FromMinutes(5), "our next window");

    /// <summary>The domain events of a stream, in order.</summary>
    public async Task<List<object>> EventsAsync(string stream)
    {
        var events = new List<object>();
        await foreach (var (_, e) in DomainEvents.ReadStreamAsync(Store, stream, 0, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }

    public Task<List<object>> ProcessEventsAsync() => EventsAsync(Streams.Failover(Ours.ToString()));

    public Task<List<object>> ChainEventsAsync() => EventsAsync(Streams.Chain(Simulator.ChainId.ToString()));

    /// <summary>A fresh observer and process manager over the same store, as after a crash and restart.</summary>
    public async Task RestartAsync()
    {
        Observer = NewObserver();
        Manager = NewManager();
        await Task.CompletedTask;
    }

    /// <summary>Runs with other settings from now on (a new observer and manager, same store).</summary>
    public void Reconfigure(Func<FailoverSettings, FailoverSettings> change)
    {
        Settings = change(Settings);
        Observer = NewObserver();
        Manager = NewManager();
    }

    /// <summary>Makes the simulator answer push_transaction with this instead of processing it.</summary>
    public void FailPushesWith(Func<HttpResponseMessage>? answer) => _http.PushAnswer = answer;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _client.Dispose();
        _directory.Delete(recursive: true);
    }

    private Observer NewObserver() => new(Settings, Store, _client, Clock, NullLogger.Instance);

    private ProcessManager NewManager() => new(Settings, Store, _client, Clock, NullLogger.Instance);

    /// <summary>Passes requests on, keeping every push_transaction body; can answer pushes itself.</summary>
    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly List<PackedTransaction> _pushes = [];

        public Func<HttpResponseMessage>? PushAnswer { get; set; }

        public IReadOnlyList<PackedTransaction> Pushes
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
                lock (_pushes)
                {
                    _pushes.Add(System.Text.Json.JsonSerializer.Deserialize(body, Antelope.Chain.ChainJsonContext.Default.PackedTransaction)!);
                }

                if (PushAnswer is { } answer)
                {
                    return answer();
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
