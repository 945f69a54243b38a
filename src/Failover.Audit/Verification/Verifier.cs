using System.Collections.Immutable;
using System.Globalization;
using Failover.Audit.Decisions;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;

namespace Failover.Audit.Verification;

/// <summary>A link of the chain known from elsewhere (printed by an earlier verify): <c>POSITION:HASH</c>.</summary>
public sealed record Anchor(long Position, string Hash)
{
    public static bool TryParse(string? text, out Anchor? anchor, out string? problem)
    {
        anchor = null;
        problem = null;
        var parts = (text ?? string.Empty).Split(':', 2);
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var position) || position < 1)
        {
            problem = $"'{text}' is not POSITION:HASH (e.g. 1020:3f2a…, 64 hex digits)";
        }
        else if (parts[1].Length != 64 || !parts[1].All(Uri.IsHexDigit))
        {
            problem = $"the hash of '{text}' is not 64 hexadecimal digits";
        }
        else
        {
            anchor = new Anchor(position, parts[1].ToLowerInvariant());
        }

        return anchor is not null;
    }
}

/// <summary>What <c>verify</c> found: the chain's extent and head, what was checked, and every problem in position order.</summary>
/// <param name="ChainEventsRederived">Chain events the chain decider, re-run on the recorded blocks, produced exactly.</param>
/// <param name="ProcessEventsRederived">Process events the failover decider, re-run on the process streams, produced exactly.</param>
public sealed record VerifyReport(
    long Events,
    long HeadPosition,
    string? HeadHash,
    bool ChainIntact,
    int Streams,
    int Decisions,
    int DecisionsRederived,
    int EvidenceRebuilt,
    int RotationsRequested,
    int RotationStepsChecked,
    int ChainEventsRederived,
    int ProcessEventsRederived,
    IReadOnlyList<AuditProblem> Problems,
    IReadOnlyList<string> Warnings)
{
    public bool Holds => Problems.Count == 0;

    /// <summary>The first bad event: the lowest position, and at that position the first check in <see cref="AuditCheck"/> order.</summary>
    public AuditProblem? FirstProblem => Problems.Count > 0 ? Problems[0] : null;
}

/// <summary>
/// <c>failover audit verify</c>: one pass over the log from position 1. At each event, in this order: the position
/// follows the previous one (a gap is a deleted event); the stored hash is sha256(previous stored hash ‖ canonical
/// bytes), with a diagnosis when it is not (edited, swapped with its neighbour, inserted before it); the stream's
/// version follows; an anchored link matches; the payload decodes; a decision re-runs through the policy to what was
/// recorded and its evidence is what the log before it shows; a rotation step follows its request and the requested
/// transaction is what it says; and both deciders, re-run over the log, record what it holds — the chain decider on
/// every recorded block (<see cref="ChainReplay"/>), the failover decider on every process event (<see cref="ProcessReplay"/>).
/// Problems are reported at the event they concern, sorted by position.
/// </summary>
public static class Verifier
{
    public static async Task<VerifyReport> VerifyAsync(IEventStore store, IReadOnlyList<Anchor>? anchors = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var compactions = new List<LogCompacted>();
        await foreach (var e in store.ReadStreamAsync(Streams.Compaction, Direction.Forwards, 0, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            if (AuditLog.Decode(e).Event is LogCompacted compacted)
            {
                compactions.Add(compacted);
            }
        }

        var pass = new VerifyPass(anchors ?? [], compactions);
        await using var events = store.ReadAllAsync(1, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        var current = await events.MoveNextAsync().ConfigureAwait(false) ? events.Current : null;
        while (current is not null)
        {
            var next = await events.MoveNextAsync().ConfigureAwait(false) ? events.Current : null;
            pass.Check(current, next);
            current = next;
        }

        return await pass.FinishAsync(store, cancellationToken).ConfigureAwait(false);
    }

    private sealed class VerifyPass(IReadOnlyList<Anchor> anchors, IReadOnlyList<LogCompacted> compactions)
    {
        private const int SnapshotsKept = 512;

        private readonly List<AuditProblem> _problems = [];
        private readonly List<string> _warnings = [];
        private readonly Dictionary<long, string> _anchors = anchors.GroupBy(a => a.Position).ToDictionary(g => g.Key, g => g.Last().Hash);
        private readonly Dictionary<string, (long Version, long Position)> _streams = new(StringComparer.Ordinal);

        // The chain of hashes.
        private ReadOnlyMemory<byte> _previousHash = CanonicalEvent.GenesisHash;
        private ReadOnlyMemory<byte>? _beforePreviousHash;
        private RecordedEvent? _previous;
        private bool _previousSwapped;
        private long _expected = 1;
        private bool _intact = true;
        private long _events;

        // Compaction (issue 18.6): positions its anchors name may be missing; the chain goes on from the links they give.
        private readonly Dictionary<long, byte[]> _compactedLinks = compactions.SelectMany(c => c.Links)
            .GroupBy(l => l.Position).ToDictionary(g => g.Key, g => Convert.FromHexString(g.First().PreviousHash));
        private readonly IReadOnlyList<LogCompacted> _compactions = compactions;
        private readonly Dictionary<string, long> _compactedVersions = new(StringComparer.Ordinal);
        private long? _lastCompactedGap;
        private long _compactedPositions;

        // The folds the service decides from, as of the event being checked: FailoverInputs, the process manager's one
        // fold of the chain stream and an observer's stream, for every observer of the log (and for an observer not yet
        // seen: the chain alone); the process streams are folded by their decider replays.
        private static readonly FailoverScope ChainOnly = new(string.Empty, string.Empty);
        private static readonly string ObserverPrefix = Streams.Observer(string.Empty);
        private static readonly string ProcessPrefix = Streams.Failover(string.Empty);
        private FailoverInputs _chainInputs = FailoverInputs.Initial;
        private readonly Dictionary<string, ObserverInputs> _observed = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChainReplay> _chainReplays = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ProcessReplay> _processReplays = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Snapshot>> _samples = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Snapshot>> _operatorTriggers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (object Event, long Position)> _lastProcessEvent = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Stream, string RotationId), Requested> _rotations = [];
        private readonly HashSet<string> _unknownTypes = new(StringComparer.Ordinal);

        private int _decisions;
        private int _rederived;
        private int _evidenceRebuilt;
        private int _rotationSteps;

        /// <summary>
        /// The folds at an event that made the process manager evaluate (<see cref="EvaluationTrigger"/>): a sample of its
        /// observer, or an operator's command — each observer's inputs, and the chain alone for an observer not seen yet.
        /// </summary>
        private sealed record Snapshot(long Position, Guid EventId, DateTimeOffset At, ImmutableDictionary<string, FailoverInputs> Observed, FailoverInputs Unobserved)
        {
            public FailoverInputs For(string? observerStream) =>
                observerStream is not null && Observed.TryGetValue(observerStream, out var inputs) ? inputs : Unobserved;
        }

        /// <summary>One observer's inputs (the process part stays empty: its scope names no producer).</summary>
        private sealed class ObserverInputs(FailoverScope scope, FailoverInputs inputs)
        {
            public FailoverScope Scope => scope;

            public FailoverInputs Inputs { get; set; } = inputs;
        }

        private sealed record Requested(KeyRotationRequested Request, long Position, string? RecomputedId);

        public void Check(RecordedEvent e, RecordedEvent? next)
        {
            _events++;
            CheckLink(e, next);
            CheckStreamVersion(e);
            CheckAnchor(e);
            var audited = AuditLog.Decode(e);
            if (audited.DecodeError is { } error)
            {
                Add(e, AuditCheck.Payload, $"the payload is not a {e.Type} record: {error}");
                return;
            }

            if (audited.Event is null)
            {
                if (_unknownTypes.Add(e.Type))
                {
                    _warnings.Add($"event type {e.Type} (first at position {e.Position}) is not in this build's catalogue: not checked beyond the hash chain");
                }

                return;
            }

            try
            {
                Follow(audited);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException)
            {
                Add(e, AuditCheck.Payload, $"the event does not fold into its stream's state: {ex.Message}");
            }
        }

        private void CheckLink(RecordedEvent e, RecordedEvent? next)
        {
            var gap = e.Position != _expected;
            var previousHash = _previousHash;
            if (gap && CompactedGap(_expected, e.Position - 1) && _compactedLinks.TryGetValue(e.Position, out var link))
            {
                // Deleted by compaction, as an anchor in the log says: the chain goes on from the deleted event's hash it kept.
                _compactedPositions += e.Position - _expected;
                _lastCompactedGap = e.Position;
                previousHash = link;
                gap = false;
                foreach (var replay in _chainReplays.Values)
                {
                    replay.Resync();
                }
            }
            else if (gap)
            {
                _intact = false;
                foreach (var (first, last) in NotCompacted(_expected, e.Position - 1))
                {
                    var whole = first == _expected && last == e.Position - 1;
                    var where = whole ? $"the log goes from {_expected - 1} to {e.Position}" : $"no compaction anchor names {(first == last ? "it" : "them")}";
                    Add(first, null, null, AuditCheck.Position, first == last
                        ? $"position {first} is missing: {where} (an event was deleted)"
                        : $"positions {first}–{last} are missing: {where} (events were deleted)", []);
                }
            }

            _expected = e.Position + 1;
            var recomputed = CanonicalEvent.ComputeHash(previousHash.Span, e);
            var swapped = false;
            if (!recomputed.AsSpan().SequenceEqual(e.Hash.Span))
            {
                _intact = false;
                List<string> details = [$"stored hash {Hex(e.Hash)}", $"recomputed {Convert.ToHexStringLower(recomputed)} from the stored hash of the event before it"];
                if (next is not null && next.Position == e.Position + 1 && Links(next.Hash, e with { Position = e.Position + 1 }, e.Hash))
                {
                    swapped = true;
                    Add(e, AuditCheck.HashChain,
                        $"out of order: this event was sealed at position {next.Position}, after the event now at {next.Position} ({next.Stream}, {next.Type}); the two were swapped", details);
                }
                else if (_previousSwapped && _previous is not null)
                {
                    Add(e, AuditCheck.HashChain, $"out of order: this event was sealed at position {_previous.Position}; it was swapped with the event now there", details);
                }
                else if (!gap && _previous is not null && _beforePreviousHash is { } before && Links(before, e with { Position = e.Position - 1 }, e.Hash))
                {
                    Add(_previous, AuditCheck.HashChain,
                        $"inserted: the event after it (position {e.Position}) was sealed at position {_previous.Position}, directly after position {_previous.Position - 1}; this event was not in the log then", []);
                    Add(e, AuditCheck.HashChain, $"sealed at position {e.Position - 1}: an event was inserted before it (position {_previous.Position})", details);
                }
                else if (gap)
                {
                    Add(e, AuditCheck.HashChain, $"does not link to position {_previous?.Position ?? 0}, the event before it in the log: the event it was sealed after is missing", details);
                }
                else
                {
                    Add(e, AuditCheck.HashChain,
                        $"the stored hash is not sha256(previous hash ‖ canonical bytes): the event was changed after it was sealed, or the event before it was rewritten with its hash", details);
                }
            }

            _beforePreviousHash = _previousHash;
            _previousHash = e.Hash;
            _previous = e;
            _previousSwapped = swapped;
        }

        /// <summary>Compaction deletes only chain observations and samples: the other streams' versions never jump, whatever an anchor says.</summary>
        private static bool Compactable(string stream) =>
            stream.StartsWith(Streams.Chain(string.Empty), StringComparison.Ordinal) || stream.StartsWith(ObserverPrefix, StringComparison.Ordinal);

        /// <summary>Whether an anchor of the log names every position from <paramref name="first"/> to <paramref name="last"/> as compacted.</summary>
        private bool CompactedGap(long first, long last) =>
            _compactions.Any(c => c.FromPosition <= first && last <= c.ToPosition);

        /// <summary>The runs of positions from <paramref name="first"/> to <paramref name="last"/> that no compaction anchor names.</summary>
        private IEnumerable<(long First, long Last)> NotCompacted(long first, long last)
        {
            var next = first;
            foreach (var c in _compactions.Where(c => c.ToPosition >= first && c.FromPosition <= last).OrderBy(c => c.FromPosition))
            {
                if (c.FromPosition > next)
                {
                    yield return (next, Math.Min(last, c.FromPosition - 1));
                }

                next = Math.Max(next, c.ToPosition + 1);
            }

            if (next <= last)
            {
                yield return (next, last);
            }
        }

        private static bool Links(ReadOnlyMemory<byte> previousHash, RecordedEvent e, ReadOnlyMemory<byte> stored) =>
            CanonicalEvent.ComputeHash(previousHash.Span, e).AsSpan().SequenceEqual(stored.Span);

        private void CheckStreamVersion(RecordedEvent e)
        {
            var known = _streams.TryGetValue(e.Stream, out var last);
            var expected = known ? last.Version + 1 : 0;
            if (e.Version > expected && _lastCompactedGap is { } gapAt && (!known || gapAt > last.Position) && Compactable(e.Stream))
            {
                // Versions deleted by compaction: counted, and checked against what the anchors say they removed (FinishAsync).
                _compactedVersions[e.Stream] = _compactedVersions.GetValueOrDefault(e.Stream) + e.Version - expected;
            }
            else if (known)
            {
                if (e.Version != last.Version + 1)
                {
                    Add(e, AuditCheck.StreamVersion, e.Version > last.Version + 1
                        ? $"stream {e.Stream} jumps from version {last.Version} (position {last.Position}) to {e.Version}: versions are missing"
                        : $"stream {e.Stream} goes back from version {last.Version} (position {last.Position}) to {e.Version}: out of order or repeated");
                }
            }
            else if (e.Version != 0)
            {
                Add(e, AuditCheck.StreamVersion, $"stream {e.Stream} starts at version {e.Version}, not 0: its first events are missing");
            }

            _streams[e.Stream] = (Math.Max(e.Version, last.Version), e.Position);
        }

        private void CheckAnchor(RecordedEvent e)
        {
            if (_anchors.Remove(e.Position, out var anchored) && Hex(e.Hash) != anchored)
            {
                Add(e, AuditCheck.Anchor, $"the stored hash {Hex(e.Hash)} is not the anchored {anchored}: the log up to here is not the one anchored");
            }
        }

        /// <summary>
        /// Folds the event as the process manager does, checking decisions and rotation steps before they are folded, and
        /// hands it to the replay of its stream's decider.
        /// </summary>
        private void Follow(AuditedEvent audited)
        {
            var e = audited.Recorded;
            switch (audited.Event)
            {
                case IChainEvent chainEvent:
                    if (e.Stream != Streams.Chain(chainEvent.ChainId))
                    {
                        Add(e, AuditCheck.Payload, $"an event of chain {chainEvent.ChainId} in stream {e.Stream}, not {Streams.Chain(chainEvent.ChainId)}");
                    }

                    if (!_chainReplays.TryGetValue(e.Stream, out var replay))
                    {
                        _chainReplays[e.Stream] = replay = new ChainReplay(e.Stream);
                    }

                    replay.Add(e.Position, e.Type, chainEvent, _problems);
                    FoldInputs(e, chainEvent);
                    break;
                case IProcessEvent processEvent:
                    FollowProcess(audited, processEvent);
                    break;
                case IObserverEvent observerEvent:
                    if (e.Stream != Streams.Observer(observerEvent.ObserverId))
                    {
                        Add(e, AuditCheck.Payload, $"an event of observer {observerEvent.ObserverId} in stream {e.Stream}, not {Streams.Observer(observerEvent.ObserverId)}");
                    }

                    if (!_observed.TryGetValue(e.Stream, out var observer))
                    {
                        // An observer's inputs before its first event are the chain's alone.
                        var observerId = e.Stream.StartsWith(ObserverPrefix, StringComparison.Ordinal) ? e.Stream[ObserverPrefix.Length..] : observerEvent.ObserverId;
                        _observed[e.Stream] = observer = new ObserverInputs(new FailoverScope(string.Empty, observerId), _chainInputs);
                    }

                    FoldInputs(e, observerEvent);
                    if (observer.Scope.EvaluationAt(observerEvent) is { } sampledAt)
                    {
                        Keep(_samples, e.Stream, Snap(e, sampledAt));
                    }

                    break;
            }
        }

        /// <summary>Folds a chain or observer event into every observer's inputs (<see cref="FailoverInputs.Apply"/> takes what is theirs).</summary>
        private void FoldInputs(RecordedEvent e, object @event)
        {
            _chainInputs = _chainInputs.Apply(ChainOnly, e.Stream, e.Version, @event);
            foreach (var observer in _observed.Values)
            {
                observer.Inputs = observer.Inputs.Apply(observer.Scope, e.Stream, e.Version, @event);
            }
        }

        private Snapshot Snap(RecordedEvent e, DateTimeOffset at) =>
            new(e.Position, e.EventId, at, _observed.ToImmutableDictionary(o => o.Key, o => o.Value.Inputs, StringComparer.Ordinal), _chainInputs);

        private void FollowProcess(AuditedEvent audited, IProcessEvent processEvent)
        {
            var e = audited.Recorded;
            if (e.Stream != Streams.Failover(processEvent.Producer))
            {
                Add(e, AuditCheck.Payload, $"an event of {processEvent.Producer}'s failover process in stream {e.Stream}, not {Streams.Failover(processEvent.Producer)}");
            }

            if (!_processReplays.TryGetValue(e.Stream, out var replay))
            {
                var producer = e.Stream.StartsWith(ProcessPrefix, StringComparison.Ordinal) && e.Stream.Length > ProcessPrefix.Length ? e.Stream[ProcessPrefix.Length..] : processEvent.Producer;
                _processReplays[e.Stream] = replay = new ProcessReplay(e.Stream, producer);
            }

            var cause = RecordedDecision.From(audited) is { } decision ? CheckDecision(decision, replay.State) : null;
            CheckRotationStep(e, processEvent);
            replay.Check(e.Position, e.Type, processEvent, cause, _chainInputs.Chain, _problems);
            _lastProcessEvent[e.Stream] = (processEvent, e.Position);
            if (EvaluationTrigger.At(processEvent, observerId: string.Empty, processEvent.Producer) is { } commandAt)
            {
                Keep(_operatorTriggers, e.Stream, Snap(e, commandAt));
            }
        }

        /// <summary>Checks a decision against the policy and its evidence against the log; returns the folds at its cause when it was traced.</summary>
        private FailoverInputs? CheckDecision(RecordedDecision d, FailoverProcess process)
        {
            _decisions++;
            var divergences = DecisionCheck.Divergences(d);
            if (divergences.Count == 0)
            {
                _rederived++;
            }
            else
            {
                Add(d.Position, d.Stream, d.Type, AuditCheck.Decision, "the decision does not follow from its recorded evidence and policy: " + divergences[0], divergences);
            }

            // The evaluation that recorded it ran on the folds as of its cause: the sample or operator command named by its
            // CausationId, or - in a log written before causes were recorded - the one at the evidence's time.
            var at = d.Evidence.EvaluatedAt;
            var observerStream = d.ObserverId is { } observer ? Streams.Observer(observer) : null;
            var samples = observerStream is not null && _samples.TryGetValue(observerStream, out var kept) ? kept : [];
            var commands = _operatorTriggers.TryGetValue(d.Stream, out var issued) ? issued : [];
            var cause = d.CausationId is { } causationId
                ? samples.Concat(commands).FirstOrDefault(s => s.EventId == causationId)
                : samples.LastOrDefault(s => s.At == at) ?? commands.LastOrDefault(s => s.At == at);
            if (cause is null)
            {
                Add(d.Position, d.Stream, d.Type, AuditCheck.Evidence,
                    d.CausationId is { } missing
                        ? $"its cause, event {missing}, is neither a sample of observer {d.ObserverId ?? "(none named)"} nor an operator command before it in the log: its evidence cannot be traced"
                        : observerStream is null
                            ? "the decision names no observer, so its evidence cannot be traced to a sample in the log"
                            : $"no sample of observer {d.ObserverId} and no operator command at {DecisionCheck.Time(at)} precedes the decision: its evidence cannot be traced to the log", []);
                return null;
            }

            if (cause.At != at)
            {
                Add(d.Position, d.Stream, d.Type, AuditCheck.Evidence,
                    $"the evidence was evaluated at {DecisionCheck.Time(at)}, but its cause (position {cause.Position}) is of {DecisionCheck.Time(cause.At)}", []);
                return null;
            }

            var inputs = cause.For(observerStream) with { Process = process };
            var rebuilt = EvidenceCheck.Rebuild(d.Evidence, d.Policy, inputs);
            var differences = EvidenceCheck.Differences(d.Evidence, rebuilt);
            if (differences.Count == 0)
            {
                _evidenceRebuilt++;
            }
            else
            {
                Add(d.Position, d.Stream, d.Type, AuditCheck.Evidence,
                    $"the recorded evidence is not what the log up to position {cause.Position} shows: " + differences[0], differences);
            }

            return inputs;
        }

        private void CheckRotationStep(RecordedEvent e, IProcessEvent processEvent)
        {
            switch (processEvent)
            {
                case KeyRotationRequested request:
                    {
                        _rotationSteps++;
                        var problems = new List<string>();
                        if (!_lastProcessEvent.TryGetValue(e.Stream, out var before) || before.Event is not FailoverTriggered trigger)
                        {
                            problems.Add("it does not follow a failover-triggered.v1 in its stream: no decision asked for it");
                        }
                        else if (trigger.IncidentId != request.IncidentId || trigger.TargetDataCenter != request.TargetDataCenter || trigger.TargetKey != request.TargetKey)
                        {
                            problems.Add($"the decision before it (position {before.Position}) is for incident {trigger.IncidentId} → {trigger.TargetDataCenter} ({trigger.TargetKey}), the request for {request.IncidentId} → {request.TargetDataCenter} ({request.TargetKey})");
                        }

                        if (_chainInputs.Chain.ChainId is { } chainId && !string.Equals(request.ChainId, chainId, StringComparison.OrdinalIgnoreCase))
                        {
                            problems.Add($"the transaction is for chain {request.ChainId}, the log observes {chainId}");
                        }

                        var id = RotationCheck.TransactionIdOf(request, problems);
                        if (!_rotations.TryAdd((e.Stream, request.RotationId), new Requested(request, e.Position, id)))
                        {
                            problems.Add($"rotation id {request.RotationId} was requested before (position {_rotations[(e.Stream, request.RotationId)].Position})");
                        }

                        Rotation(e, problems);
                        break;
                    }

                case KeyRotationSubmitted s:
                    Step(e, s.RotationId, s.TransactionId, null, null);
                    if (s.Outcome is not (PushOutcomes.Accepted or PushOutcomes.Duplicate or PushOutcomes.Unknown or PushOutcomes.NotApplied))
                    {
                        Add(e, AuditCheck.Rotation, $"a submission with outcome '{s.Outcome}' (accepted, duplicate, unknown or not-applied expected)");
                    }

                    break;
                case KeyRotationFailed f:
                    Step(e, f.RotationId, f.TransactionId, null, null);
                    break;
                case KeyRotated k:
                    Step(e, k.RotationId, null, k.Key, null);
                    break;
                case SigningKeyActivated a:
                    Step(e, a.RotationId, null, a.Key, null);
                    break;
                case FailoverCompleted c:
                    Step(e, c.RotationId, null, c.Key, c.DataCenter);
                    break;
            }
        }

        /// <summary>A step after the request: it names a rotation requested before it in its stream, with that rotation's transaction, key and data center.</summary>
        private void Step(RecordedEvent e, string rotationId, string? transactionId, string? key, string? dataCenter)
        {
            _rotationSteps++;
            if (!_rotations.TryGetValue((e.Stream, rotationId), out var requested))
            {
                Add(e, AuditCheck.Rotation, $"no key-rotation-requested.v1 with rotation id {rotationId} precedes it in stream {e.Stream}");
                return;
            }

            var problems = new List<string>();
            if (transactionId is not null && !string.Equals(transactionId, requested.Request.TransactionId, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"transaction {transactionId} is not the requested transaction {requested.Request.TransactionId} (position {requested.Position})");
            }
            else if (transactionId is not null && requested.RecomputedId is { } id && !string.Equals(transactionId, id, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"transaction {transactionId} is not the id of the requested bytes, {id} (position {requested.Position})");
            }

            if (key is not null && key != requested.Request.TargetKey)
            {
                problems.Add($"key {key} is not the requested target key {requested.Request.TargetKey} (position {requested.Position})");
            }

            if (dataCenter is not null && dataCenter != requested.Request.TargetDataCenter)
            {
                problems.Add($"data center {dataCenter} is not the requested target {requested.Request.TargetDataCenter} (position {requested.Position})");
            }

            Rotation(e, problems);
        }

        private void Rotation(RecordedEvent e, List<string> problems)
        {
            if (problems.Count > 0)
            {
                Add(e.Position, e.Stream, e.Type, AuditCheck.Rotation, problems[0], problems);
            }
        }

        private static void Keep(Dictionary<string, List<Snapshot>> kept, string stream, Snapshot snapshot)
        {
            if (!kept.TryGetValue(stream, out var list))
            {
                kept[stream] = list = [];
            }

            if (list.Count >= SnapshotsKept)
            {
                list.RemoveRange(0, list.Count - SnapshotsKept + 1);
            }

            list.Add(snapshot);
        }

        public async Task<VerifyReport> FinishAsync(IEventStore store, CancellationToken cancellationToken)
        {
            var head = _previous?.Position ?? 0;
            foreach (var replay in _chainReplays.Values)
            {
                replay.Finish(_problems);
            }

            foreach (var replay in _processReplays.Values)
            {
                replay.Finish(_problems);
            }

            foreach (var (stream, skipped) in _compactedVersions)
            {
                var removed = _compactions.SelectMany(c => c.Streams).Where(r => r.Stream == stream).Sum(r => r.Removed);
                if (skipped > removed)
                {
                    Add(_streams.TryGetValue(stream, out var at) ? at.Position : 0, stream, null, AuditCheck.StreamVersion,
                        $"stream {stream} skips {skipped} versions across compacted positions, but the compaction anchors remove only {removed} of its events", []);
                }
            }

            if (_compactedPositions > 0)
            {
                _warnings.Add($"{_compactedPositions} positions were deleted by compaction ({_compactions.Count} anchor(s) in {Streams.Compaction}): the chain is proven across them by the anchors' links, and their observations count from the round summaries");
            }

            foreach (var (position, hash) in _anchors)
            {
                Add(position, null, null, AuditCheck.Anchor, $"the log ends at position {head}, before the anchored position {position} ({hash}): events were removed from its end", []);
            }

            var appendedSince = 0L;
            foreach (var (stream, last) in _streams)
            {
                var metadata = await store.GetStreamMetadataAsync(stream, cancellationToken).ConfigureAwait(false);
                if (metadata is not null && metadata.LastVersion > last.Version
                    && await AppendedAfterAsync(store, stream, last, metadata.LastVersion, head, cancellationToken).ConfigureAwait(false))
                {
                    // A live store: its writers went on after the log was read. Those events are there, after the head verified.
                    appendedSince += metadata.LastVersion - last.Version;
                    continue;
                }

                if (metadata is null || metadata.LastVersion != last.Version)
                {
                    Add(last.Position, stream, null, AuditCheck.StreamTable, metadata is null
                        ? $"stream {stream} has events but no row in the store's stream table"
                        : $"the store's stream table puts stream {stream} at version {metadata.LastVersion}, but its last event in the log is version {last.Version} (position {last.Position}): {(metadata.LastVersion > last.Version ? "events are missing from its end" : "the table was not moved with them")}", []);
                }
            }

            if (appendedSince > 0)
            {
                _warnings.Add($"the store was written while it was verified: {appendedSince} events appended after position {head} are not part of this verification (verify again, or anchor position {head})");
            }

            var problems = _problems.OrderBy(p => p.Position).ThenBy(p => p.Check).ToList();
            return new VerifyReport(_events, head, _previous is null ? null : Hex(_previous.Hash), _intact, _streams.Count, _decisions, _rederived,
                _evidenceRebuilt, _rotations.Count, _rotationSteps,
                _chainReplays.Values.Sum(r => r.Rederived), _processReplays.Values.Sum(r => r.Rederived), problems, _warnings);
        }

        /// <summary>Whether the stream's versions after <paramref name="last"/> up to <paramref name="tableVersion"/> are all in the log, after <paramref name="head"/>.</summary>
        private static async Task<bool> AppendedAfterAsync(IEventStore store, string stream, (long Version, long Position) last, long tableVersion, long head, CancellationToken cancellationToken)
        {
            var expected = last.Version + 1;
            var count = (int)Math.Min(int.MaxValue, tableVersion - last.Version);
            await foreach (var e in store.ReadStreamAsync(stream, Direction.Forwards, last.Version + 1, count, cancellationToken).ConfigureAwait(false))
            {
                if (e.Version != expected || e.Position <= head)
                {
                    return false;
                }

                expected++;
            }

            return expected == tableVersion + 1;
        }

        private void Add(RecordedEvent e, AuditCheck check, string what, IReadOnlyList<string>? details = null) =>
            Add(e.Position, e.Stream, e.Type, check, what, details ?? []);

        private void Add(long position, string? stream, string? type, AuditCheck check, string what, IReadOnlyList<string> details) =>
            _problems.Add(new AuditProblem(position, stream, type, check, what, details));

        private static string Hex(ReadOnlyMemory<byte> hash) => Convert.ToHexStringLower(hash.Span);
    }
}
