using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Host.Demo;

namespace Failover.Host.Tests;

public sealed class FireDrillLedgerTests
{
    private static readonly Name Ours = Name.Parse("failover.bp");
    private static readonly ProducerSchedule Schedule = new(1, [.. new[] { "failover.bp" }
        .Concat(Enumerable.Range(0, 20).Select(i => "prod." + (char)('a' + i)))
        .Select(p => new ProducerAuthority(p, new SigningAuthority(1, [])))]);

    [Fact]
    public void The_scheduled_producer_of_the_real_Telos_slot_is_the_ninth_of_21()
    {
        // protocol.md §2.2: Telos block 369358506, slot 1565940950 → (1565940950 mod 252) div 12 = 8.
        Assert.Equal(Name.Parse("prod.h"), RoundLedger.ScheduledProducer(Schedule, 1565940950));
    }

    [Fact]
    public void Every_producer_holds_12_consecutive_slots_from_the_start_of_a_round()
    {
        const uint roundStart = 252 * 1000;

        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(Ours, RoundLedger.ScheduledProducer(Schedule, roundStart + (uint)i)));
        Assert.Equal(Name.Parse("prod.a"), RoundLedger.ScheduledProducer(Schedule, roundStart + 12));
        Assert.Equal(Name.Parse("prod.t"), RoundLedger.ScheduledProducer(Schedule, roundStart + 251));
        Assert.Equal(1000u, RoundLedger.RoundOf(roundStart + 251, 21));
    }

    [Fact]
    public void Missed_slots_count_in_a_row_across_rounds_and_each_round_is_summarised_at_its_last_slot()
    {
        const uint firstSlot = 252 * 10;
        var ledger = new RoundLedger(Ours, firstSlot);
        var summaries = new List<RoundSummary>();
        for (var slot = firstSlot; slot <= firstSlot + 252 + 6; slot++)
        {
            var scheduled = RoundLedger.ScheduledProducer(Schedule, slot);
            var missed = scheduled == Ours && slot >= firstSlot + 6;
            if (ledger.Record(new SlotOutcome(slot, scheduled, missed ? null : Block(scheduled)), 21) is { } summary)
            {
                summaries.Add(summary);
            }
        }

        Assert.Equal([new RoundSummary(10, 21, 21, 6, 6, Partial: false)], summaries);
        Assert.Equal(1, ledger.FullRounds);
        Assert.Equal(13, ledger.ConsecutiveMissed);
    }

    [Fact]
    public void A_round_watched_from_its_middle_is_reported_as_partial()
    {
        var ledger = new RoundLedger(Ours, 252 * 10 + 100);

        Assert.Null(ledger.Record(new SlotOutcome(252 * 10 + 100, Name.Parse("prod.h"), Block(Name.Parse("prod.h"))), 21));
        var summary = ledger.Record(new SlotOutcome((252 * 11) - 1, Name.Parse("prod.t"), null), 21);

        Assert.Equal(new RoundSummary(10, 1, 21, 0, 0, Partial: true), summary);
        Assert.Equal(0, ledger.FullRounds);
    }

    [Fact]
    public void The_outage_moment_is_the_last_window_of_the_chosen_full_round()
    {
        const uint firstRound = 252 * 10;
        var ledger = new RoundLedger(Ours, firstRound - 100);
        var moments = new List<uint>();
        for (var slot = firstRound - 100; slot < firstRound + (3 * 252); slot++)
        {
            var scheduled = RoundLedger.ScheduledProducer(Schedule, slot);
            ledger.Record(new SlotOutcome(slot, scheduled, Block(scheduled)), 21);
            if (ledger.IsInLastWindowOfFullRound(slot, 21, fullRound: 2))
            {
                moments.Add(slot);
            }
        }

        Assert.Equal(Enumerable.Range((int)firstRound + 252 + 240, 12).Select(s => (uint)s), moments);
    }

    private static GetBlockInfoResult Block(Name producer) =>
        new(1, 1, new string('0', 64), DateTimeOffset.UnixEpoch, producer.ToString(), 0, new string('0', 64), new string('0', 64), new string('0', 64), 0, string.Empty, 0);
}
