using System.Globalization;
using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Host.Commands;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Failover.Service.Storage;
using Failover.Simulator;
using Failover.Simulator.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Failover.Host.Demo;

/// <summary>What the demo runs: the simulated chain, where the service keeps its store and serves HTTP, how fast.</summary>
internal sealed record DemoOptions(
    SimulationOptions Simulation,
    double Speed,
    IReadOnlyList<string> Urls,
    DirectoryInfo? DataDirectory,
    bool KeepRunning)
{
    /// <summary>Full rounds the service watches before our first data center goes down (it judges participation over a full round).</summary>
    public int RoundsBeforeOutage { get; init; } = 2;

    /// <summary>A file holding the API token (owner-only): the dashboard's and the API's control routes then work; never printed.</summary>
    public string? ApiTokenFile { get; init; }

    /// <summary>The demo fails if production has not resumed this long (simulated) after the outage.</summary>
    public TimeSpan CompletionLimit { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long before our window dc1 goes down: early enough by default that, on Savanna, the silence of its finalizer
    /// is decided on and the new key is in force before our window, so no block is lost (docs/performance.md).
    /// </summary>
    public TimeSpan OutageBeforeOurWindow { get; init; } = DefaultOutageBeforeOurWindow;

    public static TimeSpan DefaultOutageBeforeOurWindow { get; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// <c>failover demo</c>: the real service — observer, projections, process manager, HTTP — over a SQLite store, against
/// the in-process simulator on a sped-up clock. It takes our first data center down just before our window and prints
/// the timeline from the events the service appends, then a summary; it exits 0 once a block signed by the standby's
/// key appears.
/// </summary>
internal sealed class DemoRun(CliConsole console, DemoOptions options)
{
    /// <summary>The service's store in the data directory: a directory holding one already is refused (its events would replay as new).</summary>
    public const string StoreFileName = "failover.db";

    private const string KeyFileName = "failover.key";

    private readonly TaskCompletionSource<FailoverCompleted> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<KeyRotationFailed> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _start;
    private DateTimeOffset? _downAt;
    private int _oursMissedSinceDown;
    private IncidentEvidence? _incident;
    private KeyRotationSubmitted? _submitted;
    private int _silentSinceDown;
    private uint _ourWindow;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var time = new ScaledTimeProvider(options.Speed);
        var simulator = new ChainSimulator(options.Simulation, time);
        var createdDirectory = options.DataDirectory is not { Exists: true };
        var directory = options.DataDirectory ?? Directory.CreateTempSubdirectory("failover-demo-");
        directory.Create();
        var settings = DemoSettings(simulator, directory) with { Api = new ApiSettings(null, options.ApiTokenFile, false) };
        // Timeouts run on the service's clock: keep them as long in real time as by default.
        settings = settings with { Observer = settings.Observer with { RequestTimeout = settings.Observer.RequestTimeout * options.Speed } };
        _start = time.GetUtcNow();
        await console.Out.WriteLineAsync(
            $"Failover demo: {simulator.Options.ProducerCount} simulated producers ({Mode(simulator)}, speed {options.Speed.ToString(CultureInfo.InvariantCulture)}×), " +
            $"ours {simulator.Roster.OurProducer} with data centers {string.Join(" and ", settings.DataCenters.Select(d => d.Name))}.").ConfigureAwait(false);
        await console.Out.WriteLineAsync($"Event store: {settings.Store} (data directory {directory.FullName}).").ConfigureAwait(false);

        int exit;
        var started = false;
        await using (var store = await StoreOpener.OpenAsync(settings.Store, time, cancellationToken).ConfigureAwait(false))
        {
            await using var app = FailoverApplication.Build(settings, store, new FailoverHostOptions
            {
                Urls = options.Urls,
                Time = time,
                ChainHandler = new InProcessChainHandler(simulator, time),
                ConfigureLogging = logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error),
            });
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                started = true;
            }
            catch (Exception e) when (RunCommand.IsListenFailure(e))
            {
                // The hosted services started before the server: stop them before the store is closed.
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await console.Error.WriteLineAsync(RunCommand.ListenFailure(e, options.Urls)).ConfigureAwait(false);
            }

            exit = started ? await RunStartedAsync(simulator, time, store, app, cancellationToken).ConfigureAwait(false) : ExitCodes.Failure;
        }

        if (!started)
        {
            // What this run created goes, so the same --data-dir can be used again once the port is free.
            RemoveWhatThisRunCreated(directory, createdDirectory);
        }

        return exit;
    }

    /// <summary>The demo with the service up: the outage, the timeline as the service records it, the summary.</summary>
    private async Task<int> RunStartedAsync(ChainSimulator simulator, TimeProvider time, IEventStore store, WebApplication app, CancellationToken cancellationToken)
    {
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"The service listens on {string.Join(", ", app.Urls)}. After {options.RoundsBeforeOutage} full rounds dc1 goes down, {options.OutageBeforeOurWindow.TotalSeconds:0.#} s before our window.")).ConfigureAwait(false);
        await console.Out.WriteLineAsync(
            $"Dashboard: {app.Urls.First()}/ (API reference /api/reference, metrics /metrics); control routes {(options.ApiTokenFile is null ? "disabled (give --api-token-file)" : "need the token of --api-token-file")}.").ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeline = Task.Run(() => FollowAsync(store, stop.Token), CancellationToken.None);
        int exit;
        try
        {
            exit = await DriveAsync(simulator, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("Demo cancelled.").ConfigureAwait(false);
            exit = ExitCodes.Failure;
        }

        if (exit == ExitCodes.Ok && options.KeepRunning)
        {
            await console.Out.WriteLineAsync($"The service keeps running on {string.Join(", ", app.Urls)}; press Ctrl+C to stop.").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await timeline.ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return exit;
    }

    /// <summary>The files a store in <paramref name="directory"/> consists of (SQLite's write-ahead log and its index beside the database).</summary>
    public static IEnumerable<string> StoreFiles(DirectoryInfo directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var database = Path.Combine(directory.FullName, StoreFileName);
        return [database, database + "-wal", database + "-shm"];
    }

    /// <summary>After a start that failed: the store and key file this run wrote, and the directory if it made it.</summary>
    private static void RemoveWhatThisRunCreated(DirectoryInfo directory, bool createdDirectory)
    {
        foreach (var file in StoreFiles(directory).Append(Path.Combine(directory.FullName, KeyFileName)))
        {
            File.Delete(file);
        }

        if (createdDirectory && !directory.EnumerateFileSystemInfos().Any())
        {
            directory.Delete();
        }
    }

    /// <summary>Waits for the moment to take dc1 down (<see cref="DemoOptions.OutageBeforeOurWindow"/>), then for the outcome.</summary>
    private async Task<int> DriveAsync(ChainSimulator simulator, TimeProvider time, CancellationToken cancellationToken)
    {
        var roster = simulator.Roster;
        var firstSlot = simulator.View().Head.Slot;
        var primary = roster.NodesOf(roster.OurProducer).First();
        var before = (uint)Math.Ceiling(options.OutageBeforeOurWindow.TotalMilliseconds / BlockTimestamp.SlotMs);
        uint? outageSlot = null;
        while (_downAt is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs), time, cancellationToken).ConfigureAwait(false);
            var state = simulator.View();
            var schedule = state.ActiveSchedule;
            // The clock is real (sped up): a late turn of this loop can find the head past the moment, or past our window.
            var missed = outageSlot is not null && state.Head.Slot + 1 >= _ourWindow;
            if ((outageSlot is null || missed) && state.Head.Slot - firstSlot >= (ulong)options.RoundsBeforeOutage * schedule.RoundLength)
            {
                _ourWindow = NextWindowOf(schedule, roster.OurProducer, state.Head.Slot + before + 1);
                outageSlot = _ourWindow - before;
            }

            if (state.Head.Slot + 1 >= outageSlot)
            {
                simulator.SetNodeDown(primary.Id, true);
                _downAt = time.GetUtcNow();
                Print(_downAt.Value, string.Create(CultureInfo.InvariantCulture,
                    $"OUTAGE: {primary.Id} goes down {(_ourWindow - state.Head.Slot - 1) * BlockTimestamp.SlotMs / 1000.0:0.#} s before {roster.OurProducer}'s window (slot {_ourWindow}): its node neither produces nor votes."));
            }
        }

        var limit = Task.Delay(options.CompletionLimit, time, cancellationToken);
        var finished = await Task.WhenAny(_completed.Task, _failed.Task, limit).ConfigureAwait(false);
        if (finished == _completed.Task)
        {
            await SummaryAsync(await _completed.Task.ConfigureAwait(false)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var reason = finished == _failed.Task
            ? $"the rotation failed: {(await _failed.Task.ConfigureAwait(false)).Detail}"
            : $"production did not resume from the standby within {options.CompletionLimit.TotalMinutes} simulated minutes of the outage";
        await console.Error.WriteLineAsync($"Demo failed: {reason}").ConfigureAwait(false);
        return ExitCodes.Failure;
    }

    /// <summary>The first slot at or after <paramref name="from"/> that opens a window of <paramref name="producer"/>.</summary>
    private static uint NextWindowOf(ProducerSchedule schedule, Name producer, uint from)
    {
        var slot = from + ((Slots.PerWindow - (from % Slots.PerWindow)) % Slots.PerWindow);
        while (schedule.ProducerForSlot(slot).Producer != producer)
        {
            slot += Slots.PerWindow;
        }

        return slot;
    }

    /// <summary>Prints the timeline from the events the service appends, as it appends them.</summary>
    private async Task FollowAsync(IEventStore store, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var recorded in store.SubscribeToAllAsync(GlobalPosition.Start, cancellationToken).ConfigureAwait(false))
            {
                if (DomainEvents.TryDeserialize(recorded) is { } e && Describe(e) is { } line)
                {
                    Print(line.At, line.Text);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private (DateTimeOffset At, string Text)? Describe(object e)
    {
        switch (e)
        {
            case BlockProduced b when _downAt is not null && _incident is null && b.OurFinalizerVoted == false:
                _silentSinceDown++;
                return (b.ObservedAt, $"silent: the certificate in block {b.BlockNum} (of block {b.QcBlockNum}) carries no vote of our finalizer ({_silentSinceDown} since the outage)");
            case BlockMissed m when _downAt is not null && m.ScheduledProducer == options.Simulation.OurProducer:
                _oursMissedSinceDown++;
                return (m.ObservedAt, $"missed: {m.ScheduledProducer} left slot {m.Slot} empty ({_oursMissedSinceDown} since the outage), revealed by block {m.RevealedByBlockNum}");
            case FailoverSuppressed s:
                return (s.DecidedAt, $"DECISION: suppressed — {string.Join(", ", s.Reasons)}. {Gates(s.Decision)}");
            case FailoverTriggered t:
                _incident = t.Evidence.Incident;
                return (t.DecidedAt, $"DECISION: rotate to {t.TargetDataCenter} ({t.TargetKey}) on {Incident(t.Evidence)}. Evidence: {Gates(t.Decision)} Policy {t.Decision.PolicyHash[..12]}…");
            case KeyRotationRequested r:
                return (r.RequestedAt, $"recorded before sending: transaction {r.TransactionId} ({string.Join(" + ", r.Actions)}), expires {r.Expiration:HH:mm:ss}Z");
            case KeyRotationSubmitted s:
                _submitted = s;
                return (s.SubmittedAt, $"pushed to {s.Endpoint}: {s.Outcome}");
            case KeyRotationFailed f:
                _failed.TrySetResult(f);
                return (f.FailedAt, $"ROTATION FAILED ({f.Reason}): {f.Detail}");
            case KeyRotated k:
                return (k.ObservedAt, $"producers table shows {k.Key}");
            case SigningKeyActivated a:
                return (a.ObservedAt, $"schedule v{a.ScheduleVersion} in force with {a.Key}");
            case FailoverCompleted c:
                _completed.TrySetResult(c);
                return (c.ObservedAt, $"RESUMED: block {c.BlockNum} of {c.Producer} signed by {c.DataCenter}'s key {c.Key}");
            case ForkSwitched f:
                return (f.ObservedAt, $"fork switch at block {f.ForkBlockNum}: {f.OrphanedBlocks.Count} blocks orphaned");
            case EndpointDegraded d:
                return (d.ObservedAt, $"endpoint {d.Endpoint} degraded ({d.Reason}): {d.Detail}");
            case EndpointRecovered r:
                return (r.ObservedAt, $"endpoint {r.Endpoint} recovered");
            default:
                return null;
        }
    }

    /// <summary>What opened the incident, and where the decision stands against our window.</summary>
    private string Incident(Evidence evidence)
    {
        var head = BlockTimestamp.ToSlot(evidence.Chain.HeadBlockTime);
        var when = head < _ourWindow
            ? string.Create(CultureInfo.InvariantCulture, $"{(_ourWindow - head) * BlockTimestamp.SlotMs / 1000.0:0.#} s before our window")
            : "after our window began";
        return evidence.Incident switch
        {
            { Kind: IncidentKind.FinalizerSilent } i => $"our finalizer's silence since block {i.RevealedByBlockNum} ({i.SilentCertificates} certificates without its vote), {when}",
            { } i => $"{i.ConsecutiveMissed} missed blocks of ours, {when}",
            null => "an operator's request",
        };
    }

    private static string Gates(Decision decision) => string.Join(" ", decision.Gates.Select(g => $"[{g.Reason}: {(g.Passed ? "ok" : g.Pending ? "waiting" : "FAILED")} — {g.Detail}]"));

    private async Task SummaryAsync(FailoverCompleted completed)
    {
        var detection = _incident is { } incident && _submitted is { } submitted
            ? string.Create(CultureInfo.InvariantCulture, $"{(submitted.SubmittedAt - incident.RevealedAt).TotalMilliseconds / options.Speed:0} ms real ({(submitted.SubmittedAt - incident.RevealedAt).TotalSeconds:0.0} s simulated)")
            : "unknown";
        var revealing = _incident?.Kind == IncidentKind.FinalizerSilent ? "first certificate without our finalizer's vote" : "block revealing our latest miss";
        await console.Out.WriteLineAsync(
            $"Summary: {options.Simulation.OurProducer} lost {_oursMissedSinceDown} blocks (reactive floor: {Slots.PerWindow}, the whole window a rule " +
            $"waiting for {Slots.PerWindow} missed blocks loses at least); detection latency ({revealing} " +
            $"observed → transaction pushed) {detection}; production resumed from {completed.DataCenter} at block {completed.BlockNum}, " +
            $"{(completed.ObservedAt - _downAt!.Value).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (simulated) after the outage.").ConfigureAwait(false);
    }

    private void Print(DateTimeOffset at, string text)
    {
        var elapsed = at - _start;
        lock (console)
        {
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[+{(int)elapsed.TotalMinutes:00}:{elapsed.Seconds:00}.{elapsed.Milliseconds / 100}] {text}"));
        }
    }

    private static string Mode(ChainSimulator simulator) => simulator.Options.Consensus.ToString().ToLowerInvariant();

    /// <summary>The service's settings for the simulated network: our data centers' keys, the failover permission's key in a file readable only by its owner.</summary>
    private static FailoverSettings DemoSettings(ChainSimulator simulator, DirectoryInfo directory)
    {
        var roster = simulator.Roster;
        var keyFile = Path.Combine(directory.FullName, KeyFileName);
        var key = roster.Accounts.Single(a => a.Account == roster.OurProducer).Permissions[Roster.FailoverPermission];
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(keyFile, System.Text.Encoding.ASCII, create))
        {
            writer.Write(key.ExportPvtK1());
        }

        return new FailoverSettings(
            "demo",
            new StoreLocation(StoreKind.Sqlite, Path.Combine(directory.FullName, StoreFileName)),
            simulator.ChainId,
            [new Uri("http://simulator/"), new Uri("http://simulator/node/" + simulator.Options.ApiNodes[^1])],
            simulator.Options.Consensus == ConsensusMode.Savanna ? ConsensusKind.Savanna : ConsensusKind.Legacy,
            roster.OurProducer,
            [.. roster.NodesOf(roster.OurProducer).Select((node, i) => new DataCenter(node.DataCenter, i + 1, node.SigningKey.PublicKey, node.FinalizerKey, null))],
            new SignerSettings(Roster.FailoverPermission, keyFile, null),
            FailoverPolicy.ServiceDefault,
            false,
            ObserverSettings.Default,
            new ApiSettings(null, null, false));
    }
}
