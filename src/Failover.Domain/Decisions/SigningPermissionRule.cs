using Failover.Antelope;
using Failover.Antelope.SystemContract;

namespace Failover.Domain.Decisions;

/// <summary>A permission of our account as the chain shows it: its keys and threshold, and the actions linked to it.</summary>
/// <param name="Links">Each link's contract and action (null: every action of the contract).</param>
public sealed record PermissionOnChain(string Name, uint Threshold, IReadOnlyList<KeyWeight> Keys, IReadOnlyList<(string Account, string? Action)> Links);

/// <summary>Something wrong with the signing permission, in words (never key material).</summary>
/// <param name="Blocks">A rotation signed with it would be rejected (not merely unwise).</param>
public sealed record PermissionProblem(string Text, bool Blocks);

/// <summary>
/// design §2.5: the permission the service signs with should be dedicated, linked to the rotation's actions, and
/// satisfied by the configured key alone. Pure: the process manager reads the account and asks; the rule is here.
/// </summary>
public static class SigningPermissionRule
{
    /// <summary>The actions a rotation sends: <c>regproducer</c>, and <c>actfinkey</c> on Savanna.</summary>
    public static IReadOnlyList<string> RotationActions(ConsensusKind consensus) =>
        consensus == ConsensusKind.Savanna ? ["regproducer", "actfinkey"] : ["regproducer"];

    /// <summary>
    /// What is wrong with <paramref name="permission"/> of <paramref name="producer"/> as <paramref name="found"/> on
    /// chain (null: the account has no such permission): missing; <c>active</c>/<c>owner</c> (works, but can do anything);
    /// linked to the whole <c>eosio</c> contract (works, but can sign any system action); not linked to an action of the rotation; the signing key not among its keys, or weighing less than its threshold.
    /// </summary>
    public static IReadOnlyList<PermissionProblem> Problems(string producer, string permission, ConsensusKind consensus, PermissionOnChain? found, PublicKey? signingKey)
    {
        if (found is null)
        {
            return [new($"{producer} has no permission '{permission}': rotations signed for it will be rejected", Blocks: true)];
        }

        var problems = new List<PermissionProblem>();
        if (permission is "active" or "owner")
        {
            problems.Add(new($"the service signs with {producer}@{permission}, a key that can do anything with the account; use a dedicated permission linked only to eosio::regproducer, regproducer2 and actfinkey", Blocks: false));
        }
        else
        {
            var wholeContract = found.Links.Any(l => l.Account == "eosio" && string.IsNullOrEmpty(l.Action));
            if (wholeContract)
            {
                problems.Add(new($"{producer}@{permission} is linked to the whole eosio contract, so its key can sign any system action (vote, stake, buy RAM, …); link it only to eosio::regproducer, regproducer2 and actfinkey", Blocks: false));
            }

            foreach (var action in RotationActions(consensus))
            {
                if (!wholeContract && !found.Links.Any(l => l.Account == "eosio" && l.Action == action))
                {
                    problems.Add(new($"{producer}@{permission} is not linked to eosio::{action}: the rotation will be rejected for missing authority", Blocks: true));
                }
            }
        }

        if (signingKey is { } key)
        {
            var weight = found.Keys.Where(k => k.Key == key).Sum(k => (long)k.Weight);
            if (weight == 0)
            {
                problems.Add(new($"the configured signing key ({key}) is not a key of {producer}@{permission}: the rotation will be rejected for missing authority", Blocks: true));
            }
            else if (weight < found.Threshold)
            {
                problems.Add(new($"the configured signing key ({key}) weighs {weight} in {producer}@{permission}, whose threshold is {found.Threshold}: it cannot sign the rotation alone", Blocks: true));
            }
        }

        return problems;
    }
}
