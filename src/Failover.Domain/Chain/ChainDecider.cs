using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>
/// Decides what an observation adds to the chain stream (design §3 "Observer", protocol.md §2.2–2.6, §6): blocks not
/// yet recorded, every empty slot between them charged to the producer the schedule <em>in force for that slot</em>
/// gave it, schedule changes where they took effect, and a fork switch when the endpoint's branch replaces recorded
/// blocks. Pure: the same state and observation always give the same events, so an observer that restarts or races
/// another observer appends each fact once.
/// </summary>
public static class ChainDecider
{
    /// <summary>
    /// Block 1 is made from the genesis state, not produced in a scheduled slot (its producer is <c>eosio</c> whatever
    /// the schedule says), so no schedule explains it: a record never starts there.
    /// </summary>
    public const uint GenesisBlockNum = 1;

    public static ChainDecision Decide(ObservedChain state, ChainObservation observation)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(observation);
        if (state.Head is null && observation.Branch is [{ Number: GenesisBlockNum }, ..])
        {
            observation = observation with { Branch = [.. observation.Branch.Skip(1)] };
        }

        var branch = observation.Branch;
        if (branch.Count == 0)
        {
            return ChainDecision.Nothing;
        }

        if (state.ChainId is { } recordedChain && recordedChain != observation.ChainId)
        {
            return new ChainDecision([], $"the endpoint serves chain {observation.ChainId}, but the stream records chain {recordedChain}");
        }

        if (LinkProblem(branch) is { } broken)
        {
            return new ChainDecision([], broken);
        }

        var run = new Run(state, observation);
        var start = 0;
        if (state.Head is null)
        {
            var first = branch[0];
            var schedule = first.IsSavanna ? observation.Schedules.Active : observation.Schedules.WithVersion(first.HeaderScheduleVersion);
            if (schedule is null)
            {
                return run.Stop($"block {first.Number} was scheduled by schedule v{first.HeaderScheduleVersion}, which the endpoint does not report");
            }

            if ((Misattributed(schedule, first) ?? Unsigned(observation, schedule, first)) is { } wrong)
            {
                return run.Stop(wrong);
            }

            run.Emit(ScheduleChanged(observation, schedule, first.Slot, first.Number));
            run.Emit(Produced(observation, first, schedule.Version));
            start = 1;
        }
        else
        {
            while (start < branch.Count && state.Blocks.TryGetValue(branch[start].Number, out var known) && known.Id == branch[start].Id)
            {
                start++;
            }

            if (start == branch.Count)
            {
                return ChainDecision.Nothing;
            }

            var next = branch[start];
            var head = state.Head;
            if (next.Number > head.Number + 1)
            {
                return new ChainDecision([], null, head.Number + 1);
            }

            if (!state.Blocks.TryGetValue(next.Number - 1, out var parent))
            {
                return run.Stop($"block {next.Number} replaces a block more than {ObservedChain.KeptBlocks} blocks below the head; a fork that deep is beyond reversible history");
            }

            if (next.Previous != parent.Id)
            {
                // The endpoint's branch left ours below this block: the observer must read further back.
                return new ChainDecision([], null, next.Number - 1);
            }

            if (next.Number <= head.Number)
            {
                run.Emit(ForkSwitch(state, observation, parent, branch[^1]));
            }
        }

        if (start == branch.Count)
        {
            return new ChainDecision(run.Events);
        }

        var activation = ActivationIndex(run.State, observation, start);
        if (activation == Unexplained)
        {
            return run.Stop(
                $"blocks {branch[start].Number}–{branch[^1].Number} are explained neither by schedule v{run.State.CurrentSchedule!.Schedule.Version} nor by v{observation.Schedules.Active.Version} switching at a window start");
        }

        for (var i = start; i < branch.Count; i++)
        {
            if (run.Extend(branch[i], switchToReported: i == activation) is { } problem)
            {
                return run.Stop(problem);
            }
        }

        return new ChainDecision(run.Events);
    }

    private const int Unexplained = -2;
    private const int NotYet = -1;

    /// <summary>
    /// Under Savanna the schedule (proposer policy) in force changes only at the first block of a window (Spring:
    /// "round"). When the endpoint reports a newer active version, it took effect at the first window-opening block of
    /// the branch from which every block fits the new schedule while every block before fits the old one — or later,
    /// when the branch opens no window yet. Legacy headers name their version, so nothing needs inferring there.
    /// </summary>
    private static int ActivationIndex(ObservedChain state, ChainObservation observation, int start)
    {
        var branch = observation.Branch;
        var old = state.CurrentSchedule!.Schedule;
        var reported = observation.Schedules.Active;
        if (!branch[start].IsSavanna || reported.Version <= old.Version)
        {
            return NotYet;
        }

        var anyOpening = false;
        for (var j = start; j < branch.Count; j++)
        {
            var previousSlot = j == start ? state.Head!.Slot : branch[j - 1].Slot;
            if (Slots.WindowStart(branch[j].Slot) == Slots.WindowStart(previousSlot))
            {
                continue;
            }

            anyOpening = true;
            if (branch.Take(j).Skip(start).All(b => Misattributed(old, b) is null) && branch.Skip(j).All(b => Misattributed(reported, b) is null))
            {
                return j;
            }
        }

        return anyOpening || branch.Skip(start).Any(b => Misattributed(old, b) is not null) ? Unexplained : NotYet;
    }

    private static string? LinkProblem(IReadOnlyList<ObservedBlock> branch)
    {
        for (var i = 1; i < branch.Count; i++)
        {
            var (before, block) = (branch[i - 1], branch[i]);
            if (block.Number != before.Number + 1 || block.Previous != before.Id || block.Slot <= before.Slot)
            {
                return $"the endpoint served block {block.Number} ({block.Id}) that does not follow block {before.Number} ({before.Id}) by number, previous id and slot";
            }
        }

        return null;
    }

    private static string? Misattributed(ProducerSchedule schedule, ObservedBlock block)
    {
        var scheduled = schedule.ProducerForSlot(block.Slot).Producer;
        return scheduled == block.Producer
            ? null
            : $"block {block.Number} at slot {block.Slot} was produced by {block.Producer}, but schedule v{schedule.Version} gives that slot to {scheduled}";
    }

    /// <summary>
    /// Why <paramref name="block"/>'s signature does not show its producer made it, or null when it does (or when the
    /// observation is not checked). The key must be one its producer has in the schedule that scheduled the block or in
    /// a schedule the endpoint reports as active or pending: which of those took effect at which window is inferred
    /// from names (<see cref="ActivationIndex"/>), and a key change keeps the names.
    /// </summary>
    private static string? Unsigned(ChainObservation observation, ProducerSchedule scheduling, ObservedBlock block)
    {
        if (observation.Signatures is not { } check)
        {
            return null;
        }

        if (block.SigningKey is null)
        {
            return !block.IsSavanna && block.Number <= check.IrreversibleUpTo
                ? null
                : $"block {block.Number} cannot be checked: the endpoint does not serve what its signature is made over";
        }

        var candidates = new[] { scheduling, observation.Schedules.Active, observation.Schedules.Pending };
        bool Holds(Func<PublicKey, bool> isSigner) =>
            candidates.Any(s => s?.Producers.FirstOrDefault(p => p.Producer == block.Producer)?.Authority.Keys.Any(k => isSigner(k.Key)) == true);

        // The observer writes the key in its PUB_K1_ form: compared as text first (no parse for every block), then as a key.
        var signed = Holds(k => k.ToString() == block.SigningKey)
            || (PublicKey.TryParse(block.SigningKey, out var key, out _) && Holds(k => k == key));
        return signed
            ? null
            : $"block {block.Number} names producer {block.Producer}, but its signature recovers to {block.SigningKey}, a key no schedule in force or reported gives {block.Producer}: its producer did not sign it";
    }

    private static ProducerScheduleChanged ScheduleChanged(ChainObservation observation, ProducerSchedule schedule, uint fromSlot, uint fromBlock) => new(
        observation.ChainId,
        schedule.Version,
        [.. schedule.Producers.Select(p => new ScheduleEntry(p.Producer.ToString(), p.Authority.Threshold, [.. p.Authority.Keys.Select(k => new ScheduleKey(k.Key.ToString(), k.Weight))]))],
        fromBlock,
        fromSlot,
        observation.ObservedAt);

    private static BlockProduced Produced(ChainObservation observation, ObservedBlock block, uint scheduleVersion) => new(
        observation.ChainId,
        block.Number,
        block.Id,
        block.Previous,
        block.Producer.ToString(),
        Antelope.BlockTimestamp.FromSlot(block.Slot),
        block.Slot,
        scheduleVersion,
        observation.ObservedAt,
        observation.Signatures is { } check && block.Producer != check.OurProducer ? null : block.SigningKey,
        block.QcBlockNum,
        block.QcBlockNum is null ? null : block.OurFinalizerVoted);

    private static ForkSwitched ForkSwitch(ObservedChain state, ChainObservation observation, RecordedBlock forkBlock, ObservedBlock newHead)
    {
        var orphaned = state.Blocks.Values.Where(b => b.Number > forkBlock.Number).ToList();
        var misses = state.Misses.Values.Where(m => m.RevealedByBlockNum > forkBlock.Number)
            .Select(m => new OrphanedMiss(m.Slot, m.Producer.ToString(), m.ScheduleVersion)).ToList();
        var oldHead = state.Head!;
        return new ForkSwitched(
            observation.ChainId,
            forkBlock.Number,
            forkBlock.Id,
            oldHead.Number,
            oldHead.Id,
            newHead.Number,
            newHead.Id,
            [.. orphaned.Select(b => new OrphanedBlock(b.Number, b.Id, b.Producer.ToString(), b.Slot, b.ScheduleVersion))],
            misses,
            observation.ObservedAt);
    }

    /// <summary>Events decided so far and the state they lead to.</summary>
    private sealed class Run(ObservedChain state, ChainObservation observation)
    {
        private readonly List<IChainEvent> _events = [];

        public ObservedChain State { get; private set; } = state;

        public IReadOnlyList<IChainEvent> Events => _events;

        public void Emit(IChainEvent e)
        {
            _events.Add(e);
            State = State.Apply(e);
        }

        /// <summary>
        /// Stops with what was decided so far. A fork switch is kept only if a block of the new branch was accepted
        /// after it (else the recorded blocks would be orphaned for nothing), and then names the last accepted block as
        /// the new head.
        /// </summary>
        public ChainDecision Stop(string problem)
        {
            // A fork switch, when there is one, is the run's first event: nothing is recorded before it.
            if (_events is not [ForkSwitched fork, ..])
            {
                return new(_events, problem);
            }

            if (_events.LastOrDefault(e => e is BlockProduced) is not BlockProduced last)
            {
                return new([], problem);
            }

            return new([fork with { NewHeadNum = last.BlockNum, NewHeadId = last.BlockId }, .. _events.Skip(1)], problem);
        }

        /// <summary>Records <paramref name="block"/> after the head: the schedule that scheduled it, the empty slots before it, the block.</summary>
        public string? Extend(ObservedBlock block, bool switchToReported)
        {
            var parent = State.Head!;
            var inForce = State.CurrentSchedule!.Schedule;
            var scheduling = inForce;
            uint? switchFrom = null;
            if (!block.IsSavanna && block.HeaderScheduleVersion < inForce.Version)
            {
                return $"block {block.Number} names schedule v{block.HeaderScheduleVersion}, older than v{inForce.Version} in force at its parent; a branch never goes back to an older schedule";
            }

            if (!block.IsSavanna && block.HeaderScheduleVersion > inForce.Version)
            {
                // Legacy: the header names the version that scheduled it; the slots since the parent were under it too.
                scheduling = observation.Schedules.WithVersion(block.HeaderScheduleVersion);
                if (scheduling is null)
                {
                    return $"block {block.Number} was scheduled by schedule v{block.HeaderScheduleVersion}, which the endpoint does not report; its slots cannot be attributed";
                }

                switchFrom = parent.Slot + 1;
            }
            else if (switchToReported)
            {
                // The switch happens at the start of the first window after the parent's: a block produced in any later
                // window would have started under the new schedule, so the empty slots from there on are charged to it.
                scheduling = observation.Schedules.Active;
                switchFrom = Slots.WindowStart(parent.Slot) + Slots.PerWindow;
            }

            if ((Misattributed(scheduling, block) ?? Unsigned(observation, scheduling, block)) is { } wrong)
            {
                return wrong;
            }

            if (switchFrom is { } from)
            {
                Emit(ScheduleChanged(observation, scheduling, from, block.Number));
            }

            for (var slot = parent.Slot + 1; slot < block.Slot; slot++)
            {
                var schedule = switchFrom is { } f && slot >= f ? scheduling : inForce;
                Emit(new BlockMissed(
                    observation.ChainId,
                    slot,
                    Antelope.BlockTimestamp.FromSlot(slot),
                    schedule.ProducerForSlot(slot).Producer.ToString(),
                    schedule.Version,
                    block.Number,
                    block.Id,
                    observation.ObservedAt));
            }

            Emit(Produced(observation, block, scheduling.Version));
            return null;
        }
    }
}
