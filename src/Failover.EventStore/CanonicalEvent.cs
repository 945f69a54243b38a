using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Failover.EventStore;

/// <summary>
/// The hash chain over the global log: <c>hash = SHA-256(previous hash ‖ canonical bytes)</c>, genesis previous hash =
/// 32 zero bytes. The canonical encoding (format 1) is specified in docs/eventstore.md so an auditor can recompute it.
/// </summary>
public static class CanonicalEvent
{
    public const byte FormatVersion = 1;
    public const int HashLength = 32;

    public static ReadOnlyMemory<byte> GenesisHash { get; } = new byte[HashLength];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Recorded-at is hashed and stored in whole microseconds since the Unix epoch, UTC.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromUnixMicroseconds(long microseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(checked(microseconds * 10));

    /// <summary>The format-1 canonical bytes of an event (everything but its hash).</summary>
    public static byte[] Encode(RecordedEvent e)
    {
        var stream = StrictUtf8.GetBytes(e.Stream);
        var type = StrictUtf8.GetBytes(e.Type);
        var observer = e.Metadata.ObserverId is { } o ? StrictUtf8.GetBytes(o) : null;
        var length = 1 + 8 + (4 + stream.Length) + 8 + 16 + (4 + type.Length) + 8
                     + OptionalGuidLength(e.Metadata.CausationId) + OptionalGuidLength(e.Metadata.CorrelationId)
                     + 1 + (observer is null ? 0 : 4 + observer.Length) + (4 + e.Payload.Length);
        var bytes = new byte[length];
        var w = new Writer(bytes);
        w.Byte(FormatVersion);
        w.Int64(e.Position);
        w.Bytes(stream);
        w.Int64(e.Version);
        w.Guid(e.EventId);
        w.Bytes(type);
        w.Int64(ToUnixMicroseconds(e.RecordedAt));
        w.OptionalGuid(e.Metadata.CausationId);
        w.OptionalGuid(e.Metadata.CorrelationId);
        if (observer is null)
        {
            w.Byte(0);
        }
        else
        {
            w.Byte(1);
            w.Bytes(observer);
        }

        w.Bytes(e.Payload.Span);
        return w.Position == length ? bytes : throw new InvalidOperationException("Canonical encoding length mismatch.");
    }

    private static int OptionalGuidLength(Guid? id) => id is null ? 1 : 1 + 16;

    /// <summary>SHA-256 over the previous link's hash followed by the event's canonical bytes.</summary>
    public static byte[] ComputeHash(ReadOnlySpan<byte> previousHash, RecordedEvent e)
    {
        if (previousHash.Length != HashLength)
        {
            throw new ArgumentException($"A previous hash has {HashLength} bytes, not {previousHash.Length}.", nameof(previousHash));
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previousHash);
        sha.AppendData(Encode(e));
        return sha.GetHashAndReset();
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Byte(byte value) => _buffer[Position++] = value;

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64BigEndian(_buffer[Position..], value);
            Position += 8;
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            BinaryPrimitives.WriteInt32BigEndian(_buffer[Position..], value.Length);
            value.CopyTo(_buffer[(Position + 4)..]);
            Position += 4 + value.Length;
        }

        public void Guid(Guid value)
        {
            value.TryWriteBytes(_buffer[Position..], bigEndian: true, out _);
            Position += 16;
        }

        public void OptionalGuid(Guid? value)
        {
            if (value is { } g)
            {
                Byte(1);
                Guid(g);
            }
            else
            {
                Byte(0);
            }
        }
    }
}
