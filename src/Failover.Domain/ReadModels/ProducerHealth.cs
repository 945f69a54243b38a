using System.Globalization;

namespace Failover.Domain.ReadModels;

/// <summary>A producer's slots in one of its recent rounds.</summary>
public sealed record RoundSlots(uint RoundStart, int Produced, int Missed);

/// <summary>
/// A producer's health, rolling: totals since observation began, its last produced block and missed slot, and its
/// slots in the last <see cref="RecentRoundsKept"/> rounds.
/// </summary>
public sealed record ProducerHealth(
    string Producer,
    long Produced,
    long Missed,
    uint? LastProducedBlockNum,
    DateTimeOffset? LastProducedAt,
    uint? LastMissedSlot,
    DateTimeOffset? LastMissedAt,
    IReadOnlyList<RoundSlots> RecentRounds)
{
    public const int RecentRoundsKept = 10;

    public static string DocumentId(string producer) => "producer-" + producer;

    public static ProducerHealth Start(string producer) => new(producer, 0, 0, null, null, null, null, []);

    public double MissRate => Produced + Missed == 0 ? 0 : Math.Round((double)Missed / (Produced + Missed), 6);

    public ProducerHealth CountProduced(uint roundStart, uint blockNum, DateTimeOffset at) =>
        (this with { Produced = Produced + 1, LastProducedBlockNum = blockNum, LastProducedAt = at }).InRound(roundStart, 1, 0);

    public ProducerHealth CountMissed(uint roundStart, uint slot, DateTimeOffset at) =>
        (this with { Missed = Missed + 1, LastMissedSlot = slot, LastMissedAt = at }).InRound(roundStart, 0, 1);

    /// <summary>
    /// Adds a compacted round's slots (<see cref="Events.RoundCompacted"/>): to the totals, and its last block and
    /// missed slot where they are later than those known, and to the recent rounds if it is among the last kept.
    /// </summary>
    public ProducerHealth CountCompacted(uint roundStart, Events.CompactedProducerSlots round)
    {
        ArgumentNullException.ThrowIfNull(round);
        var laterBlock = round.LastProducedBlockNum is { } block && (LastProducedBlockNum is not { } known || block > known);
        var laterMiss = round.LastMissedSlot is { } slot && (LastMissedSlot is not { } knownSlot || slot > knownSlot);
        return (this with
        {
            Produced = Produced + round.Produced,
            Missed = Missed + round.Missed,
            LastProducedBlockNum = laterBlock ? round.LastProducedBlockNum : LastProducedBlockNum,
            LastProducedAt = laterBlock ? round.LastProducedAt : LastProducedAt,
            LastMissedSlot = laterMiss ? round.LastMissedSlot : LastMissedSlot,
            LastMissedAt = laterMiss ? round.LastMissedAt : LastMissedAt,
        }).InRound(roundStart, round.Produced, round.Missed);
    }

    /// <summary>Takes back an orphaned block; its "last produced" is forgotten if it was that block.</summary>
    public ProducerHealth UncountProduced(uint roundStart, uint blockNum) =>
        (this with
        {
            Produced = Math.Max(0, Produced - 1),
            LastProducedBlockNum = LastProducedBlockNum == blockNum ? null : LastProducedBlockNum,
            LastProducedAt = LastProducedBlockNum == blockNum ? null : LastProducedAt,
        }).InRound(roundStart, -1, 0);

    public ProducerHealth UncountMissed(uint roundStart, uint slot) =>
        (this with
        {
            Missed = Math.Max(0, Missed - 1),
            LastMissedSlot = LastMissedSlot == slot ? null : LastMissedSlot,
            LastMissedAt = LastMissedSlot == slot ? null : LastMissedAt,
        }).InRound(roundStart, 0, -1);

    private ProducerHealth InRound(uint roundStart, int produced, int missed)
    {
        var round = RecentRounds.FirstOrDefault(r => r.RoundStart == roundStart) ?? new RoundSlots(roundStart, 0, 0);
        if (RecentRounds.Count >= RecentRoundsKept && round.Produced + round.Missed == 0 && roundStart < RecentRounds[0].RoundStart)
        {
            return this; // older than every round kept
        }

        var updated = round with { Produced = Math.Max(0, round.Produced + produced), Missed = Math.Max(0, round.Missed + missed) };
        var rounds = RecentRounds.Where(r => r.RoundStart != roundStart).Append(updated).Where(r => r.Produced + r.Missed > 0).OrderBy(r => r.RoundStart).ToList();
        return this with { RecentRounds = rounds.Skip(Math.Max(0, rounds.Count - RecentRoundsKept)).ToList() };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Producer}: {Produced} produced, {Missed} missed");
}
