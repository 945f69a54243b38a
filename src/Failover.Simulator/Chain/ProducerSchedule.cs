using Failover.Antelope;
using Failover.Antelope.SystemContract;

namespace Failover.Simulator.Chain;

/// <summary>One entry of a producer schedule: who may produce in its 12 slots, and which keys satisfy it.</summary>
public sealed record ScheduledProducer(Name Producer, BlockSigningAuthority Authority)
{
    public static ScheduledProducer WithKey(Name producer, PublicKey key) => new(producer, new BlockSigningAuthority(1, [new KeyWeight(key, 1)]));

    /// <summary>Whether a single node holding <paramref name="key"/> can sign for this producer.</summary>
    public bool IsSatisfiedBy(PublicKey key) =>
        Authority.Keys.Where(k => k.Key.Equals(key)).Sum(k => (long)k.Weight) >= Authority.Threshold;

    public bool SameAs(ScheduledProducer other) =>
        Producer == other.Producer
        && Authority.Threshold == other.Authority.Threshold
        && Authority.Keys.Count == other.Authority.Keys.Count
        && Authority.Keys.Zip(other.Authority.Keys).All(p => p.First.Key.Equals(p.Second.Key) && p.First.Weight == p.Second.Weight);
}

/// <summary>A producer schedule (legacy) or proposer policy (Savanna): producers ordered by name value.</summary>
public sealed record ProducerSchedule(uint Version, IReadOnlyList<ScheduledProducer> Producers)
{
    public const int Repetitions = 12;

    /// <summary>protocol.md §2.2: index = (slot mod (N × 12)) div 12.</summary>
    public static int IndexForSlot(uint slot, int producerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(producerCount, 1);
        return (int)(slot % ((ulong)producerCount * Repetitions) / Repetitions);
    }

    public ScheduledProducer ProducerForSlot(uint slot) => Producers[IndexForSlot(slot, Producers.Count)];

    /// <summary>Same producers and authorities (the version is not compared).</summary>
    public bool SameProducersAs(ProducerSchedule other) =>
        Producers.Count == other.Producers.Count && Producers.Zip(other.Producers).All(p => p.First.SameAs(p.Second));

    /// <summary>The schedule for <paramref name="producers"/>, sorted by name value as the system contract does.</summary>
    public static ProducerSchedule Create(uint version, IEnumerable<ScheduledProducer> producers) =>
        new(version, [.. producers.OrderBy(p => p.Producer.Value)]);
}
