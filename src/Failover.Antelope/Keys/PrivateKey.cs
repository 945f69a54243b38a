using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Failover.Antelope.Keys;
using NBitcoin.Secp256k1;

namespace Failover.Antelope;

/// <summary>
/// A K1 private key, parsed from WIF (checksum verified) or <c>PVT_K1_…</c>. It never shows its secret: parse errors
/// describe the problem without the text, and <see cref="ToString"/> shows only the public key.
/// </summary>
public sealed class PrivateKey
{
    public const int SecretSize = 32;
    private const byte WifVersion = 0x80;
    private const string K1Prefix = "PVT_K1_";

    private readonly ECPrivKey _key;

    private PrivateKey(ECPrivKey key)
    {
        _key = key;
        PublicKey = PublicKey.FromEcPubKey(key.CreatePubKey());
    }

    public PublicKey PublicKey { get; }

    public static PrivateKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var key, out var error) ? key : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PrivateKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "Private key is empty.";
            return false;
        }

        byte[] secret;
        if (text.StartsWith(K1Prefix, StringComparison.Ordinal))
        {
            if (!KeyString.TryDecodeRipemd(text.AsSpan(K1Prefix.Length), "PVT_K1_ private key", SecretSize, true, out secret, out error))
            {
                return false;
            }
        }
        else if (text.Contains('_', StringComparison.Ordinal))
        {
            error = "Private key has a bad prefix: expected 'PVT_K1_' (case sensitive) or a WIF key starting with '5'.";
            return false;
        }
        else
        {
            if (!KeyString.TryDecodeWif(text, "WIF private key", 1 + SecretSize, out var payload, out error))
            {
                return false;
            }

            if (payload[0] != WifVersion)
            {
                error = $"WIF private key has a bad prefix: version byte 0x{payload[0]:x2}, expected 0x80.";
                CryptographicOperations.ZeroMemory(payload);
                return false;
            }

            secret = payload[1..];
            CryptographicOperations.ZeroMemory(payload);
        }

        var valid = ECPrivKey.TryCreate(secret, Context.Instance, out var ecKey);
        CryptographicOperations.ZeroMemory(secret);
        if (!valid || ecKey is null)
        {
            error = "Private key is out of range for secp256k1 (zero or not below the curve order).";
            return false;
        }

        key = new PrivateKey(ecKey);
        return true;
    }

    public static PrivateKey FromSecret(ReadOnlySpan<byte> secret32)
    {
        if (secret32.Length != SecretSize)
        {
            throw new ArgumentException($"A private key is {SecretSize} bytes, got {secret32.Length}.", nameof(secret32));
        }

        return ECPrivKey.TryCreate(secret32, Context.Instance, out var key) && key is not null
            ? new PrivateKey(key)
            : throw new ArgumentException("The secret is out of range for secp256k1 (zero or not below the curve order).", nameof(secret32));
    }

    /// <summary>
    /// Signs a 32-byte digest the way eosjs and @wharfkit/antelope do, so that signatures are byte-identical to theirs:
    /// RFC 6979 nonces with one byte of extra data (the attempt number 1, 2, …), low-S, and retried until canonical.
    /// </summary>
    public Signature SignDigest(ReadOnlySpan<byte> digest32)
    {
        if (digest32.Length != Checksum256.Size)
        {
            throw new ArgumentException($"A digest is {Checksum256.Size} bytes, got {digest32.Length}.", nameof(digest32));
        }

        Span<byte> compact = stackalloc byte[64];
        for (var attempt = 1; attempt <= byte.MaxValue; attempt++)
        {
            if (!_key.TrySignRecoverable(digest32, new AttemptNonceFunction((byte)attempt), out var signature) || signature is null)
            {
                continue;
            }

            signature.WriteToSpanCompact(compact, out var recoveryId);
            var result = Signature.FromCompact(recoveryId, compact);
            if (result.IsCanonical)
            {
                return result;
            }
        }

        throw new CryptographicException("No canonical signature was found in 255 attempts.");
    }

    public string ExportWif()
    {
        Span<byte> payload = stackalloc byte[1 + SecretSize];
        payload[0] = WifVersion;
        _key.WriteToSpan(payload[1..]);
        var wif = KeyString.EncodeWif(payload);
        CryptographicOperations.ZeroMemory(payload);
        return wif;
    }

    public string ExportPvtK1()
    {
        Span<byte> secret = stackalloc byte[SecretSize];
        _key.WriteToSpan(secret);
        var text = KeyString.EncodeRipemd(K1Prefix, secret, withK1Suffix: true);
        CryptographicOperations.ZeroMemory(secret);
        return text;
    }

    public override string ToString() => $"PrivateKey(public {PublicKey})";
}
