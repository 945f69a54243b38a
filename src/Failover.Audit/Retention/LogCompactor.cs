using System.Globalization;
using System.Security.Cryptography;
using Failover.Antelope.Scheduling;
using Failover.Audit.Replay;
using Failover.Domain.Events;
using Failover.Domain.ReadModels;
using Failover.EventStore;

namespace Failover.Audit.Retention;

/// <summary>What to compact: observations recorded before <paramref name="Before"/>, except around the process's events.</summary>
/// <param name="ProtectAround">
/// Observations recorded this close to an event of the producer's failover process (a decision, a rotation step, an
/// operator's command) are kept whole — and before a decision, at least <see cref="LogCompactor.EvidenceSpan"/> back from
/// the earliest moment its evidence names — so that `audit verify` re-derives every decision from its evidence for ever.
/// </param>
/// <param name="MaxEvents">
/// At most this many events after the compacted-through mark are read in one run (about 2.6 days of a 21-producer chain,
/// some 150 MB of memory); `failover store compact` runs again while there is more and a run compacted something.
/// </param>
public sealed record CompactionRequest(string OurProducer, DateTimeOffset Before, TimeSpan ProtectAround, DateTimeOffset Now, int MaxEvents = 500_000)
{
    public static readonly TimeSpan DefaultProtectAround = TimeSpan.FromMinutes(10);
}

/// <summary>What a run compacted: one anchor per range, and whether a range an earlier run anchored was completed first.</summary>
public sealed record CompactionReport(IReadOnlyList<LogCompacted> Ranges, int PendingCompleted, long CompactedThrough, bool MoreToRead)
{
    public long Removed => Ranges.Sum(r => r.Removed);

    public int Rounds => Ranges.Sum(r => r.Rounds);
}

/// <summary>
/// Compaction under a retention policy (issue 18.6). The chain observations (blocks, misses) and the
/// participation samples of whole rounds recorded before the cut-off are deleted — never a decision, a rotation step, an
/// operator's command, a schedule change or an endpoint's judgement, and nothing within <see cref="CompactionRequest.ProtectAround"/>
/// of the failover process's events. Each range of rounds is first summarised and anchored at the head of the log
/// (<see cref="RoundCompacted"/> per round, then <see cref="LogCompacted"/>), then deleted in one transaction; a run
/// interrupted between the two completes the deletion on the next run. The chain-health read model counts a compacted
/// round from its summary; `audit verify` follows the hash chain across the deleted positions through the anchor's links.
/// </summary>
public static class LogCompactor
{
    /// <summary>
    /// The event types compaction deletes; every other type is kept. A fork switch is never deleted: the rounds it
    /// touches (its own and those it orphaned) are kept whole, so it and what it undoes stay together.
    /// </summary>
    public static readonly IReadOnlyList<string> CompactedTypes =
        [TypeOf<BlockProduced>(), TypeOf<BlockMissed>(), TypeOf<ParticipationSampled>()];

    public static async Task<CompactionReport> CompactAsync(IEventStore store, ILogCompaction compaction, CompactionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(compaction);
        ArgumentNullException.ThrowIfNull(request);
        var pending = await CompletePendingAsync(store, compaction, cancellationToken).ConfigureAwait(false);
        var mark = await compaction.ReadCompactedThroughAsync(cancellationToken).ConfigureAwait(false);
        var windows = new List<(DateTimeOffset From, DateTimeOffset To)>();
        await foreach (var e in store.ReadStreamAsync(Streams.Failover(request.OurProducer), Direction.Forwards, 0, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            windows.Add(ProtectedWindow(e, AuditLog.Decode(e).Event, request.ProtectAround));
        }

        var scan = await ScanAsync(store, request, mark, windows, cancellationToken).ConfigureAwait(false);
        var anchors = new List<LogCompacted>();
        foreach (var range in scan.Ranges())
        {
            var anchor = await CompactRangeAsync(store, compaction, request, scan, range, cancellationToken).ConfigureAwait(false);
            anchors.Add(anchor);
        }

        return new CompactionReport(anchors, pending, await compaction.ReadCompactedThroughAsync(cancellationToken).ConfigureAwait(false), scan.MoreToRead);
    }

    /// <summary>
    /// What a decision's evidence reads of the history before it, beyond what its evidence names: the last full round
    /// and the sliding window (two rounds, 8.4 min with 21 producers) and a legacy LIB lag (about 2.75 min), with room.
    /// </summary>
    public static readonly TimeSpan EvidenceSpan = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The observations kept whole around an event of the failover process: <paramref name="around"/> after it, and
    /// before it at least <see cref="EvidenceSpan"/> — back from the earliest moment a decision's evidence names (the
    /// incident's first miss, the LIB's last advance), so `audit verify` rebuilds that evidence from the log.
    /// </summary>
    private static (DateTimeOffset From, DateTimeOffset To) ProtectedWindow(RecordedEvent recorded, object? @event, TimeSpan around)
    {
        var evidence = @event switch
        {
            FailoverTriggered t => t.Evidence,
            FailoverSuppressed s => s.Evidence,
            _ => null,
        };
        var earliest = new[] { (DateTimeOffset?)recorded.RecordedAt, evidence?.Incident?.BeganAt, evidence?.Chain.LibAdvancedAt }.Where(t => t is not null).Min()!.Value;
        return (earliest - (around > EvidenceSpan ? around : EvidenceSpan), recorded.RecordedAt + around);
    }

    /// <summary>Deletes what an anchor above the mark names: an earlier run appended it and stopped before deleting.</summary>
    private static async Task<int> CompletePendingAsync(IEventStore store, ILogCompaction compaction, CancellationToken cancellationToken)
    {
        var completed = 0;
        var mark = await compaction.ReadCompactedThroughAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var e in store.ReadStreamAsync(Streams.Compaction, Direction.Forwards, 0, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            if (AuditLog.Decode(e).Event is LogCompacted anchor && anchor.ToPosition > mark)
            {
                await compaction.CompactAsync(anchor.FromPosition, anchor.ToPosition, anchor.Types, anchor.Removed, cancellationToken).ConfigureAwait(false);
                mark = anchor.ToPosition;
                completed++;
            }
        }

        return completed;
    }

    /// <summary>One event after the mark as the compactor sees it.</summary>
    private sealed record Entry(long Position, string Stream, long Version, string Type, byte[] Hash, DateTimeOffset RecordedAt)
    {
        public bool Compacted { get; init; }

        /// <summary>The round (its first slot) of a chain observation; null for everything else.</summary>
        public uint? Round { get; init; }

        public bool Protected { get; set; }
    }

    /// <summary>Per round: each producer's last block and missed slot.</summary>
    private sealed class RoundExtras
    {
        public Dictionary<string, (uint Block, DateTimeOffset At)> LastBlocks { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (uint Slot, DateTimeOffset At)> LastMisses { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Scan(string chainId, MemoryDocuments documents, List<Entry> entries, Dictionary<uint, RoundExtras> extras, HashSet<uint> forkRounds, bool moreToRead)
    {
        public string ChainId => chainId;

        public MemoryDocuments Documents => documents;

        public List<Entry> Entries => entries;

        public Dictionary<uint, RoundExtras> Extras => extras;

        public bool MoreToRead => moreToRead;

        /// <summary>
        /// Index ranges [first, last] of <see cref="Entries"/> made of whole rounds that can go: a round's span runs
        /// from its first chain observation to the event before the next round's first. A span stays when any of its
        /// events is protected; when its round has more than one span (a fork went back across a round boundary) or a
        /// fork switch touched it (the switch is never deleted, nor what it undoes); and it is
        /// the first read (it may have begun before the mark) or the last (it may not be over).
        /// </summary>
        public IEnumerable<(int First, int Last, uint FirstRound, uint LastRound)> Ranges()
        {
            var spans = new List<(int First, int Last, uint Round)>();
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i].Round is { } round && (spans.Count == 0 || spans[^1].Round != round))
                {
                    if (spans.Count > 0)
                    {
                        spans[^1] = spans[^1] with { Last = i - 1 };
                    }

                    spans.Add((i, entries.Count - 1, round));
                }
            }

            var kept = spans.GroupBy(s => s.Round).Where(g => g.Count() > 1).Select(g => g.Key).Concat(forkRounds).ToHashSet();
            int? rangeFirst = null;
            var rangeLast = 0;
            uint firstRound = 0, lastRound = 0;
            for (var r = 1; r + 1 < spans.Count; r++)
            {
                var (first, last, round) = spans[r];
                var goes = !kept.Contains(round) && spans[r - 1].Round < round && round < spans[r + 1].Round
                    && !entries.Skip(first).Take(last - first + 1).Any(e => e.Protected);
                if (!goes)
                {
                    if (rangeFirst is { } open)
                    {
                        yield return (open, rangeLast, firstRound, lastRound);
                        rangeFirst = null;
                    }

                    continue;
                }

                if (rangeFirst is null)
                {
                    rangeFirst = first;
                    firstRound = round;
                }

                rangeLast = last;
                lastRound = round;
            }

            if (rangeFirst is { } pending)
            {
                yield return (pending, rangeLast, firstRound, lastRound);
            }
        }
    }

    private static async Task<Scan> ScanAsync(
        IEventStore store, CompactionRequest request, long mark, List<(DateTimeOffset From, DateTimeOffset To)> windows, CancellationToken cancellationToken)
    {
        var readModel = new ChainHealthReadModel(request.OurProducer);
        var documents = new MemoryDocuments();
        var entries = new List<Entry>();
        var extras = new Dictionary<uint, RoundExtras>();
        string? chainId = null;
        var endpointHealth = new Dictionary<(string Observer, string Endpoint), bool>();
        var forkRounds = new HashSet<uint>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        string Intern(string name) => names.TryGetValue(name, out var known) ? known : names[name] = name;
        var moreToRead = false;
        uint? lastRound = null;
        await foreach (var recorded in store.ReadAllAsync(1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (recorded.RecordedAt >= request.Before)
            {
                break;
            }

            if (entries.Count >= request.MaxEvents)
            {
                moreToRead = true;
                break;
            }

            var audited = AuditLog.Decode(recorded);
            if (audited.DecodeError is { } error)
            {
                throw new AuditException($"Position {recorded.Position} ({recorded.Stream}, {recorded.Type}) does not decode: {error}. Run `failover audit verify`; nothing was compacted.");
            }

            if (audited.Event is IChainEvent chainEvent)
            {
                chainId ??= chainEvent.ChainId;
                if (chainEvent.ChainId != chainId)
                {
                    throw new AuditException($"The log holds more than one chain ({chainId}, {chainEvent.ChainId}); compaction handles one chain per store. Nothing was compacted.");
                }
            }

            // A sample that changes what an endpoint shows starts the "since" the chain status keeps: it stays.
            var endpointsChanged = audited.Event is ParticipationSampled sample && EndpointsChanged(sample, endpointHealth);

            // Below the mark only what places slots in rounds is needed: the schedule changes (and the forks that undo them).
            if (recorded.Position <= mark)
            {
                if (audited.Event is ProducerScheduleChanged or ForkSwitched)
                {
                    documents.Position = recorded.Position;
                    await readModel.ApplyAsync(audited.Event, documents, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (audited.Event is RoundCompacted or LogCompacted)
            {
                entries.Add(new Entry(recorded.Position, Intern(recorded.Stream), recorded.Version, Intern(recorded.Type), recorded.Hash.ToArray(), recorded.RecordedAt));
                continue;
            }

            var round = audited.Event switch
            {
                BlockProduced b => RoundOf(documents, b.Slot),
                BlockMissed m => RoundOf(documents, m.Slot),
                ForkSwitched => lastRound,
                _ => null,
            };
            lastRound = round ?? lastRound;
            if (audited.Event is ForkSwitched fork)
            {
                forkRounds.UnionWith(fork.OrphanedBlocks.Select(b => RoundOf(documents, b.Slot)).Concat(fork.OrphanedMisses.Select(m => RoundOf(documents, m.Slot))));
                if (round is { } forkRound)
                {
                    forkRounds.Add(forkRound);
                }
            }

            var entry = new Entry(recorded.Position, Intern(recorded.Stream), recorded.Version, Intern(recorded.Type), recorded.Hash.ToArray(), recorded.RecordedAt)
            {
                Compacted = CompactedTypes.Contains(recorded.Type, StringComparer.Ordinal),
                Round = audited.Event is BlockProduced or BlockMissed ? round : null,
                Protected = endpointsChanged || windows.Any(w => w.From <= recorded.RecordedAt && recorded.RecordedAt <= w.To),
            };
            entries.Add(entry);
            Track(audited.Event, round, extras);
            if (audited.Event is { } known)
            {
                documents.Position = recorded.Position;
                await readModel.ApplyAsync(known, documents, cancellationToken).ConfigureAwait(false);
            }
        }

        return new Scan(chainId ?? string.Empty, documents, entries, extras, forkRounds, moreToRead);
    }

    /// <summary>Whether the sample shows an endpoint healthier or sicker than its observer's previous sample did (or for the first time).</summary>
    private static bool EndpointsChanged(ParticipationSampled sample, Dictionary<(string Observer, string Endpoint), bool> health)
    {
        var changed = false;
        foreach (var view in sample.Endpoints)
        {
            var healthy = ChainHealthReadModel.Trusted(view);
            var key = (sample.ObserverId, view.Endpoint);
            changed |= !health.TryGetValue(key, out var before) || before != healthy;
            health[key] = healthy;
        }

        return changed;
    }

    private static uint RoundOf(MemoryDocuments documents, uint slot)
    {
        var timeline = documents.Get<ScheduleTimeline>(ScheduleTimeline.DocumentId) ?? ScheduleTimeline.Empty;
        return Slots.RoundStart(slot, timeline.ProducersAt(slot));
    }

    /// <summary>What the read model does not keep per round: each producer's last block and missed slot in it.</summary>
    private static void Track(object? @event, uint? round, Dictionary<uint, RoundExtras> extras)
    {
        if (round is not { } r)
        {
            return;
        }

        var x = extras.TryGetValue(r, out var known) ? known : extras[r] = new RoundExtras();
        switch (@event)
        {
            case BlockProduced b:
                x.LastBlocks[b.Producer] = x.LastBlocks.TryGetValue(b.Producer, out var last) && last.Block > b.BlockNum ? last : (b.BlockNum, b.Timestamp);
                break;
            case BlockMissed m:
                x.LastMisses[m.ScheduledProducer] = x.LastMisses.TryGetValue(m.ScheduledProducer, out var miss) && miss.Slot > m.Slot ? miss : (m.Slot, m.ScheduledTime);
                break;
        }
    }

    private static async Task<LogCompacted> CompactRangeAsync(
        IEventStore store, ILogCompaction compaction, CompactionRequest request, Scan scan, (int First, int Last, uint FirstRound, uint LastRound) range, CancellationToken cancellationToken)
    {
        var entries = scan.Entries;
        var (from, to) = (entries[range.First].Position, entries[range.Last].Position);
        var removed = entries.Skip(range.First).Take(range.Last - range.First + 1).Where(e => e.Compacted).ToList();
        var deleted = removed.Select(e => e.Position).ToHashSet();
        var links = new List<CompactedLink>();
        for (var i = range.First; i <= Math.Min(range.Last + 1, entries.Count - 1); i++)
        {
            var e = entries[i];
            if (!deleted.Contains(e.Position) && deleted.Contains(e.Position - 1))
            {
                links.Add(new CompactedLink(e.Position, Convert.ToHexStringLower(entries[i - 1].Hash)));
            }
        }

        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var e in removed)
        {
            digest.AppendData(e.Hash);
        }

        var compactionId = $"{from}-{to}";
        var rounds = scan.Documents.WithPrefix<RoundHealth>("round-")
            .Select(d => d.Document)
            .Where(r => r.RoundStart >= range.FirstRound && r.RoundStart <= range.LastRound)
            .Select(r => Summary(scan, compactionId, r))
            .ToList();
        var anchor = new LogCompacted(
            compactionId, from, to, CompactedTypes, removed.Count,
            [.. removed.GroupBy(e => e.Stream, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new CompactedStreamRange(g.Key, g.Count(), g.Min(e => e.Version), g.Max(e => e.Version)))],
            links, Convert.ToHexStringLower(digest.GetHashAndReset()),
            range.FirstRound, rounds.Count > 0 ? rounds.Max(r => r.RoundEnd) : range.LastRound, rounds.Count, request.Before, request.Now);
        List<EventData> batch = [.. rounds.Select(r => Data(r, compactionId, r.RoundStart.ToString(CultureInfo.InvariantCulture))), Data(anchor, compactionId, "anchor")];
        await store.AppendToStreamAsync(Streams.Compaction, ExpectedVersion.Any, batch, cancellationToken).ConfigureAwait(false);
        await compaction.CompactAsync(from, to, CompactedTypes, removed.Count, cancellationToken).ConfigureAwait(false);
        return anchor;
    }

    private static RoundCompacted Summary(Scan scan, string compactionId, RoundHealth round)
    {
        var extras = scan.Extras.TryGetValue(round.RoundStart, out var x) ? x : new RoundExtras();
        return new RoundCompacted(
            scan.ChainId, compactionId, round.RoundStart, round.RoundEnd, round.ScheduledProducers,
            [.. round.Schedules.Select(s => new CompactedVersionSlots(s.Version, s.Slots))],
            [.. round.Producers.Select(p => new CompactedProducerSlots(
                p.Producer, p.Produced, p.Missed,
                extras.LastBlocks.TryGetValue(p.Producer, out var block) && p.Produced > 0 ? block.Block : null,
                extras.LastBlocks.TryGetValue(p.Producer, out var at) && p.Produced > 0 ? at.At : null,
                extras.LastMisses.TryGetValue(p.Producer, out var miss) && p.Missed > 0 ? miss.Slot : null,
                extras.LastMisses.TryGetValue(p.Producer, out var missAt) && p.Missed > 0 ? missAt.At : null))],
            round.LibLag, round.LastIrreversibleBlockNum);
    }

    /// <summary>Event ids derived from the range and what the event is about, so an append retried after a crash is recognised.</summary>
    private static EventData Data(object @event, string compactionId, string about) =>
        new(DeterministicEventId.Create(Streams.Compaction, compactionId, about), EventCatalogue.Of(@event.GetType()).Name, EventCatalogue.Serialize(@event));

    private static string TypeOf<T>() => EventCatalogue.Of(typeof(T)).Name;
}
