using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace Failover.Antelope.Keys;

/// <summary>
/// The checksummed base58 forms of keys and signatures (protocol.md §5): <c>payload ‖ checksum[4]</c>, where the
/// checksum is RIPEMD-160 over the payload (legacy <c>EOS</c>) or over <c>payload ‖ "K1"</c> (<c>PUB_K1_</c>,
/// <c>PVT_K1_</c>, <c>SIG_K1_</c>), or double SHA-256 for WIF. Error messages name the kind of string and what is wrong,
/// never the string itself.
/// </summary>
internal static class KeyString
{
    private const int ChecksumSize = 4;
    private static readonly byte[] K1Suffix = "K1"u8.ToArray();

    public static string EncodeRipemd(string prefix, ReadOnlySpan<byte> payload, bool withK1Suffix) =>
        prefix + Base58.Encode([.. payload, .. RipemdChecksum(payload, withK1Suffix)]);

    public static string EncodeWif(ReadOnlySpan<byte> payload) =>
        Base58.Encode([.. payload, .. DoubleSha256(payload).AsSpan(0, ChecksumSize)]);

    /// <summary>Decodes base58, checks the payload length and then the RIPEMD-160 checksum.</summary>
    public static bool TryDecodeRipemd(
        ReadOnlySpan<char> body, string what, int payloadSize, bool withK1Suffix, out byte[] payload, [NotNullWhen(false)] out string? error)
    {
        if (!TryDecodeWithLength(body, what, payloadSize, out payload, out var checksum, out error))
        {
            return false;
        }

        if (!checksum.AsSpan().SequenceEqual(RipemdChecksum(payload, withK1Suffix)))
        {
            error = $"{what} has a bad checksum (a character is mistyped or missing).";
            payload = [];
            return false;
        }

        return true;
    }

    /// <summary>WIF: double SHA-256 checksum; a single SHA-256 checksum is also accepted, as nodeos's fc parser does.</summary>
    public static bool TryDecodeWif(ReadOnlySpan<char> body, string what, int payloadSize, out byte[] payload, [NotNullWhen(false)] out string? error)
    {
        if (!TryDecodeWithLength(body, what, payloadSize, out payload, out var checksum, out error))
        {
            return false;
        }

        var doubleSha = DoubleSha256(payload).AsSpan(0, ChecksumSize);
        var singleSha = SHA256.HashData(payload).AsSpan(0, ChecksumSize);
        if (!checksum.AsSpan().SequenceEqual(doubleSha) && !checksum.AsSpan().SequenceEqual(singleSha))
        {
            error = $"{what} has a bad checksum (a character is mistyped or missing).";
            CryptographicOperations.ZeroMemory(payload);
            payload = [];
            return false;
        }

        return true;
    }

    private static bool TryDecodeWithLength(
        ReadOnlySpan<char> body, string what, int payloadSize, out byte[] payload, out byte[] checksum, [NotNullWhen(false)] out string? error)
    {
        payload = [];
        checksum = [];
        if (!Base58.TryDecode(body, out var data, out var badPosition))
        {
            error = $"{what} is not valid base58: the character at position {badPosition + 1} of the encoded part is not in the base58 alphabet.";
            return false;
        }

        if (data.Length != payloadSize + ChecksumSize)
        {
            error = $"{what} has the wrong length: it decodes to {data.Length} bytes, expected {payloadSize + ChecksumSize} ({payloadSize} + 4-byte checksum).";
            CryptographicOperations.ZeroMemory(data);
            return false;
        }

        payload = data[..payloadSize];
        checksum = data[payloadSize..];
        CryptographicOperations.ZeroMemory(data);
        error = null;
        return true;
    }

    internal static byte[] RipemdChecksum(ReadOnlySpan<byte> payload, bool withK1Suffix)
    {
        var digest = new RipeMD160Digest();
        digest.BlockUpdate(payload);
        if (withK1Suffix)
        {
            digest.BlockUpdate(K1Suffix);
        }

        var hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash, 0);
        return hash[..ChecksumSize];
    }

    private static byte[] DoubleSha256(ReadOnlySpan<byte> data) => SHA256.HashData(SHA256.HashData(data));
}
