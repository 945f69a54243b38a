using System.Diagnostics.CodeAnalysis;
using Failover.Antelope.Keys;
using NBitcoin.Secp256k1;

namespace Failover.Antelope;

/// <summary>A K1 signature, 65 bytes <c>v ‖ r ‖ s</c> with <c>v = 27 + 4 + recid</c>, written <c>SIG_K1_…</c>.</summary>
public sealed class Signature : IEquatable<Signature>
{
    public const int Size = 65;
    private const string K1Prefix = "SIG_K1_";
    private const byte CompressedHeader = 27 + 4;

    private readonly byte[] _bytes;

    private Signature(byte[] bytes) => _bytes = bytes;

    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>
    /// nodeos's <c>is_canonical</c> (protocol.md §5): r and s each fit a 32-byte DER integer with no sign bit and no
    /// leading zero byte. Stricter than low-S; nodeos rejects other signatures on transactions.
    /// </summary>
    public bool IsCanonical =>
        (_bytes[1] & 0x80) == 0 && !(_bytes[1] == 0 && (_bytes[2] & 0x80) == 0)
        && (_bytes[33] & 0x80) == 0 && !(_bytes[33] == 0 && (_bytes[34] & 0x80) == 0);

    public static Signature Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var signature, out var error) ? signature : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Signature? signature, [NotNullWhen(false)] out string? error)
    {
        signature = null;
        if (string.IsNullOrEmpty(text) || !text.StartsWith(K1Prefix, StringComparison.Ordinal))
        {
            error = "Signature has a bad prefix: expected 'SIG_K1_' (only K1 signatures are supported).";
            return false;
        }

        if (!KeyString.TryDecodeRipemd(text.AsSpan(K1Prefix.Length), "Signature", Size, true, out var bytes, out error))
        {
            return false;
        }

        if (!TryRecoveryId(bytes[0], out _))
        {
            error = $"Signature has recovery byte {bytes[0]}; expected 27 to 34.";
            return false;
        }

        signature = new Signature(bytes);
        return true;
    }

    /// <summary>Builds a signature from its 65 bytes <c>v ‖ r ‖ s</c> (as in the binary form after the key-type byte).</summary>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes65)
    {
        if (bytes65.Length != Size)
        {
            throw new ArgumentException($"A K1 signature is {Size} bytes, got {bytes65.Length}.", nameof(bytes65));
        }

        return TryRecoveryId(bytes65[0], out _)
            ? new Signature(bytes65.ToArray())
            : throw new ArgumentException($"Signature has recovery byte {bytes65[0]}; expected 27 to 34.", nameof(bytes65));
    }

    internal static Signature FromCompact(int recoveryId, ReadOnlySpan<byte> compact64) =>
        new([(byte)(CompressedHeader + recoveryId), .. compact64]);

    public PublicKey RecoverPublicKey(ReadOnlySpan<byte> digest32) =>
        TryRecoverPublicKey(digest32, out var key)
            ? key
            : throw new FormatException("Signature does not recover to a public key for this digest.");

    public bool TryRecoverPublicKey(ReadOnlySpan<byte> digest32, [NotNullWhen(true)] out PublicKey? key)
    {
        key = null;
        if (digest32.Length != Checksum256.Size)
        {
            throw new ArgumentException($"A digest is {Checksum256.Size} bytes, got {digest32.Length}.", nameof(digest32));
        }

        TryRecoveryId(_bytes[0], out var recoveryId);
        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(_bytes.AsSpan(1), recoveryId, out var recoverable)
            || !ECPubKey.TryRecover(Context.Instance, recoverable, digest32, out var recovered))
        {
            return false;
        }

        key = PublicKey.FromEcPubKey(recovered);
        return true;
    }

    /// <summary>True when the signature recovers to <paramref name="key"/>, which is how nodeos checks signatures.</summary>
    public bool Verify(ReadOnlySpan<byte> digest32, PublicKey key) =>
        TryRecoverPublicKey(digest32, out var recovered) && recovered.Equals(key);

    public override string ToString() => KeyString.EncodeRipemd(K1Prefix, _bytes, withK1Suffix: true);

    public bool Equals(Signature? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as Signature);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 1);

    public static bool operator ==(Signature? left, Signature? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Signature? left, Signature? right) => !(left == right);

    private static bool TryRecoveryId(byte header, out int recoveryId)
    {
        recoveryId = (header - 27) & 3;
        return header is >= 27 and < 35;
    }
}
