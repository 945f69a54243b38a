using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Serialization;

namespace Failover.Antelope.Blocks;

/// <summary>
/// Which finalizers a Savanna vote bitset counts: bit i is <c>finalizers[i]</c> of the policy in force at the certified
/// block (docs/antelope.md, "Savanna quorum certificates"). On the wire a varuint32 bit count, then ⌈n/8⌉ bytes with bit
/// i at <c>(byte[i/8] &gt;&gt; (i % 8)) &amp; 1</c>; in <c>get_block</c> JSON a string of <c>0</c>/<c>1</c> whose rightmost
/// character is bit 0.
/// </summary>
public sealed class VoteBitset
{
    private readonly bool[] _bits;

    public VoteBitset(IEnumerable<bool> bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        _bits = [.. bits];
    }

    /// <summary>How many finalizers the bitset covers (the policy's size).</summary>
    public int Count => _bits.Length;

    /// <summary>Whether finalizer <paramref name="index"/> voted; an index beyond the bitset did not.</summary>
    public bool this[int index] => index >= 0 && index < _bits.Length && _bits[index];

    /// <summary>The JSON form <c>get_block</c> writes: rightmost character = finalizer 0.</summary>
    public static VoteBitset Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Any(c => c is not ('0' or '1')))
        {
            throw new FormatException($"a vote bitset is a string of 0 and 1, got '{text}'");
        }

        return new VoteBitset(text.Reverse().Select(c => c == '1'));
    }

    public static VoteBitset ReadFrom(AbiReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var start = reader.Position;
        var count = reader.ReadVarUInt32();
        var length = (int)((count + 7L) / 8);
        if (length > reader.Remaining)
        {
            throw new AbiDecodeException(start, $"a vote bitset of {count} bits cannot fit in the {reader.Remaining} bytes left.");
        }

        var bytes = reader.ReadRaw(length);
        return new VoteBitset(Enumerable.Range(0, (int)count).Select(i => ((bytes[i / 8] >> (i % 8)) & 1) == 1));
    }

    public void WriteTo(AbiWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var bytes = new byte[(_bits.Length + 7) / 8];
        for (var i = 0; i < _bits.Length; i++)
        {
            bytes[i / 8] |= (byte)(_bits[i] ? 1 << (i % 8) : 0);
        }

        writer.WriteVarUInt32((uint)_bits.Length);
        writer.WriteRaw(bytes);
    }

    public override string ToString() => new([.. _bits.Reverse().Select(b => b ? '1' : '0')]);
}

/// <summary>
/// One policy's part of a quorum certificate: its strong and weak votes (at least one present) and the aggregate BLS
/// signature, kept as bytes (this library does not verify BLS).
/// </summary>
public sealed record QcPolicyVotes(VoteBitset? Strong, VoteBitset? Weak, byte[] Signature)
{
    /// <summary>
    /// Whether finalizer <paramref name="index"/> voted, strong or weak. A strong certificate carries no weak votes, so a
    /// weak vote is invisible there: one certificate without a finalizer does not prove it silent.
    /// </summary>
    public bool Voted(int index) => (Strong?[index] ?? false) || (Weak?[index] ?? false);

    /// <summary>A certificate with no weak votes is strong.</summary>
    public bool IsStrong => Weak is null;

    internal static QcPolicyVotes ReadFrom(AbiReader reader)
    {
        var start = reader.Position;
        var strong = reader.ReadBool() ? VoteBitset.ReadFrom(reader) : null;
        var weak = reader.ReadBool() ? VoteBitset.ReadFrom(reader) : null;
        if (strong is null && weak is null)
        {
            throw new AbiDecodeException(start, "a quorum certificate's signature carries neither strong nor weak votes.");
        }

        return new QcPolicyVotes(strong, weak, reader.ReadBytes());
    }

    internal void WriteTo(AbiWriter writer)
    {
        writer.WriteBool(Strong is not null);
        Strong?.WriteTo(writer);
        writer.WriteBool(Weak is not null);
        Weak?.WriteTo(writer);
        writer.WriteBytes(Signature);
    }
}

/// <summary>
/// A Savanna quorum certificate (block extension 3, <c>qc_t</c>): the certified block, the votes of the policy active at
/// it, and those of its pending policy when there is one.
/// </summary>
public sealed record QuorumCertificateVotes(uint BlockNum, QcPolicyVotes Active, QcPolicyVotes? Pending)
{
    /// <summary>Block extension id of <c>quorum_certificate_extension</c>.</summary>
    public const ushort ExtensionId = 3;

    /// <summary>The extension's payload (the raw pack of <c>qc_t</c>); anything malformed or left over is a <see cref="FormatException"/>.</summary>
    public static QuorumCertificateVotes Unpack(ReadOnlyMemory<byte> payload)
    {
        var reader = new AbiReader(payload);
        var qc = new QuorumCertificateVotes(reader.ReadUInt32(), QcPolicyVotes.ReadFrom(reader), reader.ReadBool() ? QcPolicyVotes.ReadFrom(reader) : null);
        return reader.AtEnd ? qc : throw new AbiDecodeException(reader.Position, $"{reader.Remaining} bytes follow the quorum certificate.");
    }

    /// <summary>
    /// The certificate as <c>get_block</c> renders it (<c>qc_extension</c>); the signature is kept as its text's UTF-8
    /// bytes, since JSON gives it as <c>SIG_BLS_…</c>.
    /// </summary>
    public static QuorumCertificateVotes FromJson(QcExtension extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        return new QuorumCertificateVotes(extension.Qc.BlockNum, Votes(extension.Qc.ActivePolicySig), extension.Qc.PendingPolicySig is { } pending ? Votes(pending) : null);
    }

    public byte[] Pack()
    {
        var writer = new AbiWriter();
        writer.WriteUInt32(BlockNum);
        Active.WriteTo(writer);
        writer.WriteBool(Pending is not null);
        Pending?.WriteTo(writer);
        return writer.ToArray();
    }

    private static QcPolicyVotes Votes(QcPolicySignature signature)
    {
        var strong = Bitset(signature.StrongVotes, "strong_votes");
        var weak = Bitset(signature.WeakVotes, "weak_votes");
        return strong is null && weak is null
            ? throw new FormatException("a quorum certificate's signature carries neither strong_votes nor weak_votes")
            : new QcPolicyVotes(strong, weak, System.Text.Encoding.UTF8.GetBytes(signature.Sig));
    }

    private static VoteBitset? Bitset(System.Text.Json.JsonElement? element, string name) => element switch
    {
        null => null,
        { ValueKind: System.Text.Json.JsonValueKind.Null } => null,
        { ValueKind: System.Text.Json.JsonValueKind.String } text => VoteBitset.Parse(text.GetString()!),
        { } other => throw new FormatException($"{name} is a string of 0 and 1, got {other.ValueKind}"),
    };
}
