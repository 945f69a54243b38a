using Failover.Antelope;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Contract;

/// <summary>
/// nodeos's authorization checks (authorization_manager.cpp, authority_checker.hpp) for key-only authorities: each
/// declared authorization must be at least the action's minimum (linked) permission, the recovered keys must reach
/// the declared permission's threshold, and every recovered key must count towards one (no irrelevant signatures).
/// </summary>
public static class Authorization
{
    public static void Check(IReadOnlyDictionary<Name, Account> accounts, IEnumerable<ChainAction> actions, IReadOnlyCollection<PublicKey> signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        var used = UsedKeys(accounts, actions, signers);
        var unused = signers.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0)
        {
            throw ChainErrors.IrrelevantSignature(unused.Select(k => k.ToLegacyString()));
        }
    }

    /// <summary>The subset of <paramref name="available"/> that satisfies every declared authorization (get_required_keys).</summary>
    public static IReadOnlyList<PublicKey> RequiredKeys(IReadOnlyDictionary<Name, Account> accounts, IEnumerable<ChainAction> actions, IReadOnlyCollection<PublicKey> available) =>
        UsedKeys(accounts, actions, available);

    /// <summary>The keys the authority checker counts while satisfying every declared authorization, in first-use order.</summary>
    private static List<PublicKey> UsedKeys(IReadOnlyDictionary<Name, Account> accounts, IEnumerable<ChainAction> actions, IReadOnlyCollection<PublicKey> available)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(available);
        var used = new List<PublicKey>();
        foreach (var action in actions)
        {
            foreach (var level in action.Authorization)
            {
                var keys = SatisfyingKeys(DeclaredPermission(accounts, action, level).Authority, available)
                    ?? throw ChainErrors.UnsatisfiedAuthorization(level.Actor.ToString(), level.Permission.ToString(), available.Select(k => k.ToString()!));
                used.AddRange(keys.Where(k => !used.Contains(k)));
            }
        }

        return used;
    }

    /// <summary>
    /// As authority_checker::satisfied visits an authority: available keys heaviest first (ties in the authority's
    /// order), counted until the threshold is reached; null when it is not.
    /// </summary>
    private static List<PublicKey>? SatisfyingKeys(Authority authority, IReadOnlyCollection<PublicKey> available)
    {
        var counted = new List<PublicKey>();
        long weight = 0;
        foreach (var key in authority.Keys.Where(k => available.Contains(k.Key)).OrderByDescending(k => k.Weight))
        {
            counted.Add(key.Key);
            weight += key.Weight;
            if (weight >= authority.Threshold)
            {
                return counted;
            }
        }

        return null;
    }

    private static PermissionEntry DeclaredPermission(IReadOnlyDictionary<Name, Account> accounts, ChainAction action, PermissionLevel level)
    {
        if (!accounts.TryGetValue(level.Actor, out var account) || account.FindPermission(level.Permission) is not { } permission)
        {
            throw ChainErrors.UnsatisfiedAuthorization(level.Actor.ToString(), level.Permission.ToString(), []);
        }

        var minimum = account.MinimumPermission(action.Account, action.Name);
        return account.Satisfies(level.Permission, minimum)
            ? permission
            : throw ChainErrors.IrrelevantAuthority(level.Actor.ToString(), level.Permission.ToString(), minimum.ToString());
    }
}
