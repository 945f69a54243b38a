using System.Globalization;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Transactions;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;
using Failover.Service.Configuration;
using Failover.Service.Observation;
using Failover.Service.Storage;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Process;

/// <summary>
/// The failover process manager (design §3): follows the whole log, folds the chain stream, its own observer's stream
/// and the process stream, and asks the decider at each new sample, operator request or chain change. It appends the
/// decision and the exact transaction with the process stream's expected version (the fence between several service
/// instances), and only when it reads its own request back from the log does it sign and push — once. After a restart
/// it replays the log without acting, then reconciles an unfinished rotation against the chain.
/// </summary>
public sealed partial class ProcessManager
{
    /// <summary>How long a transaction stays valid: long enough to be included, short enough to be rebuilt soon after a loss.</summary>
    public static readonly TimeSpan TransactionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>A request left without its push for this long by another instance is taken over (same bytes, after checking the chain).</summary>
    public static readonly TimeSpan TakeoverAfter = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RegistrationRefresh = TimeSpan.FromMinutes(10);

    private readonly FailoverSettings _settings;
    private readonly IEventStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IReadOnlyList<ChainApiClient> _chain;
    private readonly SigningKeySource _key;
    private readonly string _producer;
    private readonly IReadOnlyList<DataCenterConfig> _dataCenters;
    private readonly FencedStream _processStream;
    private ObservedChain _observed = ObservedChain.Empty;
    private ObserverState _observerState = ObserverState.Empty;
    private FailoverProcess _process = FailoverProcess.Initial;
    private (string Url, ushort Location, string Key, DateTimeOffset ReadAt)? _registration;
    private bool _live;

    /// <summary>The event the manager is reacting to: recorded as the cause (<c>CausationId</c>) of everything it appends meanwhile.</summary>
    private Guid? _reactingTo;

    /// <summary>Events this instance appended and folded at once; the subscription's copy of each is skipped.</summary>
    private readonly HashSet<Guid> _foldedAhead = [];

    public ProcessManager(FailoverSettings settings, IEventStore store, HttpClient http, TimeProvider time, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(http);
        (_settings, _store, _time, _log) = (settings, store ?? throw new ArgumentNullException(nameof(store)), time ?? throw new ArgumentNullException(nameof(time)), log ?? throw new ArgumentNullException(nameof(log)));
        _chain = [.. settings.Endpoints.Select(url => new ChainApiClient(http, new ChainApiOptions
        {
            BaseAddress = url, Timeout = settings.Observer.RequestTimeout, ReadRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(100), TimeProvider = time,
        }))];
        _key = new SigningKeySource(settings.Signer);
        _producer = settings.Producer.ToString();
        _dataCenters = [.. settings.DataCenters.Select(d => new DataCenterConfig(d.Name, d.Priority, d.SigningKey.ToString(), d.FinalizerKey, d.Endpoint is not null))];
        _processStream = new FencedStream(_store, ProcessStream);
    }

    public FailoverProcess Process => _process;

    public string ProcessStream => Streams.Failover(_producer);

    /// <summary>True once the log's history was replayed and the manager acts on what follows.</summary>
    public bool IsLive => _live;

    /// <summary>The last global position handled.</summary>
    public long Position { get; private set; }

    /// <summary>Follows the log from its start until cancelled: history first (folded only), then live.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartupChecksAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var message in _store.SubscribeAsync(Position, cancellationToken).ConfigureAwait(false))
        {
            switch (message)
            {
                case EventAppeared { Event: var recorded }:
                    await HandleAsync(recorded, cancellationToken).ConfigureAwait(false);
                    break;
                case CaughtUp when !_live:
                    await GoLiveAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// Handles everything stored after <see cref="Position"/> and returns how many events it handled: the same steps as
    /// <see cref="RunAsync"/>, for callers that drive the service step by step (tests on virtual time).
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        if (!_live && Position == 0)
        {
            await StartupChecksAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var head = await _store.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
            if (head <= Position)
            {
                if (!_live)
                {
                    await GoLiveAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                return handled;
            }

            await foreach (var recorded in _store.ReadAllAsync(Position + 1, head - Position, cancellationToken).ConfigureAwait(false))
            {
                await HandleAsync(recorded, cancellationToken).ConfigureAwait(false);
                handled++;
            }
        }
    }

    private async Task HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        Position = recorded.Position;
        if (DomainEvents.TryDeserialize(recorded) is not { } e)
        {
            return;
        }

        Fold(recorded, e);
        if (_live)
        {
            _reactingTo = recorded.EventId;
            try
            {
                await ReactAsync(recorded, e, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _reactingTo = null;
            }
        }
    }

    private async Task GoLiveAsync(CancellationToken cancellationToken)
    {
        _live = true;
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Fold(RecordedEvent recorded, object e)
    {
        switch (e)
        {
            case IChainEvent chainEvent when _observed.ChainId is null || chainEvent.ChainId == _observed.ChainId:
                if (_settings.ChainId is null || chainEvent.ChainId == _settings.ChainId.ToString())
                {
                    _observed = _observed.Apply(chainEvent);
                }

                break;
            case IProcessEvent processEvent when recorded.Stream == ProcessStream:
                if (!_foldedAhead.Remove(recorded.EventId))
                {
                    _process = _process.Apply(processEvent);
                }

                break;
            case IObserverEvent observerEvent when recorded.Stream == Streams.Observer(_settings.ObserverId):
                _observerState = _observerState.Apply(observerEvent);
                break;
        }
    }

    private async Task ReactAsync(RecordedEvent recorded, object e, CancellationToken cancellationToken)
    {
        switch (e)
        {
            case KeyRotationRequested requested when recorded.Metadata.ObserverId == _settings.ObserverId
                && _process.Phase is Phase.Requested { Rotation: var rotation } && rotation.RotationId == requested.RotationId:
                await SendAsync(rotation, cancellationToken).ConfigureAwait(false);
                break;
            case BlockProduced block when block.Producer == _producer:
                await DecideAsync(new FailoverCommand.ObserveOurBlock(block.BlockNum, block.BlockId, block.SigningKey, block.ObservedAt), cancellationToken).ConfigureAwait(false);
                break;
            case ProducerScheduleChanged schedule:
                await DecideAsync(new FailoverCommand.ObserveSchedule(schedule.Version, KeyInForce.AuthorityOf(schedule, _producer), schedule.ObservedAt), cancellationToken).ConfigureAwait(false);
                break;
            case ParticipationSampled sample when recorded.Stream == Streams.Observer(_settings.ObserverId):
                await ChainConsensusAsync(sample, cancellationToken).ConfigureAwait(false);
                await RefreshPermissionAsync(cancellationToken).ConfigureAwait(false);
                await FollowRotationAsync(sample, cancellationToken).ConfigureAwait(false);
                break;
        }

        if (EvaluationTrigger.At(e, _settings.ObserverId, _producer) is { } at)
        {
            await EvaluateAsync(at, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After the replay: an operator's request still waiting is decided, and an unfinished rotation is reconciled with the chain.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (_process.Phase is Phase.Requested { Rotation: var rotation })
        {
            await ReconcileRequestAsync(rotation, cancellationToken).ConfigureAwait(false);
        }

        if (_process.PendingManual is { } manual)
        {
            await EvaluateAsync(manual.At, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A request without its push (this instance died between the two, or another instance did): applied already →
    /// recorded; expired → recorded, so a new transaction can be built; otherwise the very same bytes are pushed again,
    /// which the chain applies at most once.
    /// </summary>
    private async Task ReconcileRequestAsync(Rotation rotation, CancellationToken cancellationToken)
    {
        await ObserveChainAsync(cancellationToken).ConfigureAwait(false);

        if (_process.Phase is Phase.Requested { Rotation: var still } && still.RotationId == rotation.RotationId)
        {
            Log.Reconciling(_log, rotation.RotationId, rotation.TransactionId);
            await SendAsync(rotation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>While a rotation is under way: the producers table and the LIB say whether it applied or can no longer apply.</summary>
    private async Task FollowRotationAsync(ParticipationSampled sample, CancellationToken cancellationToken)
    {
        if (_process.Phase is not (Phase.Requested or Phase.Submitted) || _process.CurrentRotation is not { } rotation)
        {
            return;
        }

        if (_process.Phase is Phase.Requested && sample.ObservedAt - rotation.RequestedAt >= TakeoverAfter)
        {
            await ReconcileRequestAsync(rotation, cancellationToken).ConfigureAwait(false);
            return;
        }

        await ObserveChainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the chain shows now (our registered key, the LIB's time), stamped with the time it was read.</summary>
    private async Task ObserveChainAsync(CancellationToken cancellationToken)
    {
        var registration = await ReadRegistrationAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (registration is { } row)
        {
            await DecideAsync(new FailoverCommand.ObserveRegistration(row.Key, now), cancellationToken).ConfigureAwait(false);
        }

        if (LibBlockTime() is { } libTime)
        {
            await DecideAsync(new FailoverCommand.ObserveFinality(libTime, registration?.Key, now), cancellationToken).ConfigureAwait(false);
        }
    }

    private DateTimeOffset? LibBlockTime() =>
        _observerState.LatestSample is { } sample && _observed.Blocks.TryGetValue(sample.LastIrreversibleBlockNum, out var lib) && lib.Id == sample.LastIrreversibleBlockId
            ? BlockTimestamp.FromSlot(lib.Slot)
            : null;

    /// <summary>Asks the policy when there is something to decide: our missed run reached the threshold, or an operator asked.</summary>
    private async Task EvaluateAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var manual = _process.PendingManual is { } request ? new ManualRequest(request.DataCenter, request.By, request.Reason, request.At) : null;
        if (_observerState.LatestSample is not { } sample || _observed.Head is null || _observed.ChainId is null)
        {
            return;
        }

        var evidence = EvidenceBuilder.Build(_settings.Producer, _settings.Consensus, _settings.Policy.MissedBlocksThreshold, _dataCenters, _observed, _observerState, _process, at, manual);
        if (evidence is { Incident: null, Manual: null })
        {
            return;
        }

        // The chain's consensus goes into the evidence: on a mismatch the policy's consensus-mismatch gate fails (the transaction
        // and the finality gate would be built for the wrong one), recorded like any suppression (ProcessManager.Consensus.cs).
        if (await ChainConsensusAsync(sample, cancellationToken).ConfigureAwait(false) is not { } chainConsensus)
        {
            Log.ConsensusUnknown(_log, Text(_settings.Consensus));
            return;
        }

        evidence = evidence with { ChainConsensus = chainConsensus.Kind };

        var registration = await ReadRegistrationAsync(cancellationToken, cached: true).ConfigureAwait(false);
        var draft = new RotationDraft(
            _observed.ChainId,
            sample.LastIrreversibleBlockId,
            TruncateToSeconds(evidence.Chain.HeadBlockTime + TransactionLifetime),
            _settings.Signer.Permission.ToString(),
            registration?.Url ?? string.Empty,
            registration?.Location ?? 0);
        await DecideAsync(new FailoverCommand.Evaluate(evidence, _settings.Policy, draft), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs the recorded bytes and pushes them once; the outcome is recorded as data. DryRun records instead of sending.</summary>
    private async Task SendAsync(Rotation rotation, CancellationToken cancellationToken)
    {
        if (_settings.DryRun)
        {
            await DecideAsync(new FailoverCommand.RecordNotSent(rotation.RotationId, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return;
        }

        var registered = await ReadRegistrationAsync(cancellationToken).ConfigureAwait(false);
        if (registered is { } row && PublicKey.TryParse(row.Key, out var current, out _) && current == PublicKey.Parse(rotation.TargetKey))
        {
            // Another instance (or store) already rotated to the same target: nothing to send.
            await DecideAsync(new FailoverCommand.ObserveRegistration(row.Key, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!_key.TryLoad(out var key, out var problem))
        {
            Log.CannotSign(_log, rotation.RotationId, problem!);
            await DecideAsync(new FailoverCommand.RecordPush(rotation.RotationId, "-", new PushResult(PushOutcomes.Rejected, "not signed: " + problem), _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return;
        }

        var transaction = Transaction.Unpack(Convert.FromHexString(rotation.PackedTransaction));
        var signed = TransactionSigner.Sign(transaction, Checksum256.Parse(rotation.ChainId), [key!]);
        var (endpoint, client) = PushEndpoint();
        var outcome = await TransactionPush.PushOnceAsync(client, signed, rotation.TransactionId, cancellationToken).ConfigureAwait(false);
        Log.Pushed(_log, rotation.RotationId, rotation.TransactionId, outcome.Kind.ToString(), outcome.Explanation);
        var result = new PushResult(
            outcome.Kind switch
            {
                PushOutcomeKind.Accepted => PushOutcomes.Accepted,
                PushOutcomeKind.Duplicate => PushOutcomes.Duplicate,
                PushOutcomeKind.Rejected => PushOutcomes.Rejected,
                _ => PushOutcomes.Unknown,
            },
            outcome.Explanation,
            outcome.Error?.Code,
            outcome.Error?.ErrorName);
        await DecideAsync(new FailoverCommand.RecordPush(rotation.RotationId, endpoint, result, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The endpoint that agrees with the followed chain in the latest sample (else the first configured).</summary>
    private (string Endpoint, ChainApiClient Client) PushEndpoint()
    {
        var views = _observerState.LatestSample?.Endpoints ?? [];
        for (var i = 0; i < _settings.Endpoints.Count; i++)
        {
            var name = ChainEndpoint.NameOf(_settings.Endpoints[i]);
            if (views.Any(v => v.Endpoint == name && v.Healthy && v.Agrees))
            {
                return (name, _chain[i]);
            }
        }

        return (ChainEndpoint.NameOf(_settings.Endpoints[0]), _chain[0]);
    }

    /// <summary>
    /// Decides and appends with the process stream's expected version; a lost race is the fence doing its work. An
    /// append whose reply was lost is settled by reading the stream back (<see cref="FencedStream"/>): found stored,
    /// it is this instance's and carries on exactly as if acknowledged — the same request, the same transaction — and
    /// is never decided again into another one.
    /// </summary>
    private async Task DecideAsync(FailoverCommand command, CancellationToken cancellationToken)
    {
        var decision = FailoverDecider.Decide(command, _process, _producer);
        await AppendAsync(decision.Events, command.GetType().Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends process events this instance decided, fenced by the stream's expected version (see <see cref="DecideAsync"/>).</summary>
    private async Task AppendAsync(IReadOnlyList<IProcessEvent> events, string what, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var data = events.Select((e, i) => DomainEvents.ToEventData(
            DeterministicEventId.Create(ProcessStream, EventCatalogue.Of(e.GetType()).Name, (_process.EventCount + i).ToString(CultureInfo.InvariantCulture)),
            e, new EventMetadata(CausationId: _reactingTo, ObserverId: _settings.ObserverId))).ToList();
        var result = await _processStream.AppendAsync(_process.EventCount, data, cancellationToken).ConfigureAwait(false);

        // Folded now, so the next decision of this reaction sees them; the subscription delivers them again later and
        // they are skipped there by id. Only this instance's own events are folded ahead: another instance's come,
        // in their order, from the subscription.
        if (result.Tail is null)
        {
            foreach (var (e, appended) in events.Zip(data))
            {
                _process = _process.Apply(e);
                _foldedAhead.Add(appended.EventId);
            }

            return;
        }

        if (result.Recovered)
        {
            Log.FoundOwnAppend(_log, result.Own, what);
            foreach (var recorded in result.Tail.Take(result.Own))
            {
                if (DomainEvents.TryDeserialize(recorded) is IProcessEvent e)
                {
                    _process = _process.Apply(e);
                    _foldedAhead.Add(recorded.EventId);
                }
            }
        }

        if (!result.Written && result.Foreign)
        {
            Log.LostRace(_log, what);
        }
    }

    /// <summary>The producers table row of our producer: URL and location (kept by a rotation) and the registered key.</summary>
    private async Task<(string Url, ushort Location, string Key)?> ReadRegistrationAsync(CancellationToken cancellationToken, bool cached = false)
    {
        var now = _time.GetUtcNow();
        if (cached && _registration is { } known && now - known.ReadAt < RegistrationRefresh)
        {
            return (known.Url, known.Location, known.Key);
        }

        foreach (var client in _chain)
        {
            try
            {
                var rows = await client.GetProducerRowsAsync(_producer, 1, cancellationToken).ConfigureAwait(false);
                if (rows.Rows.FirstOrDefault(r => r.Owner == _producer) is { } row)
                {
                    _registration = (row.Url, row.Location, row.ProducerKey, now);
                    return (row.Url, row.Location, row.ProducerKey);
                }
            }
            catch (ChainApiException e)
            {
                Log.ReadFailed(_log, "producers table", e.Message);
            }
        }

        return _registration is { } stale ? (stale.Url, stale.Location, stale.Key) : null;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Warning, "Could not read the {What}: {Problem}")]
        public static partial void ReadFailed(ILogger logger, string what, string problem);

        [LoggerMessage(LogLevel.Critical, "Rotation {RotationId} cannot be signed: {Problem}")]
        public static partial void CannotSign(ILogger logger, string rotationId, string problem);

        [LoggerMessage(LogLevel.Warning, "Rotation {RotationId} (transaction {TransactionId}) pushed: {Outcome} — {Explanation}")]
        public static partial void Pushed(ILogger logger, string rotationId, string transactionId, string outcome, string explanation);

        [LoggerMessage(LogLevel.Warning, "Reconciling rotation {RotationId}: transaction {TransactionId} is neither applied nor expired; pushing the same bytes again.")]
        public static partial void Reconciling(ILogger logger, string rotationId, string transactionId);

        [LoggerMessage(LogLevel.Information, "Another instance recorded first ({Command}); its events are followed from the log.")]
        public static partial void LostRace(ILogger logger, string command);

        [LoggerMessage(LogLevel.Warning, "The reply of an append to the process stream was lost ({Command}); its {Count} event(s) were found stored, and the manager carries on from them.")]
        public static partial void FoundOwnAppend(ILogger logger, int count, string command);
    }
}
