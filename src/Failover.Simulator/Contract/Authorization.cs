using Failover.Antelope;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Contract;

/// <summary>
/// nodeos's authorization checks (authorization_manager.cpp) for key-only authorities: each declared
/// authorization must be at least the action's minimum (linked) permission, and the recovered keys must reach
/// the declared permission's threshold.
/// </summary>
public static class Authorization
{
    public static void Check(IReadOnlyDictionary<Name, Account> accounts, IEnumerable<ChainAction> actions, IReadOnlyCollection<PublicKey> signers)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(signers);
        foreach (var action in actions)
        {
            foreach (var level in action.Authorization)
            {
                var permission = DeclaredPermission(accounts, action, level);
                if (!IsSatisfied(permission.Authority, signers))
                {
                    throw ChainErrors.UnsatisfiedAuthorization(level.Actor.ToString(), level.Permission.ToString(), signers.Select(k => k.ToString()!));
                }
            }
        }
    }

    /// <summary>The subset of <paramref name="available"/> that satisfies every declared authorization (get_required_keys).</summary>
    public static IReadOnlyList<PublicKey> RequiredKeys(IReadOnlyDictionary<Name, Account> accounts, IEnumerable<ChainAction> actions, IReadOnlyCollection<PublicKey> available)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(available);
        var required = new List<PublicKey>();
        foreach (var action in actions)
        {
            foreach (var level in action.Authorization)
            {
                var authority = DeclaredPermission(accounts, action, level).Authority;
                long weight = 0;
                foreach (var key in authority.Keys.Where(k => available.Contains(k.Key)))
                {
                    if (weight >= authority.Threshold)
                    {
                        break;
                    }

                    weight += key.Weight;
                    if (!required.Contains(key.Key))
                    {
                        required.Add(key.Key);
                    }
                }

                if (weight < authority.Threshold)
                {
                    throw ChainErrors.UnsatisfiedAuthorization(level.Actor.ToString(), level.Permission.ToString(), available.Select(k => k.ToString()!));
                }
            }
        }

        return required;
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

    private static bool IsSatisfied(Authority authority, IReadOnlyCollection<PublicKey> signers) =>
        authority.Keys.Where(k => signers.Contains(k.Key)).Sum(k => (long)k.Weight) >= authority.Threshold;
}
