using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>A slot of the followed branch: who was scheduled, and whether a block filled it.</summary>
public readonly record struct SlotOutcome(uint Slot, Name Producer, bool Produced);

/// <summary>
/// Our current run of missed scheduled blocks: its <c>threshold</c>-th miss (null below the threshold) and its latest
/// miss, each with the block that revealed it.
/// </summary>
public sealed record MissedRun(int Missed, uint FirstMissedSlot, RecordedMiss? ThresholdMiss, RecordedMiss LatestMiss);

/// <summary>
/// Our last <see cref="Slots"/> scheduled slots on the followed branch: how many of them were missed, over how many of our
/// windows, the first and the latest miss among them, and whether our latest window had a miss.
/// </summary>
public sealed record RecentMisses(int Missed, int Slots, int Windows, RecordedMiss First, RecordedMiss Latest, bool LatestWindowMissed);

/// <summary>
/// Health of the followed branch computed from the <see cref="ObservedChain"/> fold: participation of the other
/// producers over a range of slots (never counting ourselves, design §2.1) and our run of missed blocks. Only slots
/// the observer has seen count: a range that reaches before the first observed slot or past the head is not judged.
/// </summary>
public static class Participation
{
    /// <summary>The known slots in [<paramref name="first"/>, <paramref name="last"/>], in slot order.</summary>
    public static IEnumerable<SlotOutcome> Outcomes(ObservedChain chain, uint first, uint last)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var produced = chain.Blocks.Values.Where(b => b.Slot >= first && b.Slot <= last).Select(b => new SlotOutcome(b.Slot, b.Producer, true));
        var missed = chain.Misses.Values.Where(m => m.Slot >= first && m.Slot <= last).Select(m => new SlotOutcome(m.Slot, m.Producer, false));
        return produced.Concat(missed).OrderBy(o => o.Slot);
    }

    /// <summary>Participation of the producers other than <paramref name="ours"/> over the slots of a range.</summary>
    public static ParticipationFigures Over(ObservedChain chain, Name ours, uint first, uint last) =>
        Figures(Outcomes(chain, first, last).ToList(), ours, first, last);

    /// <summary>The last round (N × 12 slots of the schedule in force at the head) that ended at or before the head, if fully observed.</summary>
    public static ParticipationFigures? LastFullRound(ObservedChain chain, Name ours)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Head is not { } head || chain.CurrentSchedule is not { } schedule)
        {
            return null;
        }

        var producers = schedule.Schedule.Producers.Count;
        var last = Slots.RoundEnd(head.Slot, producers) == head.Slot ? head.Slot : Slots.RoundStart(head.Slot, producers) - 1;
        var first = (uint)(last + 1 - Slots.RoundLength(producers));
        return IsObserved(chain, first, last) ? Over(chain, ours, first, last) : null;
    }

    /// <summary>The last N × 12 slots ending at the head, if fully observed.</summary>
    public static ParticipationFigures? SlidingWindow(ObservedChain chain, Name ours)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Head is not { } head || chain.CurrentSchedule is not { } schedule)
        {
            return null;
        }

        var length = Slots.RoundLength(schedule.Schedule.Producers.Count);
        if (head.Slot + 1 < length)
        {
            return null;
        }

        var first = (uint)(head.Slot + 1 - length);
        return IsObserved(chain, first, head.Slot) ? Over(chain, ours, first, head.Slot) : null;
    }

    /// <summary>
    /// The other producers' complete windows after the window holding <paramref name="incidentSlot"/>, up to the head:
    /// a producer of the schedule in force counts as scheduled once one of its windows there is over, and as producing if
    /// it made a block in one (a producer no longer scheduled does not count).
    /// </summary>
    public static ParticipationFigures? CompleteWindowsSince(ObservedChain chain, Name ours, uint incidentSlot)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Head is not { } head)
        {
            return null;
        }

        var first = Slots.WindowStart(incidentSlot) + Slots.PerWindow;
        var lastComplete = Slots.WindowStart(head.Slot + 1) - 1;
        if (lastComplete < first || lastComplete > head.Slot)
        {
            return Figures([], ours, first, first);
        }

        // Only the producers of the schedule in force count: after a producer was swapped mid-incident, the window of the
        // one who left must not stand in for the one who came, who has yet to show it is producing on this side.
        var inForce = chain.CurrentSchedule?.Schedule.Producers.Select(p => p.Producer).ToHashSet();
        var outcomes = Outcomes(chain, first, lastComplete).Where(o => inForce is null || inForce.Contains(o.Producer)).ToList();
        return Figures(outcomes, ours, first, lastComplete);
    }

    /// <summary>Our consecutive missed scheduled slots up to the head (a block of ours ends a run).</summary>
    public static MissedRun? CurrentMissedRun(ObservedChain chain, Name ours, int threshold)
    {
        ArgumentNullException.ThrowIfNull(chain);
        uint? lastProduced = chain.LastProduced.TryGetValue(ours, out var last) ? last.Slot : null;
        var kept = chain.Misses.Values.Where(m => m.Producer == ours && (lastProduced is null || m.Slot > lastProduced)).ToList();
        if (kept.Count == 0)
        {
            return null;
        }

        // Misses dropped from a long run lie after its first RunStartKept, which the threshold-th miss is among, and below
        // the kept blocks, which the latest miss is above while we are scheduled (a round is far shorter than KeptBlocks).
        var missed = kept.Count + chain.DroppedRunMisses.GetValueOrDefault(ours);
        return new MissedRun(missed, kept[0].Slot, kept.Count >= threshold ? kept[threshold - 1] : null, kept[^1]);
    }

    /// <summary>
    /// Our last <paramref name="slots"/> scheduled slots with a known outcome (a block or a recorded miss), or null when
    /// fewer are known or none of them was missed.
    /// </summary>
    public static RecentMisses? Recent(ObservedChain chain, Name ours, int slots)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var recent = chain.Blocks.Values.Where(b => b.Producer == ours).Select(b => (b.Slot, Miss: (RecordedMiss?)null))
            .Concat(chain.Misses.Values.Where(m => m.Producer == ours).Select(m => (m.Slot, Miss: (RecordedMiss?)m)))
            .OrderByDescending(o => o.Slot).Take(slots).ToList();
        var misses = recent.Where(o => o.Miss is not null).Select(o => o.Miss!).OrderBy(m => m.Slot).ToList();
        if (recent.Count < slots || misses.Count == 0)
        {
            return null;
        }

        var latestWindow = Slots.WindowStart(recent[0].Slot);
        return new RecentMisses(
            misses.Count, slots, misses.Select(m => Slots.WindowStart(m.Slot)).Distinct().Count(), misses[0], misses[^1],
            Slots.WindowStart(misses[^1].Slot) == latestWindow);
    }

    private static bool IsObserved(ObservedChain chain, uint first, uint last) =>
        chain.FirstObservedSlot is { } observedFrom && first >= observedFrom && chain.Head is { } head && last <= head.Slot
        && chain.Blocks.Values.First().Slot <= first;

    private static ParticipationFigures Figures(List<SlotOutcome> outcomes, Name ours, uint first, uint last)
    {
        var others = outcomes.Where(o => o.Producer != ours).ToList();
        var scheduled = others.Select(o => o.Producer).Distinct().ToList();
        var producing = others.Where(o => o.Produced).Select(o => o.Producer).ToHashSet();
        var missing = scheduled.Where(p => !producing.Contains(p)).OrderBy(p => p.Value).Select(p => p.ToString()).ToList();
        return new ParticipationFigures(first, last, scheduled.Count, producing.Count, missing, outcomes.Count, outcomes.Count(o => o.Produced));
    }
}
