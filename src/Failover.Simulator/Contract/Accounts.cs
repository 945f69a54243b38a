using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.SystemContract;

namespace Failover.Simulator.Contract;

/// <summary>A permission's authority. Simulated accounts use keys only (no account or wait delegation).</summary>
public sealed record Authority(uint Threshold, IReadOnlyList<KeyWeight> Keys)
{
    public static Authority SingleKey(PublicKey key) => new(1, [new KeyWeight(key, 1)]);
}

/// <summary>A named permission of an account; <see cref="Parent"/> is null for <c>owner</c>.</summary>
public sealed record PermissionEntry(Name Name, Name? Parent, Authority Authority);

/// <summary>An action a permission is linked to with <c>linkauth</c>.</summary>
public sealed record LinkedAction(Name Code, Name Action);

/// <summary>An account with its permission tree and <c>linkauth</c> links (action → permission).</summary>
public sealed record Account(Name Name, IReadOnlyList<PermissionEntry> Permissions, ImmutableDictionary<LinkedAction, Name> Links)
{
    public static readonly Name Owner = Name.Parse("owner");
    public static readonly Name Active = Name.Parse("active");

    public PermissionEntry? FindPermission(Name permission) => Permissions.FirstOrDefault(p => p.Name == permission);

    /// <summary>The permission an action requires (nodeos <c>lookup_minimum_permission</c>): its link, else <c>active</c>.</summary>
    public Name MinimumPermission(Name code, Name action) => Links.TryGetValue(new LinkedAction(code, action), out var linked) ? linked : Active;

    /// <summary>Whether <paramref name="declared"/> is <paramref name="required"/> or one of its ancestors.</summary>
    public bool Satisfies(Name declared, Name required)
    {
        for (var current = FindPermission(required); current is not null; current = current.Parent is { } parent ? FindPermission(parent) : null)
        {
            if (current.Name == declared)
            {
                return true;
            }
        }

        return false;
    }

    public IEnumerable<LinkedAction> LinksOf(Name permission) => Links.Where(l => l.Value == permission).Select(l => l.Key);
}
