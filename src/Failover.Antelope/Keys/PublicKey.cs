using System.Diagnostics.CodeAnalysis;
using Failover.Antelope.Keys;
using NBitcoin.Secp256k1;

namespace Failover.Antelope;

/// <summary>A K1 (secp256k1) public key: 33 compressed bytes, written as <c>PUB_K1_…</c> or legacy <c>EOS…</c>.</summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    public const int CompressedSize = 33;
    private const string LegacyPrefix = "EOS";
    private const string K1Prefix = "PUB_K1_";

    private readonly byte[] _compressed;

    private string? _text;

    private PublicKey(byte[] compressed) => _compressed = compressed;

    /// <summary>The all-zero key nodeos uses for "no key" (<c>EOS1111111111111111111111111111111114T1Anm</c>).</summary>
    public static PublicKey Zero { get; } = new(new byte[CompressedSize]);

    public ReadOnlyMemory<byte> Compressed => _compressed;

    public bool IsZero => _compressed.All(b => b == 0);

    public static PublicKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var key, out var error) ? key : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PublicKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        byte[] payload;
        if (string.IsNullOrEmpty(text))
        {
            error = "Public key is empty.";
            return false;
        }

        if (text.StartsWith(K1Prefix, StringComparison.Ordinal))
        {
            if (!KeyString.TryDecodeRipemd(text.AsSpan(K1Prefix.Length), "PUB_K1_ public key", CompressedSize, true, out payload, out error))
            {
                return false;
            }
        }
        else if (text.StartsWith("PUB_", StringComparison.Ordinal))
        {
            error = "Public key has an unsupported prefix: only K1 keys (PUB_K1_… or EOS…) are supported.";
            return false;
        }
        else if (text.StartsWith(LegacyPrefix, StringComparison.Ordinal))
        {
            if (!KeyString.TryDecodeRipemd(text.AsSpan(LegacyPrefix.Length), "Legacy EOS public key", CompressedSize, false, out payload, out error))
            {
                return false;
            }
        }
        else
        {
            error = "Public key has a bad prefix: expected 'PUB_K1_' or 'EOS' (prefixes are case sensitive).";
            return false;
        }

        if (!payload.All(b => b == 0) && !ECPubKey.TryCreate(payload, Context.Instance, out _, out _))
        {
            error = "Public key is not a point on the secp256k1 curve.";
            return false;
        }

        key = new PublicKey(payload);
        return true;
    }

    public static PublicKey FromCompressed(ReadOnlySpan<byte> compressed33)
    {
        if (compressed33.Length != CompressedSize)
        {
            throw new ArgumentException($"A compressed public key is {CompressedSize} bytes, got {compressed33.Length}.", nameof(compressed33));
        }

        if (!compressed33.ContainsAnyExcept((byte)0) )
        {
            return Zero;
        }

        return ECPubKey.TryCreate(compressed33, Context.Instance, out var compressed, out _) && compressed
            ? new PublicKey(compressed33.ToArray())
            : throw new ArgumentException("The bytes are not a compressed secp256k1 point.", nameof(compressed33));
    }

    internal static PublicKey FromEcPubKey(ECPubKey key) => new(key.ToBytes(compressed: true));

    internal bool TryGetEcPubKey([NotNullWhen(true)] out ECPubKey? key) =>
        ECPubKey.TryCreate(_compressed, Context.Instance, out _, out key);

    public string ToLegacyString() => KeyString.EncodeRipemd(LegacyPrefix, _compressed, withK1Suffix: false);

    /// <summary>The <c>PUB_K1_</c> form; computed once (a schedule's keys are compared by it for every block).</summary>
    public override string ToString() => _text ??= KeyString.EncodeRipemd(K1Prefix, _compressed, withK1Suffix: true);

    public bool Equals(PublicKey? other) => other is not null && _compressed.AsSpan().SequenceEqual(other._compressed);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode() => BitConverter.ToInt32(_compressed, 1);

    public static bool operator ==(PublicKey? left, PublicKey? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PublicKey? left, PublicKey? right) => !(left == right);
}
