using System.Globalization;
using Failover.Antelope;
using Failover.Antelope.Scheduling;
using SlotMath = Failover.Antelope.Scheduling.Slots;

namespace Failover.Domain.ReadModels;

/// <summary>A producer's slots in one round: produced and missed (what the observer saw of its window).</summary>
public sealed record ProducerSlots(string Producer, int Produced, int Missed);

/// <summary>Slots of a round observed under one schedule version.</summary>
public sealed record VersionSlots(uint Version, int Slots);

/// <summary>How our producer did in a round.</summary>
public static class OurRoundStatus
{
    public const string NotScheduled = "not-scheduled";
    public const string Produced = "produced";
    public const string MissedSome = "missed-some";
    public const string MissedAll = "missed-all";
}

/// <summary>
/// A round of the followed branch (N × 12 slots, aligned to absolute slots): the schedule versions in force in it,
/// every producer's produced and missed slots, the participation of the others, the LIB lag and how we did.
/// </summary>
public sealed record RoundHealth(
    uint RoundStart,
    uint RoundEnd,
    DateTimeOffset StartsAt,
    int ScheduledProducers,
    IReadOnlyList<VersionSlots> Schedules,
    IReadOnlyList<ProducerSlots> Producers,
    string OurProducer,
    uint? LibLag,
    uint? LastIrreversibleBlockNum)
{
    public static string DocumentId(uint roundStart) => "round-" + roundStart.ToString("D10", CultureInfo.InvariantCulture);

    public static RoundHealth Open(uint slot, int scheduledProducers, string ourProducer)
    {
        var start = SlotMath.RoundStart(slot, scheduledProducers);
        return new RoundHealth(start, SlotMath.RoundEnd(slot, scheduledProducers), BlockTimestamp.FromSlot(start), scheduledProducers, [], [], ourProducer, null, null);
    }

    public int Slots => (int)(RoundEnd - RoundStart + 1);

    /// <summary>The schedule versions in force for the observed slots of the round.</summary>
    public IReadOnlyList<uint> ScheduleVersions => [.. Schedules.Select(s => s.Version)];

    public int ObservedSlots => Producers.Sum(p => p.Produced + p.Missed);

    public int OthersScheduled => Producers.Count(p => p.Producer != OurProducer && p.Produced + p.Missed > 0);

    public int OthersProducing => Producers.Count(p => p.Producer != OurProducer && p.Produced > 0);

    /// <summary>Participation of the other producers (design §2.1): those with a block / those with an observed slot.</summary>
    public double Participation => OthersScheduled == 0 ? 0 : Math.Round((double)OthersProducing / OthersScheduled, 6);

    public ProducerSlots? Ours => Producers.FirstOrDefault(p => p.Producer == OurProducer);

    public string OurStatus => Ours switch
    {
        null or { Produced: 0, Missed: 0 } => OurRoundStatus.NotScheduled,
        { Missed: 0 } => OurRoundStatus.Produced,
        { Produced: 0 } => OurRoundStatus.MissedAll,
        _ => OurRoundStatus.MissedSome,
    };

    /// <summary>Adds (or, for an orphaned slot, takes back with <paramref name="delta"/> −1) one slot of a producer under a schedule version.</summary>
    public RoundHealth Count(string producer, bool produced, int delta, uint scheduleVersion)
    {
        var existing = Producers.FirstOrDefault(p => p.Producer == producer) ?? new ProducerSlots(producer, 0, 0);
        var updated = produced
            ? existing with { Produced = Math.Max(0, existing.Produced + delta) }
            : existing with { Missed = Math.Max(0, existing.Missed + delta) };
        var producers = Producers.Where(p => p.Producer != producer).Append(updated)
            .Where(p => p.Produced + p.Missed > 0)
            .OrderBy(p => Name.Parse(p.Producer).Value)
            .ToList();
        var version = Schedules.FirstOrDefault(s => s.Version == scheduleVersion) ?? new VersionSlots(scheduleVersion, 0);
        var schedules = Schedules.Where(s => s.Version != scheduleVersion).Append(version with { Slots = Math.Max(0, version.Slots + delta) })
            .Where(s => s.Slots > 0)
            .OrderBy(s => s.Version)
            .ToList();
        return this with { Producers = producers, Schedules = schedules };
    }
}
