using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Failover.Antelope.Scheduling;
using Failover.Testing;

namespace Failover.Antelope.Tests.Scheduling;

/// <summary>
/// The slot arithmetic of protocol.md §2.1–2.2, checked against the protocol's own formulas written out here in 64-bit
/// arithmetic: a window is the 12 slots starting where <c>slot mod 12 = 0</c>; a round is N × 12 slots aligned to
/// absolute slot numbers; the producer of a slot is <c>producers[(slot mod 12N) div 12]</c>.
/// </summary>
public sealed class SlotsTests
{
    private const ulong Repetitions = 12; // producer_repetitions, protocol.md §2 constants

    /// <summary>Slots near zero, near today's chains (≈ 1.5 × 10⁹) and anywhere in the 32-bit range.</summary>
    private static Gen<uint> AnySlot => Gen.OneOf(
        Gen.Choose(0, 5_000).Select(i => (uint)i),
        Gen.Choose(0, 200_000_000).Select(i => 1_400_000_000u + (uint)i),
        Gen.Choose(0, 0xFFFF).Zip(Gen.Choose(0, 0xFFFF), (high, low) => ((uint)high << 16) | (uint)low));

    private static Gen<int> ProducerCount => Gen.Choose(1, 125); // max_producers = 125

    /// <summary>A slot and a schedule size whose whole round lies inside the 32-bit slot range.</summary>
    private static Arbitrary<(uint Slot, int Producers)> SlotInACompleteRound =>
        AnySlot.Zip(ProducerCount, (slot, producers) => (slot, producers))
            .Where(x => ExpectedRoundStart(x.slot, x.producers) + RoundSlots(x.producers) - 1 <= uint.MaxValue)
            .ToArbitrary();

    private static ulong RoundSlots(int producers) => (ulong)producers * Repetitions;

    private static ulong ExpectedRoundStart(uint slot, int producers) => slot - (slot % RoundSlots(producers));

    private static int ExpectedIndex(uint slot, int producers) => (int)(slot % RoundSlots(producers) / Repetitions);

    [Property]
    public Property A_slot_lies_in_the_twelve_slots_of_its_window_which_starts_at_a_multiple_of_twelve() =>
        Prop.ForAll(AnySlot.ToArbitrary(), slot =>
        {
            ulong start = Slots.WindowStart(slot);
            return start <= slot && slot < start + Repetitions && start % Repetitions == 0;
        });

    [Property]
    public Property A_slot_lies_in_a_round_of_n_times_twelve_slots_aligned_to_a_multiple_of_the_round_length() =>
        Prop.ForAll(SlotInACompleteRound, x =>
        {
            ulong start = Slots.RoundStart(x.Slot, x.Producers);
            ulong end = Slots.RoundEnd(x.Slot, x.Producers);
            return start <= x.Slot && x.Slot <= end
                && end - start + 1 == RoundSlots(x.Producers)
                && start % RoundSlots(x.Producers) == 0
                && start == ExpectedRoundStart(x.Slot, x.Producers)
                && Slots.RoundLength(x.Producers) == RoundSlots(x.Producers);
        });

    [Property]
    public Property The_producer_index_is_below_n_and_the_same_in_every_slot_of_a_window() =>
        Prop.ForAll(SlotInACompleteRound, x =>
        {
            var index = Slots.ProducerIndex(x.Slot, x.Producers);
            var window = Slots.WindowStart(x.Slot);
            return index >= 0 && index < x.Producers
                && index == ExpectedIndex(x.Slot, x.Producers)
                && Enumerable.Range(0, (int)Repetitions).All(k => Slots.ProducerIndex(window + (uint)k, x.Producers) == index);
        });

    [Property]
    public Property The_next_window_belongs_to_the_next_producer_of_the_schedule_wrapping_after_the_last() =>
        Prop.ForAll(SlotInACompleteRound, x =>
        {
            var window = Slots.WindowStart(x.Slot);
            var nextWindow = (ulong)window + Repetitions;
            if (nextWindow > uint.MaxValue || ExpectedRoundStart((uint)nextWindow, x.Producers) + RoundSlots(x.Producers) - 1 > uint.MaxValue)
            {
                return true; // the next window is past the last complete round of the 32-bit range
            }

            return Slots.ProducerIndex((uint)nextWindow, x.Producers) == (Slots.ProducerIndex(x.Slot, x.Producers) + 1) % x.Producers;
        });

    [Property]
    public Property The_producer_of_a_slot_is_the_one_at_slot_mod_12n_div_12_of_the_list_sorted_by_name_value() =>
        Prop.ForAll(
            AnySlot.ToArbitrary(),
            Gen.Choose(1, 125).Zip(Gen.Choose(0, int.MaxValue), (n, seed) => DistinctNames(n, seed)).ToArbitrary(),
            (slot, names) =>
            {
                var shuffled = names.OrderBy(n => n.Value * 0x9E3779B97F4A7C15UL).ToList(); // any order but the sorted one
                var schedule = ProducerSchedule.Create(7, shuffled.Select(n => ScheduledProducer.WithKey(n, PublicKey.Zero)));
                var sorted = names.OrderBy(n => n.Value).ToList();
                return schedule.ProducerForSlot(slot).Producer == sorted[ExpectedIndex(slot, names.Count)]
                    && schedule.RoundLength == RoundSlots(names.Count);
            });

    [Fact]
    public void A_round_of_21_producers_is_252_slots_in_which_each_producer_has_twelve_consecutive_slots()
    {
        const uint roundStart = 252 * 6_000_000;
        var owners = Enumerable.Range(0, 252).Select(i => Slots.ProducerIndex(roundStart + (uint)i, 21)).ToList();

        Assert.Equal(Enumerable.Range(0, 21).SelectMany(p => Enumerable.Repeat(p, 12)), owners);
        Assert.Equal(0, Slots.ProducerIndex(roundStart + 252, 21));
        Assert.Equal(roundStart, Slots.RoundStart(roundStart + 251, 21));
        Assert.Equal(roundStart + 251, Slots.RoundEnd(roundStart, 21));
        Assert.Equal(roundStart + 252, Slots.RoundStart(roundStart + 252, 21));
    }

    [Fact]
    public void The_real_Telos_block_at_slot_1565940950_belongs_to_index_8_of_its_21_producers_votetelosusa()
    {
        var vector = ReferenceVectors.Items("serialization_vectors.json", "schedule_vectors").Single();
        var names = vector.GetProperty("schedule").EnumerateArray().Select(n => Name.Parse(n.GetString()!)).ToList();
        var slot = vector.GetProperty("slot").GetUInt32();
        var timestamp = DateTimeOffset.Parse(vector.Text("timestamp") + "Z", CultureInfo.InvariantCulture);

        // Telos's schedule is listed as the header state recorded it (not re-sorted here): the formula alone decides.
        var schedule = new ProducerSchedule(vector.GetProperty("schedule_version").GetUInt32(), [.. names.Select(n => ScheduledProducer.WithKey(n, PublicKey.Zero))]);

        Assert.Equal(1565940950u, slot);
        Assert.Equal(slot, BlockTimestamp.ToSlot(timestamp));
        Assert.Equal(21, names.Count);
        Assert.Equal(8, Slots.ProducerIndex(slot, 21));
        Assert.Equal(vector.GetProperty("index").GetInt32(), Slots.ProducerIndex(slot, 21));
        Assert.Equal(Name.Parse("votetelosusa"), schedule.ProducerForSlot(slot).Producer);
        Assert.Equal(vector.Text("actual_producer"), schedule.ProducerForSlot(slot).Producer.ToString());
        Assert.Equal(vector.GetProperty("position_in_window").GetInt32(), (int)(slot - Slots.WindowStart(slot)));
        Assert.Equal(vector.GetProperty("round_len_slots").GetUInt64(), Slots.RoundLength(21));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_round_needs_at_least_one_producer(int producers)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Slots.RoundLength(producers));
        Assert.Throws<ArgumentOutOfRangeException>(() => Slots.RoundStart(1000, producers));
        Assert.Throws<ArgumentOutOfRangeException>(() => Slots.ProducerIndex(1000, producers));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(21)]
    [InlineData(125)]
    public void The_round_end_of_a_slot_in_the_last_incomplete_round_of_the_32_bit_range_does_not_wrap_to_the_start_of_time(int producers)
    {
        // 2^32 is not a multiple of 12 × N, so the last round of the slot range (year 2068) is cut short at uint.MaxValue.
        // Its end cannot be a slot before the slot itself: either a clear error or a value at or after the slot.
        const uint lastSlot = uint.MaxValue;
        var error = Record.Exception(() => Slots.RoundEnd(lastSlot, producers));
        if (error is null)
        {
            Assert.True(Slots.RoundEnd(lastSlot, producers) >= lastSlot, $"RoundEnd({lastSlot}, {producers}) = {Slots.RoundEnd(lastSlot, producers)}");
        }
        else
        {
            Assert.True(error is OverflowException or ArgumentOutOfRangeException, error.ToString());
        }
    }

    private static List<Name> DistinctNames(int count, int seed)
    {
        var names = new HashSet<Name>();
        var state = (ulong)seed;
        while (names.Count < count)
        {
            // splitmix64: well-spread 64-bit values; every 64-bit value is a name (protocol.md §4.3)
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            names.Add(Name.FromValue(z ^ (z >> 31)));
        }

        return [.. names];
    }
}
