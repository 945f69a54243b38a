using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>A block of the followed branch as the chain stream recorded it.</summary>
/// <param name="OurFinalizerVoted">Whether our finalizer voted in the quorum certificate it carries (null: none, or not known).</param>
public sealed record RecordedBlock(uint Number, string Id, string Previous, Name Producer, uint Slot, uint ScheduleVersion, DateTimeOffset ObservedAt, string? SigningKey, bool? OurFinalizerVoted = null);

/// <summary>An empty slot of the followed branch, charged to the producer scheduled in it, and the block that revealed it.</summary>
public sealed record RecordedMiss(uint Slot, Name Producer, uint ScheduleVersion, uint RevealedByBlockNum, string RevealedById, DateTimeOffset ObservedAt);

/// <summary>Where a producer's last block on the followed branch is.</summary>
public readonly record struct LastBlock(uint Slot, uint Number);

/// <summary>A schedule and the first slot (and block) it was in force for on the followed branch.</summary>
public sealed record ScheduleInForce(ProducerSchedule Schedule, uint FromSlot, uint FromBlockNum);

/// <summary>
/// The chain as the chain stream records it: a fold of <see cref="IChainEvent"/>s. It keeps the recent part of the
/// followed branch (enough to recognise any fork above the LIB), every miss those blocks revealed, and the schedules in
/// force over them — what the observer decides new events from and what participation and incidents are computed from.
/// </summary>
public sealed record ObservedChain
{
    /// <summary>Blocks kept below the head: well beyond a legacy LIB lag (~330), so no reversible fork is out of reach.</summary>
    public const int KeptBlocks = 4096;

    /// <summary>
    /// Misses kept from the start of a producer's ongoing run when they fall below the kept blocks: an outage longer
    /// than the kept history keeps its first slot (the incident's identity) and its threshold-th miss; the misses
    /// between these and the kept blocks are only counted (<see cref="DroppedRunMisses"/>).
    /// </summary>
    public const int RunStartKept = 256;

    public static ObservedChain Empty { get; } = new();

    public string? ChainId { get; init; }

    public ImmutableSortedDictionary<uint, RecordedBlock> Blocks { get; init; } = ImmutableSortedDictionary<uint, RecordedBlock>.Empty;

    /// <summary>Misses by slot.</summary>
    public ImmutableSortedDictionary<uint, RecordedMiss> Misses { get; init; } = ImmutableSortedDictionary<uint, RecordedMiss>.Empty;

    /// <summary>Schedules in force over the kept blocks, oldest first; the last is the one in force at the head.</summary>
    public ImmutableList<ScheduleInForce> Schedules { get; init; } = [];

    /// <summary>The first slot ever observed: slots before it are unknown, not missed.</summary>
    public uint? FirstObservedSlot { get; init; }

    /// <summary>Each producer's last block on the followed branch, remembered after the block itself is trimmed.</summary>
    public ImmutableDictionary<Name, LastBlock> LastProduced { get; init; } = ImmutableDictionary<Name, LastBlock>.Empty;

    /// <summary>Per producer, the misses of its ongoing run that were trimmed without being kept (see <see cref="RunStartKept"/>).</summary>
    public ImmutableDictionary<Name, int> DroppedRunMisses { get; init; } = ImmutableDictionary<Name, int>.Empty;

    /// <summary>The chain stream's next version: its last folded version + 1 (more than the events folded once compaction deleted some).</summary>
    public long EventCount { get; init; }

    /// <summary>The number of the followed branch's last block (kept, since finding the largest key would walk them all).</summary>
    public uint? HeadNumber { get; init; }

    public RecordedBlock? Head => HeadNumber is { } number ? Blocks[number] : null;

    public ScheduleInForce? CurrentSchedule => Schedules.IsEmpty ? null : Schedules[^1];

    /// <summary>The schedule in force at <paramref name="slot"/> on the followed branch, if it is known.</summary>
    public ScheduleInForce? ScheduleAt(uint slot)
    {
        for (var i = Schedules.Count - 1; i >= 0; i--)
        {
            if (Schedules[i].FromSlot <= slot)
            {
                return Schedules[i];
            }
        }

        return null;
    }

    public ObservedChain Apply(IChainEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var next = @event switch
        {
            ProducerScheduleChanged e => this with
            {
                Schedules = Schedules.Add(new ScheduleInForce(Schedule(e), e.EffectiveFromSlot, e.EffectiveFromBlockNum)),
                FirstObservedSlot = FirstObservedSlot ?? e.EffectiveFromSlot,
            },
            BlockMissed e => this with
            {
                Misses = Misses.SetItem(e.Slot, new RecordedMiss(e.Slot, Name.Parse(e.ScheduledProducer), e.ScheduleVersion, e.RevealedByBlockNum, e.RevealedByBlockId, e.ObservedAt)),
            },
            BlockProduced e => Trim(AfterBlock(e)),
            ForkSwitched e => AfterForkSwitch(e),
            _ => throw new ArgumentException($"{@event.GetType().Name} is not a chain event this fold knows.", nameof(@event)),
        };
        return next with { ChainId = ChainId ?? @event.ChainId, EventCount = EventCount + 1 };
    }

    private ObservedChain AfterBlock(BlockProduced e)
    {
        var producer = Name.Parse(e.Producer);
        return this with
        {
            Blocks = Blocks.SetItem(e.BlockNum, new RecordedBlock(e.BlockNum, e.BlockId, e.Previous, producer, e.Slot, e.ScheduleVersion, e.ObservedAt, e.SigningKey, e.OurFinalizerVoted)),
            HeadNumber = HeadNumber is { } head ? Math.Max(head, e.BlockNum) : e.BlockNum,
            FirstObservedSlot = FirstObservedSlot ?? e.Slot,
            LastProduced = LastProduced.SetItem(producer, new LastBlock(e.Slot, e.BlockNum)),
            DroppedRunMisses = DroppedRunMisses.Remove(producer),
        };
    }

    private ObservedChain AfterForkSwitch(ForkSwitched e)
    {
        var blocks = Blocks.RemoveRange(Blocks.Keys.Where(n => n > e.ForkBlockNum));
        var lastProduced = LastProduced;
        foreach (var (producer, last) in LastProduced.Where(p => p.Value.Number > e.ForkBlockNum))
        {
            lastProduced = blocks.Values.LastOrDefault(b => b.Producer == producer) is { } kept
                ? lastProduced.SetItem(producer, new LastBlock(kept.Slot, kept.Number))
                : lastProduced.Remove(producer);
        }

        return this with
        {
            Blocks = blocks,
            HeadNumber = blocks.IsEmpty ? null : blocks.Keys.Last(),
            LastProduced = lastProduced,
            Misses = Misses.RemoveRange(Misses.Values.Where(m => m.RevealedByBlockNum > e.ForkBlockNum).Select(m => m.Slot)),
            Schedules = Schedules.RemoveAll(s => s.FromBlockNum > e.ForkBlockNum),
        };
    }

    /// <summary>The typed schedule an event records.</summary>
    public static ProducerSchedule Schedule(ProducerScheduleChanged e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new ProducerSchedule(e.Version, [.. e.Producers.Select(p => new ScheduledProducer(
            Name.Parse(p.Producer),
            new Antelope.SystemContract.BlockSigningAuthority(p.Threshold, [.. p.Keys.Select(k => new Antelope.SystemContract.KeyWeight(PublicKey.Parse(k.Key), k.Weight))])))]);
    }

    /// <summary>
    /// Drops what lies more than <see cref="KeptBlocks"/> below the head, keeping the schedule in force there and the
    /// start of every ongoing run of misses.
    /// </summary>
    private static ObservedChain Trim(ObservedChain chain)
    {
        if (chain.Blocks.Count <= KeptBlocks + 256)
        {
            return chain;
        }

        var keep = chain.Blocks.Keys.Skip(chain.Blocks.Count - KeptBlocks).First();
        var oldestSlot = chain.Blocks[keep].Slot;
        var firstNeeded = chain.Schedules.FindLastIndex(s => s.FromSlot <= oldestSlot);
        var (misses, dropped) = TrimMisses(chain, oldestSlot);
        return chain with
        {
            Blocks = chain.Blocks.RemoveRange(chain.Blocks.Keys.TakeWhile(n => n < keep)),
            Misses = misses,
            DroppedRunMisses = dropped,
            Schedules = firstNeeded > 0 ? chain.Schedules.RemoveRange(0, firstNeeded) : chain.Schedules,
        };
    }

    /// <summary>
    /// Misses below <paramref name="oldestSlot"/> go, except the first <see cref="RunStartKept"/> of a run that has not
    /// ended (no block of that producer after them); the rest of such a run is counted.
    /// </summary>
    private static (ImmutableSortedDictionary<uint, RecordedMiss> Misses, ImmutableDictionary<Name, int> Dropped) TrimMisses(ObservedChain chain, uint oldestSlot)
    {
        var misses = chain.Misses;
        var dropped = chain.DroppedRunMisses;
        var keptOfRun = new Dictionary<Name, int>();
        foreach (var miss in chain.Misses.Values.TakeWhile(m => m.Slot < oldestSlot))
        {
            var runEnded = chain.LastProduced.TryGetValue(miss.Producer, out var last) && last.Slot > miss.Slot;
            if (!runEnded && keptOfRun.GetValueOrDefault(miss.Producer) < RunStartKept)
            {
                keptOfRun[miss.Producer] = keptOfRun.GetValueOrDefault(miss.Producer) + 1;
                continue;
            }

            misses = misses.Remove(miss.Slot);
            if (!runEnded)
            {
                dropped = dropped.SetItem(miss.Producer, dropped.GetValueOrDefault(miss.Producer) + 1);
            }
        }

        return (misses, dropped);
    }
}
