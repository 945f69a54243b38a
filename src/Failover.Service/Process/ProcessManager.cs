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
    private readonly FailoverSettings _settings;
    private readonly IEventStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IReadOnlyList<ChainEndpoint> _endpoints;
    private readonly ChainFacts _facts;
    private readonly SigningKeySource _key;
    private readonly string _producer;
    private readonly FailoverScope _scope;
    private readonly IReadOnlyList<DataCenterConfig> _dataCenters;
    private readonly EventSourcedStream<FailoverInputs, IProcessEvent> _processStream;
    private readonly LogProgress _progress = new();
    private readonly TaskCompletionSource _wentLive = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FailoverInputs _inputs = FailoverInputs.Initial;
    private bool _live;
    private bool _registrationUnknown;

    /// <summary>The event the manager is reacting to: recorded as the cause (<c>CausationId</c>) of everything it appends meanwhile.</summary>
    private Guid? _reactingTo;

    public ProcessManager(FailoverSettings settings, IEventStore store, HttpClient http, TimeProvider time, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(http);
        (_settings, _store, _time, _log) = (settings, store ?? throw new ArgumentNullException(nameof(store)), time ?? throw new ArgumentNullException(nameof(time)), log ?? throw new ArgumentNullException(nameof(log)));
        _endpoints = [.. settings.Endpoints.Select(url => new ChainEndpoint(url, new ChainApiClient(http, new ChainApiOptions
        {
            BaseAddress = url, Timeout = settings.Observer.RequestTimeout, ReadRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(100), TimeProvider = time,
        })))];
        _producer = settings.Producer.ToString();
        _facts = new ChainFacts(AgreeingFirst, _producer, time, log);
        _key = new SigningKeySource(settings.Signer);
        _scope = new FailoverScope(_producer, settings.ObserverId, settings.ChainId?.ToString());
        _dataCenters = [.. settings.DataCenters.Select(d => d.ToConfig())];
        _processStream = new(_store, ProcessStream, i => i.Process.EventCount, (i, version, e) => i.Apply(_scope, ProcessStream, version, e), _ => string.Empty, log);
    }

    public FailoverProcess Process => _inputs.Process;

    public string ProcessStream => _scope.ProcessStream;

    /// <summary>True once the log's history was replayed and the manager acts on what follows.</summary>
    public bool IsLive => _live;

    /// <summary>Completes once the manager is live: the history replayed, an unfinished rotation reconciled with the chain.</summary>
    public Task Live => _wentLive.Task;

    /// <summary>True once the manager is live and has folded and reacted to every event up to <paramref name="position"/>.</summary>
    public bool HasHandled(long position) => Live.IsCompleted && _progress.Position >= position;

    /// <summary>Completes once <see cref="HasHandled"/> holds for <paramref name="position"/> (read-your-writes for whoever appended there).</summary>
    public Task HandledAsync(long position, CancellationToken cancellationToken = default) =>
        Task.WhenAll(Live.WaitAsync(cancellationToken), _progress.WaitForPositionAsync(position, cancellationToken));

    /// <summary>The last global position folded.</summary>
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

    private async Task HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        Position = recorded.Position;
        if (DomainEvents.TryDeserialize(recorded) is { } e)
        {
            _inputs = _inputs.Apply(_scope, recorded.Stream, recorded.Version, e);
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

        if (_live)
        {
            _progress.Reached(Position);
        }
    }

    private async Task GoLiveAsync(CancellationToken cancellationToken)
    {
        _live = true;
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        _progress.Reached(Position);
        _wentLive.TrySetResult();
    }

    private async Task ReactAsync(RecordedEvent recorded, object e, CancellationToken cancellationToken)
    {
        switch (e)
        {
            case KeyRotationRequested requested when recorded.Metadata.ObserverId == _settings.ObserverId
                && Process.Phase is Phase.Requested { Rotation: var rotation } && rotation.RotationId == requested.RotationId:
                await SendAsync(rotation, cancellationToken).ConfigureAwait(false);
                break;
            case BlockProduced block when block.Producer == _producer:
                await DecideAsync(new FailoverCommand.ObserveOurBlock(block.BlockNum, block.BlockId, block.SigningKey, block.ObservedAt), cancellationToken).ConfigureAwait(false);
                break;
            case ProducerScheduleChanged schedule:
                await DecideAsync(new FailoverCommand.ObserveSchedule(schedule.Version, KeyInForce.AuthorityOf(schedule, _producer), schedule.ObservedAt), cancellationToken).ConfigureAwait(false);
                break;
            case ParticipationSampled sample when recorded.Stream == _scope.ObserverStream:
                await ChainConsensusAsync(sample, cancellationToken).ConfigureAwait(false);
                await RefreshPermissionAsync(cancellationToken).ConfigureAwait(false);
                await RefreshFinalizerKeysAsync(cancellationToken).ConfigureAwait(false);
                await FollowRotationAsync(sample, cancellationToken).ConfigureAwait(false);
                break;
        }

        if (_scope.EvaluationAt(e) is { } at)
        {
            await EvaluateAsync(at, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After the replay: an operator's request still waiting is decided, and an unfinished rotation is reconciled with the chain.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (Process.Phase is Phase.Requested { Rotation: var rotation })
        {
            await ReconcileRequestAsync(rotation, cancellationToken).ConfigureAwait(false);
        }

        if (Process.PendingManual is { } manual)
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

        if (Process.Phase is Phase.Requested { Rotation: var still } && still.RotationId == rotation.RotationId)
        {
            Log.Reconciling(_log, rotation.RotationId, rotation.TransactionId);
            await SendAsync(rotation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>While a rotation is under way: the producers table and the LIB say whether it applied or can no longer apply.</summary>
    private async Task FollowRotationAsync(ParticipationSampled sample, CancellationToken cancellationToken)
    {
        switch (RotationFollowUp.At(Process, sample.ObservedAt))
        {
            case RotationStep.TakeOver:
                await ReconcileRequestAsync(Process.CurrentRotation!, cancellationToken).ConfigureAwait(false);
                break;
            case RotationStep.ObserveChain:
                await ObserveChainAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>What the chain shows now (our registered key, the LIB's time), stamped with the time it was read.</summary>
    private async Task ObserveChainAsync(CancellationToken cancellationToken)
    {
        var registration = await _facts.RegistrationAsync(fresh: true, cancellationToken).ConfigureAwait(false);
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
        _inputs.Observer.LatestSample is { } sample && _inputs.Chain.Blocks.TryGetValue(sample.LastIrreversibleBlockNum, out var lib) && lib.Id == sample.LastIrreversibleBlockId
            ? BlockTimestamp.FromSlot(lib.Slot)
            : null;

    /// <summary>Asks the policy when there is something to decide: our missed run reached the threshold, or an operator asked.</summary>
    private async Task EvaluateAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var manual = Process.PendingManual is { } request ? new ManualRequest(request.DataCenter, request.By, request.Reason, request.At) : null;
        if (_inputs.Observer.LatestSample is not { } sample || _inputs.Chain.Head is null || _inputs.Chain.ChainId is null)
        {
            return;
        }

        var evidence = EvidenceBuilder.Build(_settings.Producer, _settings.Consensus, _settings.Policy.MissedBlocksThreshold, _dataCenters, _inputs.Chain, _inputs.Observer, Process, at, manual);
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
        evidence = await WithFinalizerKeysAsync(evidence, cancellationToken).ConfigureAwait(false); // ProcessManager.Finalizers.cs

        // regproducer rewrites the whole row: without the URL and location the chain holds, a rotation would wipe them.
        if (await _facts.RegistrationAsync(fresh: false, cancellationToken).ConfigureAwait(false) is not { } registration)
        {
            if (!_registrationUnknown)
            {
                Log.RegistrationUnknown(_log, _producer);
            }

            _registrationUnknown = true;
            return;
        }

        _registrationUnknown = false;

        var draft = new RotationDraft(
            _inputs.Chain.ChainId,
            sample.LastIrreversibleBlockId,
            RotationFollowUp.ExpirationAfter(evidence.Chain.HeadBlockTime),
            _settings.Signer.Permission.ToString(),
            registration.Url,
            registration.Location);
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

        var registered = await _facts.RegistrationAsync(fresh: true, cancellationToken).ConfigureAwait(false);
        if (registered is { } row && KeyInForce.SameKey(row.Key, rotation.TargetKey))
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
        var endpoint = AgreeingFirst().First();
        var outcome = await TransactionPush.PushOnceAsync(endpoint.Client, signed, rotation.TransactionId, cancellationToken).ConfigureAwait(false);
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
        await DecideAsync(new FailoverCommand.RecordPush(rotation.RotationId, endpoint.Name, result, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The configured endpoints, those that agreed with the recorded chain at the latest sample first (each group in
    /// configuration order): chain facts are read, and rotations pushed, through the first that answers.
    /// </summary>
    private IEnumerable<ChainEndpoint> AgreeingFirst() =>
        _endpoints.OrderBy(e => EndpointJudgement.AgreedAtLatestSample(_inputs.Observer, e.Name) ? 0 : 1);
    /// <summary>
    /// Decides and appends with the process stream's expected version; a lost race is the fence doing its work. An
    /// append whose reply was lost is settled by reading the stream back (<see cref="EventSourcedStream{TState, TEvent}"/>):
    /// found stored, it is this instance's and carries on exactly as if acknowledged — the same request, the same
    /// transaction — and is never decided again into another one. What was appended (or found) is folded at once, so
    /// the next decision of this reaction sees it; the subscription's copy is then an earlier version, and skipped.
    /// </summary>
    private async Task DecideAsync(FailoverCommand command, CancellationToken cancellationToken)
    {
        var decision = FailoverDecider.Decide(command, Process, _producer);
        if (decision.Events.Count == 0)
        {
            return;
        }

        var result = await _processStream.AppendAsync(_inputs, decision.Events, new EventMetadata(CausationId: _reactingTo, ObserverId: _settings.ObserverId), command.GetType().Name, cancellationToken).ConfigureAwait(false);
        _inputs = result.State;
        if (!result.Written && result.Foreign is not null)
        {
            Log.LostRace(_log, command.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Error, "The producers table could not be read from any endpoint: no rotation is built for {Producer} without the URL and location the chain holds (regproducer would wipe them); tried again at every sample, said again only after it was read.")]
        public static partial void RegistrationUnknown(ILogger logger, string producer);

        [LoggerMessage(LogLevel.Critical, "Rotation {RotationId} cannot be signed: {Problem}")]
        public static partial void CannotSign(ILogger logger, string rotationId, string problem);

        [LoggerMessage(LogLevel.Warning, "Rotation {RotationId} (transaction {TransactionId}) pushed: {Outcome} — {Explanation}")]
        public static partial void Pushed(ILogger logger, string rotationId, string transactionId, string outcome, string explanation);

        [LoggerMessage(LogLevel.Warning, "Reconciling rotation {RotationId}: transaction {TransactionId} is neither applied nor expired; pushing the same bytes again.")]
        public static partial void Reconciling(ILogger logger, string rotationId, string transactionId);

        [LoggerMessage(LogLevel.Information, "Another instance recorded first ({Command}); its events are followed from the log.")]
        public static partial void LostRace(ILogger logger, string command);
    }
}
