using System.Buffers.Binary;

namespace Failover.Antelope;

/// <summary>Block id arithmetic (protocol.md §4.2): the id is a header digest whose first 4 bytes hold the block number.</summary>
public static class BlockId
{
    public static uint BlockNum(Checksum256 id) => BinaryPrimitives.ReadUInt32BigEndian(id.AsSpan());

    public static ushort RefBlockNum(Checksum256 id) => (ushort)(BlockNum(id) & 0xFFFF);

    public static uint RefBlockPrefix(Checksum256 id) => BinaryPrimitives.ReadUInt32LittleEndian(id.AsSpan()[8..12]);

    public static Checksum256 FromDigest(Checksum256 headerDigest, uint blockNum)
    {
        var bytes = headerDigest.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes, blockNum);
        return Checksum256.FromBytes(bytes);
    }
}
