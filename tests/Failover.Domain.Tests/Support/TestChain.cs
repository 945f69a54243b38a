using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;
using Failover.Domain.Chain;
using Failover.Domain.Events;

namespace Failover.Domain.Tests.Support;

/// <summary>
/// A producer schedule as the tests write it: names in ascending name-value order (the system contract's order,
/// protocol.md §2.2), each with a key derived from a seed. <see cref="ProducerAt"/> is §2.2's formula written out here,
/// independently of the code under test.
/// </summary>
internal sealed record TestSchedule(uint Version, IReadOnlyList<string> Producers, IReadOnlyDictionary<string, string> KeySeeds)
{
    public static TestSchedule Of(uint version, params string[] producers) =>
        new(version, producers, producers.ToDictionary(p => p, p => p));

    public int Count => Producers.Count;

    /// <summary>protocol.md §2.2: producers[(slot mod (N × 12)) div 12].</summary>
    public string ProducerAt(uint slot) => Producers[(int)(slot % (ulong)(Count * 12) / 12)];

    /// <summary>The same producers, one of them signing with another key.</summary>
    public TestSchedule WithKey(uint version, string producer, string seed) =>
        this with { Version = version, KeySeeds = KeySeeds.ToDictionary(k => k.Key, k => k.Key == producer ? seed : k.Value) };

    public PublicKey KeyOf(string producer) => TestKeys.Derive(KeySeeds[producer]);

    public ProducerSchedule ToSchedule() =>
        new(Version, [.. Producers.Select(p => ScheduledProducer.WithKey(Name.Parse(p), KeyOf(p)))]);

    public IReadOnlyList<ScheduleEntry> Entries() =>
        [.. Producers.Select(p => new ScheduleEntry(p, 1, [new ScheduleKey(KeyOf(p).ToString(), 1)]))];
}

internal static class TestKeys
{
    private static readonly ConcurrentDictionary<string, PublicKey> Cache = new(StringComparer.Ordinal);

    /// <summary>The public key of the private key sha256("failover-domain-test/" + seed).</summary>
    public static PublicKey Derive(string seed) =>
        Cache.GetOrAdd(seed, s => PrivateKey.FromSecret(SHA256.HashData(Encoding.UTF8.GetBytes("failover-domain-test/" + s))).PublicKey);
}

/// <summary>Blocks, branches and the events protocol.md §2.3 says they record, built by hand.</summary>
internal static class TestChain
{
    public const string ChainId = "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906";
    public const uint Savanna = BlockHeader.SavannaScheduleVersion;

    /// <summary>A round start for 4, 5 and 6 producers alike (a multiple of 240 and 72) near today's slots.</summary>
    public const uint S0 = 1_565_940_960;

    public static readonly DateTimeOffset ObservedAt = new(2024, 10, 23, 3, 48, 0, TimeSpan.Zero);

    /// <summary>A fake but well-formed id: the block number big-endian in the first 4 bytes (protocol.md §4.2), then a hash of the branch tag.</summary>
    public static string Id(string tag, uint number) =>
        number.ToString("x8") + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tag}/{number}")))[..56];

    public static ObservedBlock Block(uint number, string previous, uint slot, string producer, uint headerVersion, string tag = "main", string? signingKey = null) =>
        new(number, Id(tag, number), previous, Name.Parse(producer), BlockTimestamp.FromSlot(slot), headerVersion, signingKey);

    /// <summary>
    /// Consecutive blocks from <paramref name="firstNumber"/> in <paramref name="slots"/>, linked from
    /// <paramref name="previous"/>, each produced by the producer <paramref name="schedule"/> gives its slot.
    /// </summary>
    public static List<ObservedBlock> Branch(string tag, uint firstNumber, string previous, TestSchedule schedule, uint headerVersion, params uint[] slots)
    {
        var blocks = new List<ObservedBlock>();
        foreach (var slot in slots)
        {
            var block = Block(firstNumber + (uint)blocks.Count, blocks.Count == 0 ? previous : blocks[^1].Id, slot, schedule.ProducerAt(slot), headerVersion, tag);
            blocks.Add(block);
        }

        return blocks;
    }

    public static ChainObservation Observe(IEnumerable<ObservedBlock> branch, ProducerSchedule active, ProducerSchedule? pending = null, DateTimeOffset? at = null, string chainId = ChainId) =>
        new(chainId, [.. branch], new ScheduleReport(active, pending), at ?? ObservedAt);

    public static BlockProduced Produced(ObservedBlock block, uint version, DateTimeOffset? at = null) => new(
        ChainId, block.Number, block.Id, block.Previous, block.Producer.ToString(), BlockTimestamp.FromSlot(block.Slot), block.Slot, version, at ?? ObservedAt, block.SigningKey);

    public static BlockMissed Missed(uint slot, string producer, uint version, ObservedBlock revealedBy, DateTimeOffset? at = null) => new(
        ChainId, slot, BlockTimestamp.FromSlot(slot), producer, version, revealedBy.Number, revealedBy.Id, at ?? ObservedAt);

    public static ProducerScheduleChanged ScheduleChanged(TestSchedule schedule, uint fromBlock, uint fromSlot, DateTimeOffset? at = null) => new(
        ChainId, schedule.Version, schedule.Entries(), fromBlock, fromSlot, at ?? ObservedAt);

    /// <summary>
    /// protocol.md §2.3 by hand: for each block after <paramref name="parentSlot"/>, every empty slot since the block
    /// before it, charged to the producer <paramref name="schedule"/> gives that slot; then the block.
    /// </summary>
    public static List<IChainEvent> Extension(uint parentSlot, IEnumerable<ObservedBlock> blocks, TestSchedule schedule, DateTimeOffset? at = null)
    {
        var events = new List<IChainEvent>();
        var previousSlot = parentSlot;
        foreach (var block in blocks)
        {
            for (var slot = previousSlot + 1; slot < block.Slot; slot++)
            {
                events.Add(Missed(slot, schedule.ProducerAt(slot), schedule.Version, block, at));
            }

            events.Add(Produced(block, schedule.Version, at));
            previousSlot = block.Slot;
        }

        return events;
    }

    /// <summary>What a first observation of <paramref name="blocks"/> records: the schedule from the first block, then the blocks and the gaps between them.</summary>
    public static List<IChainEvent> FirstRecording(IReadOnlyList<ObservedBlock> blocks, TestSchedule schedule, DateTimeOffset? at = null) =>
    [
        ScheduleChanged(schedule, blocks[0].Number, blocks[0].Slot, at),
        Produced(blocks[0], schedule.Version, at),
        .. Extension(blocks[0].Slot, blocks.Skip(1), schedule, at),
    ];

    public static ObservedChain Fold(IEnumerable<IChainEvent> events) => events.Aggregate(ObservedChain.Empty, (chain, e) => chain.Apply(e));

    /// <summary>Slots from <paramref name="first"/> to <paramref name="last"/> inclusive.</summary>
    public static uint[] SlotRange(uint first, uint last) => [.. Enumerable.Range(0, (int)(last - first + 1)).Select(i => first + (uint)i)];
}
