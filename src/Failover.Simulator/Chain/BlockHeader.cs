using Failover.Antelope;
using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;

namespace Failover.Simulator.Chain;

/// <summary>A raw header extension: <c>{uint16 id, bytes data}</c>.</summary>
public sealed record HeaderExtension(ushort Id, byte[] Data)
{
    public const ushort ProducerScheduleChange = 1;
    public const ushort Finality = 2;
}

/// <summary>The pre-WTMSIG <c>new_producers</c> header field: version and one key per producer.</summary>
public sealed record LegacyNewProducers(uint Version, IReadOnlyList<(Name Producer, PublicKey Key)> Producers);

/// <summary>
/// A block header as hashed on chain (protocol.md §5.6): the id is sha256 of the packed header with the first
/// four bytes replaced by the block number, big-endian. <c>producer_signature</c> is not part of it.
/// </summary>
public sealed record BlockHeader(
    uint Slot,
    Name Producer,
    ushort Confirmed,
    Checksum256 Previous,
    Checksum256 TransactionMroot,
    Checksum256 ActionMroot,
    uint ScheduleVersion,
    LegacyNewProducers? NewProducers,
    IReadOnlyList<HeaderExtension> Extensions)
{
    /// <summary>The constant <c>schedule_version</c> of a proper Savanna block (protocol.md §2.6).</summary>
    public const uint SavannaScheduleVersion = 1u << 31;

    public uint BlockNum => BlockId.BlockNum(Previous) + 1;

    public byte[] Pack()
    {
        var writer = new AbiWriter();
        writer.WriteUInt32(Slot);
        writer.WriteName(Producer);
        writer.WriteUInt16(Confirmed);
        writer.WriteChecksum256(Previous);
        writer.WriteChecksum256(TransactionMroot);
        writer.WriteChecksum256(ActionMroot);
        writer.WriteUInt32(ScheduleVersion);
        writer.WriteOptional(NewProducers, static (w, p) =>
        {
            w.WriteUInt32(p.Version);
            w.WriteVector(p.Producers, static (w2, entry) =>
            {
                w2.WriteName(entry.Producer);
                w2.WritePublicKey(entry.Key);
            });
        });
        writer.WriteVector(Extensions, static (w, e) =>
        {
            w.WriteUInt16(e.Id);
            w.WriteBytes(e.Data);
        });
        return writer.ToArray();
    }

    public Checksum256 Digest() => Checksum256.Hash(Pack());

    public Checksum256 ComputeId() => BlockId.FromDigest(Digest(), BlockNum);

    /// <summary>Header extension 1 (post-WTMSIG legacy schedule change): a <c>producer_authority_schedule</c>.</summary>
    public static HeaderExtension ScheduleChangeExtension(ProducerSchedule schedule)
    {
        var writer = new AbiWriter();
        WriteSchedule(writer, schedule);
        return new HeaderExtension(HeaderExtension.ProducerScheduleChange, writer.ToArray());
    }

    /// <summary>
    /// Header extension 2 (Savanna): <c>qc_claim{block_num, is_strong_qc}</c>, no finalizer policy diff, and the
    /// proposer policy diff when a schedule was proposed (encoded as remove-all/insert-all).
    /// </summary>
    public static HeaderExtension FinalityExtension(FinalityExtension finality)
    {
        var writer = new AbiWriter();
        writer.WriteUInt32(finality.QcClaimBlockNum);
        writer.WriteBool(finality.IsStrongQc);
        writer.WriteUInt8(0);
        writer.WriteOptional(finality.NewProposerPolicy, static (w, diff) =>
        {
            w.WriteUInt32(diff.Version);
            w.WriteUInt32(diff.ProposalSlot);
            w.WriteVector(diff.RemovedIndexes, static (w2, index) => w2.WriteUInt16(index));
            w.WriteVector(Enumerable.Range(0, diff.Schedule.Producers.Count).ToList(), (w2, index) =>
            {
                w2.WriteUInt16((ushort)index);
                WriteProducerAuthority(w2, diff.Schedule.Producers[index]);
            });
        });
        return new HeaderExtension(HeaderExtension.Finality, writer.ToArray());
    }

    public static byte[] PackSchedule(ProducerSchedule schedule)
    {
        var writer = new AbiWriter();
        WriteSchedule(writer, schedule);
        return writer.ToArray();
    }

    private static void WriteSchedule(AbiWriter writer, ProducerSchedule schedule)
    {
        writer.WriteUInt32(schedule.Version);
        writer.WriteVector(schedule.Producers, WriteProducerAuthority);
    }

    private static void WriteProducerAuthority(AbiWriter writer, ScheduledProducer producer)
    {
        writer.WriteName(producer.Producer);
        writer.WriteVarUInt32(0);
        writer.WriteUInt32(producer.Authority.Threshold);
        writer.WriteVector(producer.Authority.Keys, static (w, key) =>
        {
            w.WritePublicKey(key.Key);
            w.WriteUInt16(key.Weight);
        });
    }
}
