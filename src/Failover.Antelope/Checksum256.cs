using System.Security.Cryptography;

namespace Failover.Antelope;

/// <summary>A 32-byte value shown as 64 lower-case hex digits: block ids, transaction ids, digests, chain ids.</summary>
public readonly record struct Checksum256
{
    public const int Size = 32;

    private readonly byte[]? _bytes;

    private Checksum256(byte[] bytes) => _bytes = bytes;

    public static Checksum256 Zero => new(new byte[Size]);

    public static Checksum256 Parse(string hex64)
    {
        ArgumentNullException.ThrowIfNull(hex64);
        return TryParse(hex64, out var value, out var error) ? value : throw new FormatException(error);
    }

    public static bool TryParse(string? hex64, out Checksum256 value, out string? error)
    {
        value = default;
        error = null;
        if (hex64 is null || hex64.Length != Size * 2)
        {
            error = $"Expected 64 hex digits, got {hex64?.Length ?? 0} characters.";
            return false;
        }

        if (!Hex.TryDecode(hex64, out var bytes))
        {
            error = "Expected 64 hex digits, found a character that is not a hex digit.";
            return false;
        }

        value = new Checksum256(bytes);
        return true;
    }

    public static Checksum256 FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A checksum256 is {Size} bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new Checksum256(bytes.ToArray());
    }

    public static Checksum256 Hash(ReadOnlySpan<byte> data) => new(SHA256.HashData(data));

    public ReadOnlySpan<byte> AsSpan() => _bytes ?? new byte[Size];

    public byte[] ToArray() => AsSpan().ToArray();

    public bool Equals(Checksum256 other) => AsSpan().SequenceEqual(other.AsSpan());

    public override int GetHashCode() => BitConverter.ToInt32(AsSpan());

    public override string ToString() => Convert.ToHexStringLower(AsSpan());
}
