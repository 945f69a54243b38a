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
        _facts = new ChainFacts(AgreeingFirst, Agreeing, _producer, time, log);
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
                await SendAsync(rotation, null, cancellationToken).ConfigureAwait(false);
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
                Rehearsal ??= Rehearse(); // ProcessManager.Rehearsal.cs
                break;
        }

        if (_scope.EvaluationAt(e) is { } at)
        {
            await EvaluateAsync(at, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After the replay: a rotation under way is brought up to what the log already shows (a schedule change or a block
    /// of ours replayed without being acted on), a request without its push is reconciled with the chain, and an
    /// operator's request still waiting is decided.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (Process.RotationInFlight)
        {
            await CatchUpWithChainStreamAsync(cancellationToken).ConfigureAwait(false);
        }

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
    /// The replay folds without acting, so a schedule change or a block of ours recorded while no instance followed the
    /// rotation would never move it on: the schedule in force and our latest block are observed once now.
    /// </summary>
    private async Task CatchUpWithChainStreamAsync(CancellationToken cancellationToken)
    {
        var chain = _inputs.Chain;
        if (chain.CurrentSchedule is { } inForce)
        {
            var ours = inForce.Schedule.Find(_settings.Producer);
            await DecideAsync(new FailoverCommand.ObserveSchedule(inForce.Schedule.Version, ours is null ? null : SigningAuthority.Of(ours.Authority), _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }

        if (chain.Blocks.Values.Where(b => b.Producer == _settings.Producer).MaxBy(b => b.Number) is { } block)
        {
            await DecideAsync(new FailoverCommand.ObserveOurBlock(block.Number, block.Id, block.SigningKey, block.ObservedAt), cancellationToken).ConfigureAwait(false);
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
            await SendAsync(rotation, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// While a rotation is under way: the producers table and the LIB say whether it applied or can no longer apply, and
    /// the same bytes go out again when <see cref="RotationFollowUp.NextPush"/> says so.
    /// </summary>
    private async Task FollowRotationAsync(ParticipationSampled sample, CancellationToken cancellationToken)
    {
        var agreeing = Agreeing().Select(e => e.Name).ToList();
        switch (RotationFollowUp.At(Process, sample.ObservedAt, agreeing))
        {
            case RotationStep.TakeOver:
                await ReconcileRequestAsync(Process.CurrentRotation!, cancellationToken).ConfigureAwait(false);
                break;
            case RotationStep.Push when RotationFollowUp.NextPush(Process, agreeing) is { } plan:
                await SendAsync(Process.CurrentRotation!, plan.Endpoint, cancellationToken).ConfigureAwait(false);
                break;
            case RotationStep.ObserveChain:
                await ObserveChainAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// What the chain shows now: our registered key (the target → rotated; a third key → superseded), and — read from an
    /// agreeing endpoint that has applied the LIB — whether the LIB's block time is past the expiration while the key
    /// the rotation replaces is still registered (expired). No reading, no conclusion.
    /// </summary>
    private async Task ObserveChainAsync(CancellationToken cancellationToken)
    {
        var libTime = LibBlockTime();
        var registration = await _facts.RegistrationNowAsync(libTime is null ? null : _inputs.Observer.LatestSample!.LastIrreversibleBlockNum, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (registration is { } row)
        {
            await DecideAsync(new FailoverCommand.ObserveRegistration(row.Authority, now), cancellationToken).ConfigureAwait(false);
        }

        if (libTime is { } lib)
        {
            await DecideAsync(new FailoverCommand.ObserveFinality(lib, registration?.Authority, now), cancellationToken).ConfigureAwait(false);
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

        var evidence = EvidenceBuilder.Build(_settings.Producer, _settings.Consensus, _settings.Policy, _dataCenters, _inputs, at, manual);
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

        // regproducer rewrites the whole row: without the URL and location the chain holds, a rotation would wipe them, so
        // without a reading nothing is triggered (a suppression is still recorded); the key it shows now is the one the
        // rotation replaces (pushed only while the chain still shows it).
        var registration = await _facts.RegistrationNowAsync(null, cancellationToken).ConfigureAwait(false);
        if (registration is null && !_registrationUnknown)
        {
            Log.RegistrationUnknown(_log, _producer);
        }

        _registrationUnknown = registration is null;
        evidence = evidence with { RegisteredKey = registration?.Key, RegisteredAuthority = registration?.Authority };
        var draft = registration is null ? null : new RotationDraft(
            _inputs.Chain.ChainId,
            sample.LastIrreversibleBlockId,
            RotationFollowUp.ExpirationAfter(evidence.Chain.HeadBlockTime),
            _settings.Signer.Permission.ToString(),
            registration.Url,
            registration.Location,
            registration.Authority);
        await DecideAsync(new FailoverCommand.Evaluate(evidence, _settings.Policy, draft), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes the recorded bytes once, to <paramref name="endpointName"/> (null: the first agreeing endpoint), and records
    /// what the answer proves. Only while the producers table, read now from an agreeing endpoint, still shows the key the
    /// rotation replaces (already the target: recorded as rotated; a third key: superseded; unreadable: not now), and
    /// only a transaction the service would build (<see cref="SigningCheck"/>). DryRun records instead of sending.
    /// </summary>
    private async Task SendAsync(Rotation rotation, string? endpointName, CancellationToken cancellationToken)
    {
        if (_settings.DryRun)
        {
            await DecideAsync(new FailoverCommand.RecordNotSent(rotation.RotationId, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!RotationFollowUp.CanStillApply(rotation, _time.GetUtcNow()))
        {
            // Too late for these bytes: the chain says, from a reading of the replaced key past the LIB, when they expired.
            Log.TooLateToPush(_log, rotation.RotationId, rotation.Expiration);
            return;
        }

        if (await _facts.RegistrationNowAsync(null, cancellationToken).ConfigureAwait(false) is not { } registered)
        {
            Log.NotPushedUnread(_log, rotation.RotationId);
            return;
        }

        await DecideAsync(new FailoverCommand.ObserveRegistration(registered.Authority, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        if (Process.Phase is not (Phase.Requested or Phase.Submitted) || Process.CurrentRotation?.RotationId != rotation.RotationId)
        {
            // Already registered (another instance or store rotated to the same target), or superseded: nothing to send.
            return;
        }

        var context = new SigningContext(_producer, _settings.Signer.Permission.ToString(), _settings.ChainId?.ToString() ?? _inputs.Chain.ChainId ?? string.Empty,
            _dataCenters, registered.Url, registered.Location, _time.GetUtcNow());
        if (SigningCheck.Problems(rotation, context) is { Count: > 0 } problems)
        {
            var text = string.Join("; ", problems);
            Log.RefusedToSign(_log, rotation.RotationId, text);
            await DecideAsync(new FailoverCommand.RefuseToSign(rotation.RotationId, text, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
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
        var endpoint = _endpoints.FirstOrDefault(e => e.Name == endpointName) ?? AgreeingFirst().First();
        var outcome = await TransactionPush.PushOnceAsync(endpoint.Client, signed, rotation.TransactionId, cancellationToken).ConfigureAwait(false);
        Log.Pushed(_log, rotation.RotationId, rotation.TransactionId, endpoint.Name, outcome.Kind.ToString(), outcome.Explanation);
        var result = new PushResult(
            outcome.Kind switch
            {
                PushOutcomeKind.Accepted => PushOutcomes.Accepted,
                PushOutcomeKind.Duplicate => PushOutcomes.Duplicate,
                PushOutcomeKind.NotApplied => PushOutcomes.NotApplied,
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

    /// <summary>The configured endpoints that agreed with the recorded chain at the latest sample, in configuration order.</summary>
    private IEnumerable<ChainEndpoint> Agreeing() =>
        _endpoints.Where(e => EndpointJudgement.AgreedAtLatestSample(_inputs.Observer, e.Name));
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

        var awaiting = Process.AwaitingOperator;
        var result = await _processStream.AppendAsync(_inputs, decision.Events, new EventMetadata(CausationId: _reactingTo, ObserverId: _settings.ObserverId), command.GetType().Name, cancellationToken).ConfigureAwait(false);
        _inputs = result.State;
        if (Process.AwaitingOperator is { } reason && reason != awaiting)
        {
            Log.AwaitingOperator(_log, reason);
        }

        if (!result.Written && result.Foreign is not null)
        {
            Log.LostRace(_log, command.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Error, "The producers table could not be read from any agreeing endpoint: no rotation is built for {Producer} without the URL and location the chain holds (regproducer would wipe them); tried again at every sample, said again only after it was read.")]
        public static partial void RegistrationUnknown(ILogger logger, string producer);

        [LoggerMessage(LogLevel.Critical, "Rotation {RotationId} cannot be signed: {Problem}")]
        public static partial void CannotSign(ILogger logger, string rotationId, string problem);

        [LoggerMessage(LogLevel.Warning, "Rotation {RotationId} (transaction {TransactionId}) pushed to {Endpoint}: {Outcome} — {Explanation}")]
        public static partial void Pushed(ILogger logger, string rotationId, string transactionId, string endpoint, string outcome, string explanation);

        [LoggerMessage(LogLevel.Warning, "Rotation {RotationId} not pushed: it expires at {Expiration:O}, too soon to be included; it is recorded expired once the chain shows that it can no longer apply, and the incident is decided again.")]
        public static partial void TooLateToPush(ILogger logger, string rotationId, DateTimeOffset expiration);

        [LoggerMessage(LogLevel.Warning, "Rotation {RotationId} not pushed now: no agreeing endpoint showed the producers table, so whether the chain still registers the key it replaces is unknown; tried again at the next sample.")]
        public static partial void NotPushedUnread(ILogger logger, string rotationId);

        [LoggerMessage(LogLevel.Critical, "REFUSED TO SIGN rotation {RotationId}: the recorded transaction is not one this service would build — {Problems}. Whoever appended it can write to the event store: investigate.")]
        public static partial void RefusedToSign(ILogger logger, string rotationId, string problems);

        [LoggerMessage(LogLevel.Critical, "AUTOMATIC FAILOVER NEEDS AN OPERATOR: {Reason}. Readiness is down; decide with `failover switch <data-center>` once the cause is understood.")]
        public static partial void AwaitingOperator(ILogger logger, string reason);

        [LoggerMessage(LogLevel.Warning, "Reconciling rotation {RotationId}: transaction {TransactionId} is neither applied nor expired; pushing the same bytes again.")]
        public static partial void Reconciling(ILogger logger, string rotationId, string transactionId);

        [LoggerMessage(LogLevel.Information, "Another instance recorded first ({Command}); its events are followed from the log.")]
        public static partial void LostRace(ILogger logger, string command);
    }
}
