using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Scheduling;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Service.Configuration;
using Failover.Service.Storage;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Observation;

/// <summary>What one poll did.</summary>
/// <param name="Behind">The chosen endpoint has blocks the chain stream does not hold yet: poll again at once.</param>
public sealed record PollOutcome(int ChainEventsAppended, int ObserverEventsAppended, bool Behind, string? Problem);

/// <summary>
/// The observer (design §3): polls every endpoint, follows the best one's branch block by block, and appends what the
/// domain decides — blocks, misses charged to the producer scheduled for each slot, schedule changes, fork switches —
/// to the chain stream with its expected version, so restarts and other observers never record a fact twice. It
/// samples participation and judges its endpoints in its own stream. Time comes from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class Observer
{
    private const int MaxAppendAttempts = 5;

    private readonly FailoverSettings _settings;
    private readonly IEventStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IReadOnlyList<ChainEndpoint> _endpoints;
    private readonly IReadOnlyList<(DataCenter DataCenter, ChainEndpoint Node)> _dataCenterNodes;
    private readonly EventSourcedStream<ObserverState, IObserverEvent> _observerStream;
    private EventSourcedStream<ObservedChain, IChainEvent>? _chainStream;
    private string? _chainId;
    private ObservedChain _chain = ObservedChain.Empty;
    private ObserverState _state = ObserverState.Empty;
    private readonly ObserverRules _rules;
    private bool _belowMajority;

    public Observer(FailoverSettings settings, IEventStore store, HttpClient http, TimeProvider time, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(http);
        (_settings, _store, _time, _log) = (settings, store ?? throw new ArgumentNullException(nameof(store)), time ?? throw new ArgumentNullException(nameof(time)), log ?? throw new ArgumentNullException(nameof(log)));
        _endpoints = [.. settings.Endpoints.Select(url => Endpoint(url, http))];
        _dataCenterNodes = [.. settings.DataCenters.Where(d => d.Endpoint is not null).Select(d => (d, Endpoint(d.Endpoint!, http)))];
        _observerStream = new(_store, ObserverStream, s => s.EventCount, (s, version, e) => s.Apply(e) with { EventCount = version + 1 }, _ => string.Empty, _log);
        _rules = new ObserverRules(settings.ObserverId, settings.Producer, settings.Policy.MissedBlocksThreshold, settings.Observer.SampleInterval, settings.Observer.StaleAfter);
    }

    /// <summary>The chain id the streams are named by, once known.</summary>
    public string? ChainId => _chainId;

    public ObservedChain Chain => _chain;

    public ObserverState State => _state;

    public string ChainStream => Streams.Chain(_chainId ?? throw new InvalidOperationException("The chain id is not known yet."));

    public string ObserverStream => Streams.Observer(_settings.ObserverId);

    /// <summary>
    /// Called after every poll, whatever it found (systemd's watchdog is fed from here: an observer whose loop stops is
    /// restarted, one that keeps polling a failing chain or store is not).
    /// </summary>
    public Action? PollCompleted { get; init; }

    /// <summary>Polls until cancelled: at once again while behind, else every poll interval.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            PollOutcome outcome;
            try
            {
                outcome = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && IsStoreFailure(e))
            {
                ObserverLog.StoreFailed(_log, e);
                outcome = new PollOutcome(0, 0, false, e.Message);
            }

            PollCompleted?.Invoke();
            if (!outcome.Behind)
            {
                await Task.Delay(_settings.Observer.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One poll: read every endpoint, follow the best, append what is new, judge endpoints, sample if due.</summary>
    public async Task<PollOutcome> PollOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var reads = await Task.WhenAll(_endpoints.Select(e => e.ReadAsync(cancellationToken))).ConfigureAwait(false);
        var checks = reads.Select(Check).ToArray();
        if (_chainId is null && !await TryLearnChainAsync(reads, cancellationToken).ConfigureAwait(false))
        {
            var judged = await JudgeAsync(reads, checks, null, now, cancellationToken).ConfigureAwait(false);
            return new PollOutcome(0, judged, false, "no endpoint answered with the configured chain");
        }

        string? problem = null;
        var appended = 0;
        EndpointRead? followed = null;
        var signatures = new SignatureCheck(_settings.Producer, ObserverDecider.CorroboratedLib(_chainId!, checks));
        foreach (var ranked in ObserverDecider.Rank(_state, _chainId!, checks))
        {
            var index = Array.IndexOf(checks, ranked);
            var candidate = reads[index];
            int count;
            string? failure;
            try
            {
                (count, failure) = await FollowAsync(candidate, signatures, now, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (EndpointFailures.Classify(e) is { } reason)
            {
                // Reading its blocks failed: judged like a failed read of its head, and the next endpoint is tried.
                checks[index] = EndpointCheck.Failed(ranked.Endpoint, reason, e.Message, ranked.HeadBlockNum);
                problem = $"{candidate.Endpoint.Name}: {e.Message}";
                continue;
            }

            appended += count;
            checks[index] = ranked with { Followed = failure is null };
            if (failure is null)
            {
                followed = candidate;
                break;
            }

            problem = failure;
            ObserverLog.CannotRecord(_log, candidate.Endpoint.Name, failure);
            if (count > 0)
            {
                break;
            }
        }

        var behind = followed is not null && _chain.Head is { } head && followed.Info!.HeadBlockNum > head.Number;
        var observerEvents = await JudgeAsync(reads, checks, behind ? null : followed, now, cancellationToken).ConfigureAwait(false);
        return new PollOutcome(appended, observerEvents, behind, followed is null ? problem ?? "no endpoint is healthy" : null);
    }

    private static EndpointCheck Check(EndpointRead read) => read.Succeeded
        ? EndpointCheck.Answered(read.Endpoint.Name, read.Info!.ChainId, read.Info.HeadBlockNum, read.Info.HeadBlockTime, read.Info.LastIrreversibleBlockNum)
        : EndpointCheck.Failed(read.Endpoint.Name, read.FailureReason ?? EndpointReasons.Malformed, read.FailureDetail, read.Info?.HeadBlockNum);

    /// <summary>Loads the streams at start-up (after that, appends fold what another observer recorded: <see cref="AppendChainAsync"/>).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_chainStream is not null)
        {
            _chain = await _chainStream.LoadAsync(_chain, cancellationToken).ConfigureAwait(false);
        }

        _state = await _observerStream.LoadAsync(_state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chain id: configured (and then checked), or agreed by the endpoints that answer.</summary>
    private async Task<bool> TryLearnChainAsync(EndpointRead[] reads, CancellationToken cancellationToken)
    {
        var chosen = ObserverDecider.ChainToFollow(_settings.ChainId?.ToString(), [.. reads.Where(r => r.Info is not null).Select(r => r.Info!.ChainId)], reads.Length);
        if (chosen is null)
        {
            return false;
        }

        _chainId = chosen;
        // A stream's versions have holes where compaction deleted old events: the next version follows the last one folded.
        _chainStream = new(_store, ChainStream, c => c.EventCount, (c, version, e) => c.Apply(e) with { EventCount = version + 1 }, WhatItRecords, _log);
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        ObserverLog.Observing(_log, _chainId, _endpoints.Count, _chain.EventCount, _chain.Head?.Number);
        return true;
    }

    /// <summary>
    /// Reads the endpoint's blocks after the recorded head (a batch at most) and appends what the domain decides, every
    /// block's signature checked (<paramref name="signatures"/>).
    /// </summary>
    private async Task<(int Appended, string? Problem)> FollowAsync(EndpointRead read, SignatureCheck signatures, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var endpoint = read.Endpoint;
        var info = read.Info!;
        var appended = 0;
        for (var attempt = 0; attempt < MaxAppendAttempts; attempt++)
        {
            if (ObserverDecider.BlocksToRead(_chain, info.HeadBlockNum, _settings.Observer.FromBlock, _settings.Observer.BatchSize) is not { } range)
            {
                return (appended, null);
            }

            var (from, to) = range;
            var branch = (await endpoint.ReadBlocksAsync(from, to, signatures.IrreversibleUpTo, _settings.Observer.BackfillConcurrency, cancellationToken, read.Finalizers).ConfigureAwait(false)).ToList();
            var report = read.Schedules!;
            ChainDecision decision;
            while (true)
            {
                decision = ChainDecider.Decide(_chain, new ChainObservation(_chainId!, branch, report, now, signatures));
                if (decision.NeedsBlocksFrom is { } earlier && earlier < branch[0].Number && branch[0].Number - earlier <= ObservedChain.KeptBlocks)
                {
                    var missing = await endpoint.ReadBlocksAsync(earlier, branch[0].Number - 1, signatures.IrreversibleUpTo, _settings.Observer.BackfillConcurrency, cancellationToken, read.Finalizers).ConfigureAwait(false);
                    branch.InsertRange(0, missing);
                    continue;
                }

                if (decision.Problem is not null && decision.Events.Count == 0 && await FindLegacyScheduleAsync(endpoint, branch, report, cancellationToken).ConfigureAwait(false) is { } extended)
                {
                    report = extended;
                    continue;
                }

                break;
            }

            if (decision.Events.Count == 0)
            {
                return (appended, decision.Problem ?? (decision.NeedsBlocksFrom is { } n ? $"the branch leaves the recorded chain below block {n}, deeper than the observer reads back" : null));
            }

            if (!await AppendChainAsync(decision.Events, cancellationToken).ConfigureAwait(false))
            {
                // Another observer moved the chain stream: what it recorded is folded; decide again.
                continue;
            }

            appended += decision.Events.Count;
            return (appended, decision.Problem);
        }

        return (appended, $"the chain stream kept moving under {MaxAppendAttempts} attempts to append");
    }

    /// <summary>
    /// Appends to the chain stream with the version folded. When the reply does not settle it (lost, or another
    /// observer moved the stream), what the stream holds is folded instead (<see cref="EventSourcedStream{TState, TEvent}"/>).
    /// True when these events are stored — acknowledged, or found stored after a lost reply.
    /// </summary>
    private async Task<bool> AppendChainAsync(IReadOnlyList<IChainEvent> events, CancellationToken cancellationToken)
    {
        var result = await _chainStream!.AppendAsync(_chain, events, Metadata, "chain events", cancellationToken).ConfigureAwait(false);
        _chain = result.State;
        return result.Written;
    }

    /// <summary>
    /// What a chain event records, in its id: the same block recorded again after forks switched away and back takes
    /// another version, and so another id.
    /// </summary>
    private static string WhatItRecords(IChainEvent e) => e switch
    {
        BlockProduced b => b.BlockId,
        BlockMissed m => $"{m.Slot}@{m.RevealedByBlockId}",
        ProducerScheduleChanged s => $"v{s.Version}@{s.EffectiveFromBlockNum}",
        ForkSwitched f => $"{f.OldHeadId}->{f.NewHeadId}",
        _ => string.Empty,
    };

    private EventMetadata Metadata => new(ObserverId: _settings.ObserverId);

    /// <summary>
    /// A legacy block names a schedule version the endpoint no longer reports (reading history): find the block that
    /// made that schedule pending (its header carries it) by walking back from the first block naming the version.
    /// </summary>
    private async Task<ScheduleReport?> FindLegacyScheduleAsync(ChainEndpoint endpoint, IReadOnlyList<ObservedBlock> branch, ScheduleReport report, CancellationToken cancellationToken)
    {
        var unknown = branch.FirstOrDefault(b => !b.IsSavanna && report.WithVersion(b.HeaderScheduleVersion) is null
            && _chain.Schedules.All(s => s.Schedule.Version != b.HeaderScheduleVersion));
        if (unknown is null)
        {
            return null;
        }

        const int searchLimit = 2000;
        for (var number = unknown.Number; number > 1 && unknown.Number - number < searchLimit; number--)
        {
            var block = await endpoint.Client.GetBlockAsync(number, cancellationToken).ConfigureAwait(false);
            if (block.NewProducerSchedule is { } schedule && schedule.Version == unknown.HeaderScheduleVersion)
            {
                return report with { Historical = [.. report.Historical, ProducerSchedule.FromWire(schedule)] };
            }

            if (block.NewProducers is { } legacy && legacy.Version == unknown.HeaderScheduleVersion)
            {
                var producers = legacy.Producers.Select(p => ScheduledProducer.WithKey(Name.Parse(p.ProducerName), PublicKey.Parse(p.BlockSigningKey)));
                return report with { Historical = [.. report.Historical, ProducerSchedule.Create(legacy.Version, producers)] };
            }
        }

        return null;
    }

    /// <summary>
    /// Asks <see cref="ObserverDecider"/> what this poll adds to the observer's stream — endpoint judgements and, when a
    /// sample is due and the chain stream is caught up, the participation sample, for which every endpoint that answers
    /// (the inconsistent ones too) is first compared with the recorded chain and the data centers' nodes are read — and
    /// appends it. Returns the number of events appended.
    /// </summary>
    private async Task<int> JudgeAsync(EndpointRead[] reads, EndpointCheck[] checks, EndpointRead? followed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        FollowedEndpoint? sampled = null;
        IReadOnlyList<DataCenterNodeView>? nodes = null;
        if (followed?.Info is { } info && ObserverDecider.IsSampleDue(_state, _chain, info.LastIrreversibleBlockNum, now, _rules))
        {
            await CompareAsync(reads, checks, followed, cancellationToken).ConfigureAwait(false);
            nodes = await ReadDataCenterNodesAsync(cancellationToken).ConfigureAwait(false);
            sampled = new FollowedEndpoint(followed.Endpoint.Name, info.LastIrreversibleBlockNum, info.LastIrreversibleBlockId);
        }

        var events = ObserverDecider.Decide(_state, _chain, new ObserverPoll(now, _chainId, checks, sampled, nodes), _rules);
        if (events.Count == 0)
        {
            return 0;
        }

        var result = await _observerStream.AppendAsync(_state, events, Metadata, "endpoint judgements and samples", cancellationToken).ConfigureAwait(false);
        if (result.Foreign is { } stranger)
        {
            // Events this observer did not append: the fence holds.
            throw new InvalidOperationException(
                $"Another process appends to {ObserverStream} (version {stranger.Version} is not this observer's): two observers are configured with ObserverId '{_settings.ObserverId}'. Give each its own.");
        }

        _state = result.State;
        if (!result.Written)
        {
            // An earlier poll's events were stored instead: this poll's are decided again at the next.
            return 0;
        }

        if (events.Any(e => e is ParticipationSampled))
        {
            ReportEndpointMajority();
        }

        return events.Count;
    }

    /// <summary>Says once, loudly, when fewer than a majority of the endpoints agree (no failover could pass), and once when it ends.</summary>
    private void ReportEndpointMajority()
    {
        var missing = EndpointJudgement.BelowMajority(_state, [.. _endpoints.Select(e => e.Name)]);
        if (missing.Count > 0 && !_belowMajority)
        {
            ObserverLog.BelowMajority(_log, _endpoints.Count, string.Join(", ", missing));
        }
        else if (missing.Count == 0 && _belowMajority)
        {
            ObserverLog.MajorityRestored(_log, _endpoints.Count);
        }

        _belowMajority = missing.Count > 0;
    }

    /// <summary>
    /// Compares every endpoint that answered with the chain (but the followed one) with the recorded chain: its block at
    /// the height it shares with the recorded head against the recorded block (or, below the first recorded block, the
    /// followed endpoint's block at that height).
    /// </summary>
    private async Task CompareAsync(EndpointRead[] reads, EndpointCheck[] checks, EndpointRead followed, CancellationToken cancellationToken)
    {
        for (var i = 0; i < reads.Length; i++)
        {
            if (reads[i] == followed)
            {
                checks[i] = checks[i] with { Agrees = true };
                continue;
            }

            if (checks[i] is not { FailureReason: null, HeadBlockNum: { } theirs } check || check.ChainId != _chainId)
            {
                continue;
            }

            var height = Math.Min(theirs, _chain.Head!.Number);
            try
            {
                var expected = _chain.Blocks.TryGetValue(height, out var recorded)
                    ? recorded.Id
                    : await followed.Endpoint.ReadBlockIdAsync(height, cancellationToken).ConfigureAwait(false);
                checks[i] = check with { Agrees = await reads[i].Endpoint.ReadBlockIdAsync(height, cancellationToken).ConfigureAwait(false) == expected };
            }
            catch (Exception e) when (EndpointFailures.Classify(e) is not null)
            {
                checks[i] = check with { Agrees = false };
            }
        }
    }

    private async Task<IReadOnlyList<DataCenterNodeView>> ReadDataCenterNodesAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_dataCenterNodes.Select(async n =>
        {
            try
            {
                var nodeInfo = await n.Node.Client.GetInfoAsync(cancellationToken).ConfigureAwait(false);
                return nodeInfo.ChainId == _chainId
                    ? new DataCenterNodeView(n.DataCenter.Name, nodeInfo.HeadBlockNum, nodeInfo.HeadBlockTime, null)
                    : new DataCenterNodeView(n.DataCenter.Name, nodeInfo.HeadBlockNum, nodeInfo.HeadBlockTime, $"serves chain {nodeInfo.ChainId}");
            }
            catch (Exception e) when (EndpointFailures.Classify(e) is { } reason)
            {
                return new DataCenterNodeView(n.DataCenter.Name, null, null, $"{reason}: {e.Message}");
            }
        })).ConfigureAwait(false);

    private ChainEndpoint Endpoint(Uri url, HttpClient http) => new(url, new ChainApiClient(http, new ChainApiOptions
    {
        BaseAddress = url,
        Timeout = _settings.Observer.RequestTimeout,
        ReadRetries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(100),
        TimeProvider = _time,
    }))
    {
        OurFinalizerKeys = FinalizerKeysToFollow(_settings),
    };

    /// <summary>Our data centers' finalizer keys, when early detection follows their votes (Savanna, <c>FinalizerSilence</c> on).</summary>
    private static HashSet<string>? FinalizerKeysToFollow(FailoverSettings settings)
    {
        var keys = settings.DataCenters.Select(d => d.FinalizerKey).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return settings.Consensus == Domain.Decisions.ConsensusKind.Savanna && settings.Policy.FinalizerSilence is not null && keys.Count > 0 ? keys : null;
    }

    private static bool IsStoreFailure(Exception e) => e is System.Data.Common.DbException or IOException or TimeoutException;
}

internal static partial class ObserverLog
{
    [LoggerMessage(LogLevel.Information, "Observing chain {ChainId} through {Count} endpoint(s); the chain stream holds {Events} events, head {Head}.")]
    public static partial void Observing(ILogger logger, string chainId, int count, long events, uint? head);

    [LoggerMessage(LogLevel.Warning, "Endpoint {Endpoint} served a branch the observer cannot record: {Problem}")]
    public static partial void CannotRecord(ILogger logger, string endpoint, string problem);

    [LoggerMessage(LogLevel.Error, "Fewer than a majority of the {Count} endpoints agree with the recorded chain: no failover can pass the endpoints gate until they do. Not counting: {Endpoints}")]
    public static partial void BelowMajority(ILogger logger, int count, string endpoints);

    [LoggerMessage(LogLevel.Information, "A majority of the {Count} endpoints agree with the recorded chain again.")]
    public static partial void MajorityRestored(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "The observer could not append to the event store; it retries at the next poll.")]
    public static partial void StoreFailed(ILogger logger, Exception exception);
}
