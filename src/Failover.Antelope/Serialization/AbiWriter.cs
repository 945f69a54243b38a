using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Failover.Antelope.Serialization;

/// <summary>Antelope binary serialization (little-endian integers, varuint32 lengths), as nodeos's fc::raw packs.</summary>
public sealed class AbiWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public int Length => _buffer.WrittenCount;

    public void WriteUInt8(byte value) => WriteRaw([value]);

    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(sizeof(ushort)), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(sizeof(uint)), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(sizeof(ulong)), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(sizeof(long)), value);

    public void WriteVarUInt32(uint value)
    {
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            WriteUInt8(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }

    public void WriteName(Name name) => WriteUInt64(name.Value);

    /// <summary>Key type 0 (K1) followed by the 33 compressed bytes.</summary>
    public void WritePublicKey(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        WriteVarUInt32(0);
        WriteRaw(key.Compressed.Span);
    }

    /// <summary>Signature type 0 (K1) followed by the 65 bytes <c>v ‖ r ‖ s</c>.</summary>
    public void WriteSignature(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        WriteVarUInt32(0);
        WriteRaw(signature.Bytes.Span);
    }

    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteBytes(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Length-prefixed bytes (ABI <c>bytes</c>).</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt32((uint)value.Length);
        WriteRaw(value);
    }

    public void WriteRaw(ReadOnlySpan<byte> value) => _buffer.Write(value);

    public void WriteChecksum256(Checksum256 value) => WriteRaw(value.AsSpan());

    /// <summary>ABI <c>time_point_sec</c>: whole seconds since 1970 as uint32.</summary>
    public void WriteTimePointSec(DateTimeOffset value)
    {
        var ms = value.ToUnixTimeMilliseconds();
        if (ms % 1000 != 0 || ms < 0 || ms / 1000 > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A time_point_sec is a whole number of seconds between 1970 and 2106.");
        }

        WriteUInt32((uint)(ms / 1000));
    }

    public void WriteVector<T>(IReadOnlyCollection<T> items, Action<AbiWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(write);
        WriteVarUInt32((uint)items.Count);
        foreach (var item in items)
        {
            write(this, item);
        }
    }

    /// <summary>ABI <c>T?</c>: a presence byte, then the value when present.</summary>
    public void WriteOptional<T>(T? value, Action<AbiWriter, T> write)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteBool(value is not null);
        if (value is not null)
        {
            write(this, value);
        }
    }

    /// <summary>ABI variant: the varuint32 index of the alternative, then its value.</summary>
    public void WriteVariant(uint index, Action<AbiWriter> writeValue)
    {
        ArgumentNullException.ThrowIfNull(writeValue);
        WriteVarUInt32(index);
        writeValue(this);
    }

    /// <summary>ABI binary extension (<c>T$</c>): written only when present, and only as a trailing field.</summary>
    public void WriteBinaryExtension<T>(T? value, Action<AbiWriter, T> write)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(write);
        if (value is not null)
        {
            write(this, value);
        }
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private Span<byte> Reserve(int size)
    {
        var span = _buffer.GetSpan(size)[..size];
        _buffer.Advance(size);
        return span;
    }
}
