using System.Buffers.Binary;
using System.Text;

namespace Failover.Antelope.Serialization;

/// <summary>Reads what <see cref="AbiWriter"/> writes; any malformed input throws <see cref="AbiDecodeException"/>.</summary>
public sealed class AbiReader(ReadOnlyMemory<byte> data)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public int Position { get; private set; }

    public bool AtEnd => Position == data.Length;

    public int Remaining => data.Length - Position;

    public byte ReadUInt8() => Take(1, "uint8")[0];

    public bool ReadBool()
    {
        var start = Position;
        return ReadUInt8() switch
        {
            0 => false,
            1 => true,
            var other => throw new AbiDecodeException(start, $"expected a bool (0 or 1), found {other}."),
        };
    }

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(sizeof(ushort), "uint16"));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint), "uint32"));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong), "uint64"));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long), "int64"));

    public uint ReadVarUInt32()
    {
        var start = Position;
        ulong value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1, "varuint32")[0];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value <= uint.MaxValue
                    ? (uint)value
                    : throw new AbiDecodeException(start, "varuint32 is larger than 2^32 - 1.");
            }
        }

        throw new AbiDecodeException(start, "varuint32 is longer than 5 bytes.");
    }

    public Name ReadName() => Name.FromValue(ReadUInt64());

    public PublicKey ReadPublicKey() =>
        ReadK1("public key", PublicKey.CompressedSize, static bytes => PublicKey.FromCompressed(bytes));

    public Signature ReadSignature() =>
        ReadK1("signature", Signature.Size, static bytes => Signature.FromBytes(bytes));

    public string ReadString()
    {
        var start = Position;
        var bytes = ReadBytes();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new AbiDecodeException(start, "string is not valid UTF-8.");
        }
    }

    public byte[] ReadBytes()
    {
        var start = Position;
        var length = ReadVarUInt32();
        if (length > Remaining)
        {
            throw new AbiDecodeException(start, $"length {length} runs past the end of the data ({Remaining} bytes left).");
        }

        return Take((int)length, "bytes").ToArray();
    }

    public byte[] ReadRaw(int count) => Take(count, $"{count} bytes").ToArray();

    public Checksum256 ReadChecksum256() => Checksum256.FromBytes(Take(Checksum256.Size, "a checksum256"));

    public DateTimeOffset ReadTimePointSec() => DateTimeOffset.FromUnixTimeSeconds(ReadUInt32());

    public IReadOnlyList<T> ReadVector<T>(Func<AbiReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var start = Position;
        var count = ReadVarUInt32();
        if (count > Remaining)
        {
            throw new AbiDecodeException(start, $"vector of {count} items cannot fit in the {Remaining} bytes left.");
        }

        var items = new List<T>((int)count);
        for (var i = 0; i < count; i++)
        {
            items.Add(read(this));
        }

        return items;
    }

    public T? ReadOptional<T>(Func<AbiReader, T> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        return ReadBool() ? read(this) : null;
    }

    /// <summary>Reads a variant index and checks it names one of <paramref name="alternatives"/> alternatives.</summary>
    public uint ReadVariantIndex(uint alternatives, string variantName)
    {
        var start = Position;
        var index = ReadVarUInt32();
        return index < alternatives
            ? index
            : throw new AbiDecodeException(start, $"{variantName} variant index {index} is unknown (expected below {alternatives}).");
    }

    /// <summary>ABI binary extension (<c>T$</c>): absent when the data has ended.</summary>
    public T? ReadBinaryExtension<T>(Func<AbiReader, T> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        return AtEnd ? null : read(this);
    }

    /// <summary>Throws unless every byte has been read; decoders call this so trailing garbage is an error.</summary>
    public void EnsureAtEnd(string what)
    {
        if (!AtEnd)
        {
            throw new AbiDecodeException(Position, $"{Remaining} unexpected trailing bytes after {what}.");
        }
    }

    /// <summary>A key-type varuint (only 0, K1, is supported) followed by <paramref name="size"/> bytes.</summary>
    private T ReadK1<T>(string what, int size, Func<byte[], T> create)
    {
        var start = Position;
        var type = ReadVarUInt32();
        if (type != 0)
        {
            throw new AbiDecodeException(start, $"{what} type {type} is not supported (only 0, K1).");
        }

        var bytes = Take(size, $"a {size}-byte {what}").ToArray();
        try
        {
            return create(bytes);
        }
        catch (ArgumentException e)
        {
            throw new AbiDecodeException(start, $"{what} is invalid: {e.Message}");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string expected)
    {
        if (count > Remaining)
        {
            throw new AbiDecodeException(Position, $"expected {expected} but only {Remaining} bytes are left.");
        }

        var span = data.Span.Slice(Position, count);
        Position += count;
        return span;
    }
}
