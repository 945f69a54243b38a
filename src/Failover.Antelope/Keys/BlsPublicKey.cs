using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using Failover.Antelope.Keys;

namespace Failover.Antelope;

/// <summary>
/// A Savanna finalizer (BLS12-381) public key in Spring's text form (protocol.md §3.5): <c>PUB_BLS_</c> + unpadded
/// base64url of the 96-byte affine G1 point and the first 4 bytes of its RIPEMD-160. Only the form and the checksum are
/// checked (not that the bytes are a curve point), which is what catches a mistyped or truncated key.
/// </summary>
public static class BlsPublicKey
{
    public const string Prefix = "PUB_BLS_";
    private const int PointSize = 96;

    public static bool IsValid(string? text) => Validate(text) is null;

    /// <summary>
    /// The 96 bytes of the key (what the system contract stores as <c>finalizer_key_binary</c>), when
    /// <paramref name="text"/> is a valid key; two texts are one key when their points are equal.
    /// </summary>
    public static bool TryDecode([NotNullWhen(true)] string? text, [NotNullWhen(true)] out byte[]? point)
    {
        point = null;
        if (Validate(text) is not null)
        {
            return false;
        }

        var body = text.AsSpan(Prefix.Length);
        var bytes = new byte[Base64Url.GetMaxDecodedLength(body.Length)];
        Base64Url.DecodeFromChars(body, bytes, out _, out _);
        point = bytes[..PointSize];
        return true;
    }

    /// <summary>Whether two texts name the same key: their points when both decode, else the texts themselves.</summary>
    public static bool SameKey(string? a, string? b) =>
        TryDecode(a, out var left) && TryDecode(b, out var right) ? left.AsSpan().SequenceEqual(right) : a is not null && string.Equals(a, b, StringComparison.Ordinal);

    /// <summary>Why <paramref name="text"/> is not a BLS public key, or null when it is one.</summary>
    public static string? Validate([NotNullWhen(false)] string? text)
    {
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return $"a BLS public key starts with {Prefix}";
        }

        var body = text.AsSpan(Prefix.Length);
        var bytes = new byte[Base64Url.GetMaxDecodedLength(body.Length)];
        if (!Base64Url.IsValid(body) || Base64Url.DecodeFromChars(body, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return "its body is not unpadded base64url";
        }

        if (written != PointSize + 4)
        {
            return $"it holds {written} bytes, expected {PointSize} and a 4-byte checksum";
        }

        return KeyString.RipemdChecksum(bytes.AsSpan(0, PointSize), withK1Suffix: false).AsSpan(0, 4).SequenceEqual(bytes.AsSpan(PointSize, 4))
            ? null
            : "its checksum does not match (a mistyped or truncated key)";
    }
}
