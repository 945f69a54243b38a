using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Serialization;

namespace Failover.Antelope.Blocks;

/// <summary>A raw header extension: <c>{uint16 id, bytes data}</c>.</summary>
public sealed record HeaderExtension(ushort Id, byte[] Data)
{
    public const ushort ProducerScheduleChange = 1;
    public const ushort Finality = 2;
}

/// <summary>The pre-WTMSIG <c>new_producers</c> header field: version and one key per producer.</summary>
public sealed record LegacyNewProducers(uint Version, IReadOnlyList<(Name Producer, PublicKey Key)> Producers);

/// <summary>
/// A block header as hashed and signed on chain (protocol.md §5.6). The packed form is
/// <c>timestamp slot | producer | confirmed | previous | transaction_mroot | action_mroot | schedule_version |
/// new_producers optional | header_extensions</c>; <c>producer_signature</c> is not part of it. The id is sha256 of
/// the packed header with the first four bytes replaced by the block number, big-endian.
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

    /// <summary>A Savanna block is signed over its id; a legacy block over the sig_digest.</summary>
    public bool IsSavanna => ScheduleVersion == SavannaScheduleVersion;

    /// <summary>The header as <c>get_block_header_state</c> (or <c>get_block</c>) shows it, parsed for packing.</summary>
    /// <exception cref="FormatException">A name, checksum, key or extension hex in the header is malformed.</exception>
    public static BlockHeader FromWire(BlockHeaderJson header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var newProducers = header.NewProducers is { Producers.Count: > 0 } schedule
            ? new LegacyNewProducers(schedule.Version, [.. schedule.Producers.Select(p => (Name.Parse(p.ProducerName), PublicKey.Parse(p.BlockSigningKey)))])
            : null;
        return new BlockHeader(
            BlockTimestamp.ToSlot(header.Timestamp),
            Name.Parse(header.Producer),
            header.Confirmed,
            Checksum256.Parse(header.Previous),
            Checksum256.Parse(header.TransactionMroot),
            Checksum256.Parse(header.ActionMroot),
            header.ScheduleVersion,
            newProducers,
            [.. header.HeaderExtensions.Select(e => new HeaderExtension(e.Type, Convert.FromHexString(e.Data)))]);
    }

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

    /// <summary>sha256 of the packed header (the legacy sig_digest's <c>header_digest</c>).</summary>
    public Checksum256 Digest() => Checksum256.Hash(Pack());

    public Checksum256 ComputeId() => BlockId.FromDigest(Digest(), BlockNum);

    /// <summary>
    /// Legacy sig_digest (protocol.md §5.6): sha256(sha256(header_digest ‖ blockroot_merkle_root) ‖ pending_schedule_hash),
    /// with the block-root merkle root and pending schedule hash of the block's <c>get_block_header_state</c>.
    /// </summary>
    public Checksum256 LegacySigDigest(Checksum256 blockrootMerkleRoot, Checksum256 pendingScheduleHash)
    {
        var inner = Checksum256.Hash([.. Digest().AsSpan(), .. blockrootMerkleRoot.AsSpan()]);
        return Checksum256.Hash([.. inner.AsSpan(), .. pendingScheduleHash.AsSpan()]);
    }
}
