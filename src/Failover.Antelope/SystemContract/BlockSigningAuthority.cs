using Failover.Antelope.Serialization;

namespace Failover.Antelope.SystemContract;

/// <summary>
/// <c>block_signing_authority_v0</c>: the only alternative (index 0) of the <c>block_signing_authority</c> variant.
/// Equality compares the keys in order.
/// </summary>
public sealed record BlockSigningAuthority(uint Threshold, IReadOnlyList<KeyWeight> Keys)
{
    private const uint VariantV0 = 0;

    /// <summary>
    /// What the system contract's <c>is_valid()</c> would reject: zero threshold, duplicate keys, or weights that
    /// cannot reach the threshold. Empty when the authority is usable.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Threshold == 0)
        {
            problems.Add("The authority threshold must be at least 1.");
        }

        if (Keys.Count == 0)
        {
            problems.Add("The authority needs at least one key.");
        }

        if (Keys.Select(k => k.Key).Distinct().Count() != Keys.Count)
        {
            problems.Add("The authority lists the same key more than once.");
        }

        var total = Keys.Sum(k => (long)k.Weight);
        if (Keys.Count > 0 && total < Threshold)
        {
            problems.Add($"The key weights add up to {total}, below the threshold {Threshold}: the authority could never sign.");
        }

        return problems;
    }

    public bool Equals(BlockSigningAuthority? other) =>
        other is not null && Threshold == other.Threshold && Keys.SequenceEqual(other.Keys);

    public override int GetHashCode() => HashCode.Combine(Threshold, Keys.Count);

    internal void WriteTo(AbiWriter writer) => writer.WriteVariant(VariantV0, w =>
    {
        w.WriteUInt32(Threshold);
        w.WriteVector(Keys, static (kw, key) =>
        {
            kw.WritePublicKey(key.Key);
            kw.WriteUInt16(key.Weight);
        });
    });

    internal static BlockSigningAuthority ReadFrom(AbiReader reader)
    {
        reader.ReadVariantIndex(1, "block_signing_authority");
        return new BlockSigningAuthority(
            reader.ReadUInt32(),
            reader.ReadVector(static r => new KeyWeight(r.ReadPublicKey(), r.ReadUInt16())));
    }
}
