using Failover.Antelope.Chain.Wire;
using Failover.Antelope.SystemContract;

namespace Failover.Antelope.Scheduling;

/// <summary>One entry of a producer schedule: who produces in its window, and which keys may sign for it.</summary>
public sealed record ScheduledProducer(Name Producer, BlockSigningAuthority Authority)
{
    public static ScheduledProducer WithKey(Name producer, PublicKey key) =>
        new(producer, new BlockSigningAuthority(1, [new KeyWeight(key, 1)]));

    /// <summary>Whether signatures by <paramref name="keys"/> reach the authority's threshold (each key counted once).</summary>
    public bool IsSatisfiedBy(IEnumerable<PublicKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var held = keys.ToHashSet();
        return Authority.Keys.Where(k => held.Contains(k.Key)).Sum(k => (long)k.Weight) >= Authority.Threshold;
    }

    /// <summary>Whether one node holding <paramref name="key"/> alone can sign for this producer.</summary>
    public bool IsSatisfiedBy(PublicKey key) => IsSatisfiedBy([key]);

    /// <summary>Same producer, threshold and keys with weights, in order.</summary>
    public bool SameAs(ScheduledProducer other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Producer == other.Producer && Authority.Equals(other.Authority);
    }
}

/// <summary>
/// A producer schedule (legacy DPoS) or proposer policy (Savanna): the producers in ascending name-value order, as the
/// system contract sorts them, and the version the chain gave it.
/// </summary>
public sealed record ProducerSchedule
{
    public ProducerSchedule(uint version, IReadOnlyList<ScheduledProducer> producers)
    {
        ArgumentNullException.ThrowIfNull(producers);
        if (producers.Count == 0)
        {
            throw new ArgumentException("A producer schedule needs at least one producer.", nameof(producers));
        }

        Version = version;
        Producers = producers;
    }

    public uint Version { get; }

    public IReadOnlyList<ScheduledProducer> Producers { get; }

    /// <summary>Slots in one round of this schedule (N × 12).</summary>
    public ulong RoundLength => Slots.RoundLength(Producers.Count);

    /// <summary>The entry producing at <paramref name="slot"/> (protocol.md §2.2).</summary>
    public ScheduledProducer ProducerForSlot(uint slot) => Producers[Slots.ProducerIndex(slot, Producers.Count)];

    /// <summary>The entry of <paramref name="producer"/>, or null when it is not scheduled.</summary>
    public ScheduledProducer? Find(Name producer) => Producers.FirstOrDefault(p => p.Producer == producer);

    public bool Contains(Name producer) => Find(producer) is not null;

    /// <summary>Same producers in the same order (keys may differ): slots are attributed identically.</summary>
    public bool SameOrderAs(ProducerSchedule other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Producers.Count == other.Producers.Count && Producers.Zip(other.Producers).All(p => p.First.Producer == p.Second.Producer);
    }

    /// <summary>Same producers and authorities (the version is not compared).</summary>
    public bool SameProducersAs(ProducerSchedule other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Producers.Count == other.Producers.Count && Producers.Zip(other.Producers).All(p => p.First.SameAs(p.Second));
    }

    /// <summary>The schedule of <paramref name="producers"/>, sorted by name value as the system contract does.</summary>
    public static ProducerSchedule Create(uint version, IEnumerable<ScheduledProducer> producers) =>
        new(version, [.. producers.OrderBy(p => p.Producer.Value)]);

    /// <summary>
    /// The typed schedule of a <c>get_producer_schedule</c> record. Throws <see cref="FormatException"/> when a name,
    /// key or the order is not what nodeos would serve.
    /// </summary>
    public static ProducerSchedule FromWire(ProducerScheduleJson wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        if (wire.Producers is null || wire.Producers.Count == 0)
        {
            throw new FormatException($"Producer schedule v{wire.Version} lists no producers.");
        }

        var producers = wire.Producers.Select(p => new ScheduledProducer(
            Name.Parse(p.ProducerName),
            new BlockSigningAuthority(p.Authority.Threshold, [.. p.Authority.Keys.Select(k => new KeyWeight(PublicKey.Parse(k.Key), k.Weight))])))
            .ToList();
        for (var i = 1; i < producers.Count; i++)
        {
            if (producers[i - 1].Producer.Value >= producers[i].Producer.Value)
            {
                throw new FormatException(
                    $"Producer schedule v{wire.Version} is not in ascending name order at {producers[i - 1].Producer}, {producers[i].Producer}.");
            }
        }

        return new ProducerSchedule(wire.Version, producers);
    }

    /// <summary>The wire record nodeos serves for this schedule (keys in legacy <c>EOS…</c> form, as nodeos writes K1 keys).</summary>
    public ProducerScheduleJson ToWire() => new(Version, [.. Producers.Select(p => new ProducerAuthority(
        p.Producer.ToString(),
        new SigningAuthority(p.Authority.Threshold, [.. p.Authority.Keys.Select(k => new AuthorityKey(k.Key.ToLegacyString(), k.Weight))])))]);
}
