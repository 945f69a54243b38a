using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;
using Failover.Domain.Chain;
using Failover.Domain.Events;

namespace Failover.Audit.Verification;

/// <summary>
/// Re-runs <see cref="ChainDecider"/> over one chain stream (<c>chain-&lt;chainId&gt;</c>) and reports every recorded
/// event it would not have produced, and every event it produces that the stream lacks.
/// <para>
/// The log keeps no raw blocks, but each <c>block-produced.v1</c> records what the decider read of its block: number,
/// id, previous, producer, timestamp (its slot), the schedule version that scheduled it and the signing key the observer
/// recovered. So the stream is replayed block by block: the events recorded since the previous block (misses, a schedule
/// change) and the block itself form one <em>group</em> — the decider's answer to an observation of that block — and the
/// decider is asked about the block on the fold of everything recorded before the group (<see cref="ObservedChain"/>,
/// the state the observer decided from). A fork switch opens a group that runs to the new head it names: the decider
/// is asked about the new branch in one observation, as the observer was. Within a group, events are matched by what
/// they are about (the slot of a miss, the number of a block, the block a schedule takes effect from) and compared field
/// by field: a miss deleted, added, moved to another slot or charged to another producer, a block charged to a producer
/// its slot does not belong to, a schedule change or fork switch altered — each is reported. After the group, the
/// recorded events are folded (not the decider's), so one bad event is reported once and the replay carries on.
/// </para>
/// <para>
/// What the log does not hold is rebuilt from it, and said so here: (1) the schedules the endpoint reported — the
/// report's active schedule is the one the group records a change to, else the one in force, and every schedule the
/// stream recorded before is offered as history (what the observer finds in block headers); (2) whether a block's
/// header was a legacy or a Savanna one (its <c>schedule_version</c> field) — Savanna when the group's schedule change
/// takes effect at the start of the window after the parent's (the proposer policy's rule), else legacy, the header
/// naming the recorded version; before any change the two readings give the same events; (3) the observation's time,
/// which every event of a group carries — the group's last block's <c>observed_at</c>. So the decider re-derives every
/// miss from the slot math between consecutive recorded blocks, every block's attribution and the schedule switches;
/// it cannot re-derive which blocks the endpoint served (a block deleted with every event it revealed, its successor's
/// <c>previous</c> rewritten, is a consistent chain: only an anchor shows it) nor when a Savanna endpoint first
/// reported a new schedule (the activation is accepted at the window start the log records, if the blocks fit it).
/// </para>
/// </summary>
internal sealed class ChainReplay(string stream)
{
    private readonly List<Recorded> _group = [];
    private readonly Dictionary<uint, ProducerSchedule> _schedules = [];
    private ForkSwitched? _fork;
    private ObservedChain _state = ObservedChain.Empty;
    private bool _resyncing;

    /// <summary>Recorded events the decider produced exactly.</summary>
    public int Rederived { get; private set; }

    private sealed record Recorded(long Position, string Type, IChainEvent Event);

    public void Add(long position, string type, IChainEvent @event, List<AuditProblem> problems)
    {
        if (@event is ForkSwitched fork)
        {
            Close(problems);
            _fork = fork;
        }

        _group.Add(new Recorded(position, type, @event));
        if (@event is BlockProduced block && (_fork is null || block.BlockNum >= _fork.NewHeadNum))
        {
            Close(problems);
        }
    }

    /// <summary>
    /// Positions deleted by compaction come next: the group open now lost its block, and the first group after them
    /// lost the blocks before it. Both are folded as recorded, not re-derived; the decider is asked again from the
    /// group after that, on a state that holds the first block after the deleted ones.
    /// </summary>
    public void Resync()
    {
        foreach (var r in _group)
        {
            Fold(r.Event);
        }

        _group.Clear();
        _fork = null;
        _resyncing = true;
    }

    /// <summary>The end of the log: a group still open has no block after it.</summary>
    public void Finish(List<AuditProblem> problems) => Close(problems);

    private void Close(List<AuditProblem> problems)
    {
        if (_group.Count == 0)
        {
            return;
        }

        var blocks = _group.Where(r => r.Event is BlockProduced).ToList();
        if (_resyncing)
        {
            _resyncing = blocks.Count == 0;
        }
        else if (blocks.Count == 0)
        {
            foreach (var r in _group)
            {
                Add(problems, r, $"{Describe(r.Event)}: no block-produced.v1 follows it in {stream}, and the chain decider records misses, schedule changes and fork switches only with the blocks that reveal them");
            }
        }
        else
        {
            Decide(blocks[^1], problems);
        }

        foreach (var r in _group)
        {
            Fold(r.Event);
        }

        _group.Clear();
        _fork = null;
    }

    private void Decide(Recorded last, List<AuditProblem> problems)
    {
        var block = (BlockProduced)last.Event;
        ChainDecision decision;
        try
        {
            if (Observation() is not { } observation)
            {
                Add(problems, last, $"the chain decider cannot attribute block {block.BlockNum}: no producer-schedule-changed.v1 precedes it or comes with it in {stream}");
                return;
            }

            decision = ChainDecider.Decide(_state, observation);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException)
        {
            Add(problems, last, $"the chain decider cannot be run on block {block.BlockNum} as recorded: {e.Message}");
            return;
        }

        if (decision.Problem is { } refusal)
        {
            Add(problems, last, $"the chain decider refuses block {block.BlockNum}: {refusal}");
        }
        else if (decision.NeedsBlocksFrom is { } from)
        {
            Add(problems, last, $"block {block.BlockNum} ({block.BlockId}) does not link to the recorded chain (head {_state.Head?.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) and no fork-switched.v1 comes with it: the chain decider would read the branch back from block {from}");
        }
        else
        {
            Compare(decision.Events, block, last, problems);
        }
    }

    /// <summary>What the observer saw, rebuilt from the group (see the class's remarks for what is rebuilt and how).</summary>
    private ChainObservation? Observation()
    {
        var blocks = _group.Select(r => r.Event).OfType<BlockProduced>().ToList();
        var changes = _group.Select(r => r.Event).OfType<ProducerScheduleChanged>().ToList();
        var active = changes.Count > 0 ? ObservedChain.Schedule(changes[^1]) : _state.CurrentSchedule?.Schedule;
        if (active is null)
        {
            return null;
        }

        var savanna = changes.Any(c => IsSavannaSwitch(c, blocks));
        var branch = blocks.Select(b => new ObservedBlock(
            b.BlockNum, b.BlockId, b.Previous, Name.Parse(b.Producer), b.Timestamp, savanna ? BlockHeader.SavannaScheduleVersion : b.ScheduleVersion, b.SigningKey, b.QcBlockNum, b.OurFinalizerVoted)).ToList();
        var offered = changes.Select(ObservedChain.Schedule).Reverse().ToList();
        var history = offered.Concat(_schedules.Values.Where(s => offered.All(o => o.Version != s.Version)).OrderByDescending(s => s.Version)).ToList();
        return new ChainObservation(blocks[^1].ChainId, branch, new ScheduleReport(active) { Historical = history }, blocks[^1].ObservedAt);
    }

    /// <summary>
    /// A schedule change recorded with a block takes effect after its parent: at the next slot when a legacy header
    /// named the new version, at the start of the next window when Savanna's proposer policy switched. The slot the
    /// log records tells which header the block had (when both rules give that slot, the readings agree).
    /// </summary>
    private bool IsSavannaSwitch(ProducerScheduleChanged change, List<BlockProduced> blocks)
    {
        var index = blocks.FindIndex(b => b.BlockNum == change.EffectiveFromBlockNum);
        uint? parentSlot = index > 0 ? blocks[index - 1].Slot
            : index == 0 && _state.Blocks.TryGetValue(blocks[0].BlockNum - 1, out var parent) ? parent.Slot
            : null;
        return parentSlot is { } p && change.EffectiveFromSlot != p + 1 && change.EffectiveFromSlot == Slots.WindowStart(p) + Slots.PerWindow;
    }

    /// <summary>The decider's events against the recorded group, matched by what each is about.</summary>
    private void Compare(IReadOnlyList<IChainEvent> decided, BlockProduced block, Recorded last, List<AuditProblem> problems)
    {
        var unmatched = decided.ToList();
        var reported = false;
        foreach (var r in _group)
        {
            var index = unmatched.FindIndex(d => d.GetType() == r.Event.GetType() && Key(d) == Key(r.Event));
            if (index < 0)
            {
                Add(problems, r, $"{Describe(r.Event)}: the chain decider, re-run on block {block.BlockNum}, does not record it{Why(r.Event)}");
                reported = true;
                continue;
            }

            // Blocks and misses compare as records (their members are values); schedule changes and fork switches hold lists.
            var differences = r.Event.Equals(unmatched[index]) ? [] : JsonDifferences.Between(Json(r.Event), Json(unmatched[index]), "the decider gives", "event");
            unmatched.RemoveAt(index);
            if (differences.Count > 0)
            {
                Add(problems, r, $"the chain decider, re-run on block {block.BlockNum}, records {Key(r.Event)} otherwise: {differences[0]}", differences);
                reported = true;
            }
            else
            {
                Rederived++;
            }
        }

        foreach (var missing in unmatched)
        {
            Add(problems, last, missing is BlockMissed m
                ? $"the chain decider, re-run on block {block.BlockNum}, charges slot {m.Slot} to {m.ScheduledProducer} (block-missed.v1), which the log does not record"
                : $"the chain decider, re-run on block {block.BlockNum}, records {Describe(missing)}, which the log does not record");
            reported = true;
        }

        if (!reported && !_group.Select(r => Key(r.Event)).SequenceEqual(decided.Select(Key)))
        {
            Add(problems, _group[0], $"the chain decider, re-run on block {block.BlockNum}, records these events in another order: {string.Join(", ", decided.Select(Key))}");
        }
    }

    /// <summary>Why the decider leaves out a recorded block it knows the rule for.</summary>
    private string Why(IChainEvent e) => e switch
    {
        BlockProduced { BlockNum: ChainDecider.GenesisBlockNum } when _state.Head is null =>
            $" (block {ChainDecider.GenesisBlockNum} is made from the genesis state: a record never starts there)",
        BlockProduced b when _state.Blocks.TryGetValue(b.BlockNum, out var known) && known.Id == b.BlockId => $" (block {b.BlockNum} is already recorded)",
        _ => string.Empty,
    };

    private void Fold(IChainEvent e)
    {
        try
        {
            _state = _state.Apply(e);
            if (e is ProducerScheduleChanged change)
            {
                _schedules[change.Version] = ObservedChain.Schedule(change);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException)
        {
            // Reported at the event by the verifier's own fold (payload): the replay goes on without it.
        }
    }

    private static string Key(IChainEvent e) => e switch
    {
        BlockMissed m => $"slot {m.Slot}",
        BlockProduced b => $"block {b.BlockNum}",
        ProducerScheduleChanged s => $"the schedule change at block {s.EffectiveFromBlockNum}",
        ForkSwitched => "the fork switch",
        _ => e.GetType().Name,
    };

    private static string Describe(IChainEvent e) => e switch
    {
        BlockMissed m => $"block-missed.v1 of slot {m.Slot} charged to {m.ScheduledProducer}",
        BlockProduced b => $"block-produced.v1 of block {b.BlockNum} ({b.BlockId}) by {b.Producer}",
        ProducerScheduleChanged s => $"producer-schedule-changed.v1 to v{s.Version} from block {s.EffectiveFromBlockNum} (slot {s.EffectiveFromSlot})",
        ForkSwitched f => $"fork-switched.v1 above block {f.ForkBlockNum} to head {f.NewHeadNum}",
        _ => EventCatalogue.Of(e.GetType()).Name,
    };

    private static JsonNode? Json(IChainEvent e) => JsonSerializer.SerializeToNode(e, EventCatalogue.Of(e.GetType()).TypeInfo);

    private void Add(List<AuditProblem> problems, Recorded at, string what, IReadOnlyList<string>? details = null) =>
        problems.Add(new AuditProblem(at.Position, stream, at.Type, AuditCheck.Decider, what, details ?? []));
}
