using Failover.Antelope;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator.Tests;

public sealed class ScheduleMathTests
{
    [Fact]
    public void The_real_Telos_slot_maps_to_the_producer_that_signed_it()
    {
        foreach (var vector in FixtureFiles.Load("serialization_vectors.json").GetProperty("schedule_vectors").EnumerateArray())
        {
            var names = vector.GetProperty("schedule").EnumerateArray().Select(n => Name.Parse(n.GetString()!)).ToList();
            var schedule = new ProducerSchedule(1, [.. names.Select(n => ScheduledProducer.WithKey(n, PublicKey.Zero))]);
            var slot = vector.GetProperty("slot").GetUInt32();

            Assert.Equal(slot, BlockTimestamp.ToSlot(DateTimeOffset.Parse(vector.GetProperty("timestamp").GetString()! + "Z", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(vector.GetProperty("index").GetInt32(), Slots.ProducerIndex(slot, names.Count));
            Assert.Equal(vector.GetProperty("expected_producer").GetString(), schedule.ProducerForSlot(slot).Producer.ToString());
        }
    }

    [Fact]
    public void Each_producer_owns_twelve_consecutive_slots_and_a_round_of_21_is_252_slots()
    {
        const uint roundStart = 252 * 1000;
        var indexes = Enumerable.Range(0, 252).Select(i => Slots.ProducerIndex(roundStart + (uint)i, 21)).ToList();

        Assert.Equal(Enumerable.Range(0, 21).SelectMany(p => Enumerable.Repeat(p, 12)), indexes);
        Assert.Equal(0, Slots.ProducerIndex(roundStart + 252, 21));
    }

    [Fact]
    public void The_simulated_schedule_is_ordered_by_name_value_with_our_producer_included()
    {
        var chain = new TestChain();
        var producers = chain.State.ActiveSchedule.Producers.Select(p => p.Producer).ToList();

        Assert.Equal(21, producers.Count);
        Assert.Equal(producers.OrderBy(p => p.Value), producers);
        Assert.Contains(TestChain.Ours, producers);
    }

    [Fact]
    public void Every_simulated_block_is_produced_by_the_scheduled_producer_in_its_slot_and_links_to_its_parent()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(600);
        var blocks = chain.State.Blocks;

        Assert.Equal(601, blocks.Count);
        for (var i = 1; i < blocks.Count; i++)
        {
            var block = blocks[i];
            Assert.Equal((uint)(i + 1), block.Number);
            Assert.Equal(blocks[i - 1].Id, block.Previous);
            Assert.Equal(blocks[i - 1].Slot + 1, block.Slot);
            Assert.Equal(chain.State.ActiveSchedule.ProducerForSlot(block.Slot).Producer, block.Producer);
            Assert.Equal(BlockTimestamp.FromSlot(block.Slot), block.Timestamp);
        }
    }
}
