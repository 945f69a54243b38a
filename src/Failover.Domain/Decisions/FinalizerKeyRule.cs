using Failover.Antelope;

namespace Failover.Domain.Decisions;

/// <summary>Our producer's Savanna finalizer keys as the system contract registers them: every key, and the active one (null: none).</summary>
public sealed record OurFinalizerKeys(IReadOnlyList<string> Registered, string? Active);

/// <summary>
/// A data center's finalizer key against the chain (issue 15, finding 2). <c>actfinkey</c> asserts when its key is not
/// registered to the finalizer ("finalizer key was not registered") or is its active key already ("the finalizer key
/// was already active"), and either assertion fails the whole rotation, <c>regproducer</c> included. So on a Savanna
/// configuration the evidence carries what the finalizer tables show of each data center's key
/// (<see cref="DataCenterEvidence.FinalizerKeyOnChain"/>): the policy does not choose a data center whose key is not
/// registered to us, or whose key could not be checked (fail closed), and the rotation to a data center whose key is
/// active already is <c>regproducer</c> alone. Keys are compared by their bytes (<see cref="BlsPublicKey.SameKey"/>).
/// </summary>
public static class FinalizerKeyRule
{
    /// <summary>What <paramref name="ours"/> (null: the tables could not be read) says of <paramref name="key"/>.</summary>
    public static FinalizerKeyStatus StatusOf(string key, OurFinalizerKeys? ours) =>
        ours is null ? FinalizerKeyStatus.Unknown
        : BlsPublicKey.SameKey(key, ours.Active) ? FinalizerKeyStatus.Active
        : ours.Registered.Any(k => BlsPublicKey.SameKey(key, k)) ? FinalizerKeyStatus.Registered
        : FinalizerKeyStatus.NotRegistered;

    /// <summary>
    /// The evidence with each data center's finalizer key judged against <paramref name="ours"/>, on a Savanna
    /// configuration (a legacy chain has no finalizers: nothing to judge) and for data centers with a finalizer key.
    /// </summary>
    public static Evidence Judge(Evidence evidence, OurFinalizerKeys? ours)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return evidence.Consensus != ConsensusKind.Savanna
            ? evidence
            : evidence with
            {
                DataCenters = [.. evidence.DataCenters.Select(d => d.FinalizerKey is { } key ? d with { FinalizerKeyOnChain = StatusOf(key, ours) } : d)],
            };
    }

    /// <summary>
    /// Whether the finalizer keys count for this evidence: the rotation is built for Savanna, and the chain's block
    /// headers were not seen to be legacy (then consensus-mismatch holds the rotation back, and the tables mean nothing).
    /// </summary>
    public static bool Applies(Evidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return evidence.Consensus == ConsensusKind.Savanna && evidence.ChainConsensus is not ConsensusKind.Legacy;
    }

    /// <summary>Why <paramref name="dc"/> cannot be the target for its finalizer key; null when it can (or the key was not judged).</summary>
    public static string? Problem(Evidence evidence, DataCenterEvidence dc)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(dc);
        if (!Applies(evidence) || dc.FinalizerKey is not { } key)
        {
            return null;
        }

        return dc.FinalizerKeyOnChain switch
        {
            FinalizerKeyStatus.NotRegistered =>
                $"{dc.Name}'s finalizer key {key} is not registered to {evidence.Producer} on chain (eosio finkeys), so actfinkey would fail the whole rotation (\"finalizer key was not registered\")",
            FinalizerKeyStatus.Unknown =>
                $"{dc.Name}'s finalizer key could not be checked: the system contract's finalizer tables could not be read from any endpoint, and actfinkey fails the whole rotation unless the key is registered to {evidence.Producer} and not active",
            _ => null,
        };
    }

    /// <summary>What the target's finalizer key means for the rotation, for the decision's detail (empty when not judged).</summary>
    public static string TargetNote(Evidence evidence, DataCenterEvidence target)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(target);
        return !Applies(evidence) || target.FinalizerKey is null
            ? string.Empty
            : target.FinalizerKeyOnChain switch
            {
                FinalizerKeyStatus.Active => "; its finalizer key is already active on chain: regproducer alone",
                FinalizerKeyStatus.Registered => "; its finalizer key is registered to us on chain: actfinkey activates it",
                _ => string.Empty,
            };
    }

    /// <summary>
    /// Whether the rotation to <paramref name="target"/> carries <c>actfinkey</c>: on Savanna, when the target has a
    /// finalizer key that is not active already. (Evidence recorded before the tables were read: whenever it has one.)
    /// </summary>
    public static bool ActivatesFinalizerKey(ConsensusKind consensus, DataCenterEvidence target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return consensus == ConsensusKind.Savanna && target.FinalizerKey is not null && target.FinalizerKeyOnChain is not FinalizerKeyStatus.Active;
    }

    /// <summary>The readiness problem of a configured data center whose finalizer key is not registered to our producer (public key only).</summary>
    public static string NotRegisteredBlocker(string producer, string dataCenter, string key) =>
        $"data center {dataCenter}'s finalizer key {key} is not registered to {producer} on chain (eosio finkeys): a rotation to {dataCenter} would fail (actfinkey: \"finalizer key was not registered\"), so {dataCenter} is never chosen; register the key with regfinkey or correct {dataCenter}'s FinalizerKey";
}
