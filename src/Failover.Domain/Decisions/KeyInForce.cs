using System.Text.Json.Serialization;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Domain.Events;

namespace Failover.Domain.Decisions;

/// <summary>
/// Our producer's block signing authority as the domain records it: the threshold, and each key (as text, as the chain
/// stream and the evidence keep it) with its weight — a schedule entry's authority, or a registration's single key
/// (threshold 1, weight 1). Equality compares the threshold and the keys in order.
/// </summary>
public sealed record SigningAuthority(uint Threshold, IReadOnlyList<ScheduleKey> Keys)
{
    /// <summary>A single key of weight 1 at threshold 1: what <c>regproducer</c> registers, and what the rotation writes.</summary>
    public static SigningAuthority SingleKey(string key) => new(1, [new ScheduleKey(key, 1)]);

    /// <summary>
    /// Each key alone in force (threshold 1, each of weight 1): what a list of keys recorded before the threshold and
    /// the weights were (evidence, a status document) meant.
    /// </summary>
    public static SigningAuthority EachKeyAlone(IEnumerable<string> keys) => new(1, [.. keys.Select(k => new ScheduleKey(k, 1))]);

    /// <summary>The authority of a schedule entry.</summary>
    public static SigningAuthority Of(ScheduleEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Threshold, entry.Keys);
    }

    /// <summary>The authority of a producers-table row's <c>producer_authority</c> as the chain API writes it.</summary>
    public static SigningAuthority Of(Antelope.Chain.Wire.SigningAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        return new(authority.Threshold, [.. authority.Keys.Select(k => new ScheduleKey(k.Key, k.Weight))]);
    }

    /// <summary>The authority of a typed schedule entry, its keys written as <see cref="PublicKey.ToString"/> does.</summary>
    public static SigningAuthority Of(BlockSigningAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        return new(authority.Threshold, [.. authority.Keys.Select(k => new ScheduleKey(k.Key.ToString(), k.Weight))]);
    }

    /// <summary>
    /// A key with, when there is one, a whole authority: that authority, else the key alone. The authority a rotation to a
    /// data center registers (the one it declares, <c>regproducer2</c>; else its signing key, <c>regproducer</c>), and
    /// the one a producers-table row registers (its <c>producer_authority</c>; else, on rows no v1.9+ contract wrote,
    /// its key).
    /// </summary>
    public static SigningAuthority For(string key, SigningAuthority? authority) => authority ?? SingleKey(key);

    /// <summary>
    /// A reading or a target as an event records it: an authority other than a single key in full, a single key as its key
    /// (null: none recorded).
    /// </summary>
    public static SigningAuthority? Recorded(string? key, SigningAuthority? authority) => authority ?? (key is { } k ? SingleKey(k) : null);

    /// <summary>One key of weight 1 at threshold 1: what <c>regproducer</c> writes, and what the table's key alone means.</summary>
    [JsonIgnore]
    public bool IsSingleKey => Threshold == 1 && Keys.Count == 1 && Keys[0].Weight == 1;

    /// <summary>
    /// Whether both are the same authority on chain: the same threshold and the same keys with the same weights, in any
    /// order, keys compared parsed (<c>EOS…</c> and <c>PUB_K1_…</c> spell one key). What the producers table shows is
    /// compared with what a rotation wrote this way.
    /// </summary>
    public bool SameAs(SigningAuthority? other) =>
        other is not null && Threshold == other.Threshold && Keys.Count == other.Keys.Count
        && Keys.All(k => other.Keys.Count(o => o.Weight == k.Weight && KeyInForce.SameKey(o.Key, k.Key)) == 1);

    /// <summary>As an operator reads it: the key alone, or the threshold and each key with its weight.</summary>
    public string Describe() =>
        IsSingleKey ? Keys[0].Key : $"threshold {Threshold} of {string.Join(", ", Keys.Select(k => $"{k.Key} (weight {k.Weight})"))}";

    /// <summary>The typed authority <c>regproducer2</c> writes (keys must parse: configuration validated them).</summary>
    public BlockSigningAuthority ToBlockSigningAuthority() =>
        new(Threshold, [.. Keys.Select(k => new KeyWeight(PublicKey.Parse(k.Key), k.Weight))]);

    public bool Equals(SigningAuthority? other) =>
        other is not null && Threshold == other.Threshold && Keys.SequenceEqual(other.Keys);

    public override int GetHashCode() => HashCode.Combine(Threshold, Keys.Count);
}

/// <summary>
/// The key in force: whether a data center's signing key is the one our blocks are signed with. A key is in force when
/// it <b>alone</b> satisfies our block signing authority — the weights of the authority's entries naming it reach the
/// threshold — so a node holding only that key can sign our blocks (as
/// <see cref="Antelope.Scheduling.ScheduledProducer.IsSatisfiedBy(PublicKey)"/> judges a typed schedule). A key of an
/// authority that needs more than it (threshold 2, keys of weight 1) is not in force: its node cannot sign alone, and
/// a rotation to it writes a single-key authority it does satisfy. Keys are compared parsed, so the legacy <c>EOS…</c>
/// and the <c>PUB_K1_…</c> spelling of one key are the same key; a key that does not parse is never the same as
/// another, nor in force. The policy (the target), the failover decider (the schedule, the producers table, a block's
/// signer), the status API and the audit narrative all ask here.
/// </summary>
public static class KeyInForce
{
    /// <summary>Whether two texts name the same public key (both parse, to equal keys).</summary>
    public static bool SameKey(string? a, string? b) =>
        PublicKey.TryParse(a, out var x, out _) && PublicKey.TryParse(b, out var y, out _) && x == y;

    /// <summary>Whether <paramref name="text"/> parses to <paramref name="key"/>.</summary>
    public static bool SameKey(PublicKey key, string? text) =>
        key is not null && PublicKey.TryParse(text, out var other, out _) && other == key;

    /// <summary>
    /// Whether <paramref name="key"/> alone satisfies <paramref name="authority"/>: the authority lists it and the
    /// weights of its entries for that key reach the threshold. False for no authority (not scheduled) and for a key
    /// that does not parse.
    /// </summary>
    public static bool IsInForce(SigningAuthority? authority, string? key)
    {
        if (authority is null || !PublicKey.TryParse(key, out var held, out _))
        {
            return false;
        }

        var entries = authority.Keys.Where(k => SameKey(held, k.Key)).ToList();
        return entries.Count > 0 && entries.Sum(k => (long)k.Weight) >= authority.Threshold;
    }

    /// <summary>Whether <paramref name="key"/> alone satisfies our authority in the schedule of the evidence.</summary>
    public static bool IsInForce(ScheduleEvidence schedule, string? key) => IsInForce(AuthorityOf(schedule), key);

    /// <summary>
    /// Our authority in the schedule of the evidence; evidence recorded before it carried the authority lists only the
    /// keys, each of which was taken to be in force.
    /// </summary>
    public static SigningAuthority AuthorityOf(ScheduleEvidence schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Authority ?? SigningAuthority.EachKeyAlone(schedule.ActiveKeys);
    }

    /// <summary>The authority of <paramref name="producer"/> in a recorded schedule, or null when it is not scheduled.</summary>
    public static SigningAuthority? AuthorityOf(ProducerScheduleChanged schedule, string producer)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Producers.FirstOrDefault(p => p.Producer == producer) is { } entry ? SigningAuthority.Of(entry) : null;
    }

    /// <summary>
    /// The data center holding the key in force: the first by priority (ties by name, ordinal) whose key alone satisfies
    /// <paramref name="authority"/>; null when none does.
    /// </summary>
    public static DataCenterConfig? HeldBy(SigningAuthority? authority, IEnumerable<DataCenterConfig> dataCenters)
    {
        ArgumentNullException.ThrowIfNull(dataCenters);
        return dataCenters.OrderBy(d => d.Priority).ThenBy(d => d.Name, StringComparer.Ordinal)
            .FirstOrDefault(d => IsInForce(authority, d.SigningKey));
    }
}
