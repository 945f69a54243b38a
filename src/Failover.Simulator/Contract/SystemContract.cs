using System.Text;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator.Contract;

/// <summary>
/// The parts of <c>eosio.system</c> the simulator runs (SYS voting.cpp, producer_pay.cpp, finalizer_key.cpp):
/// <c>regproducer</c>, <c>regproducer2</c>, <c>unregprod</c>, <c>actfinkey</c>, and <c>onblock</c>'s producer election.
/// </summary>
public static class SystemContract
{
    public const int MaxElected = 21;
    public const uint ElectionIntervalSlots = 120;

    public static readonly Name RegProducerAction = Name.Parse("regproducer");
    public static readonly Name RegProducer2Action = Name.Parse("regproducer2");
    public static readonly Name UnregProdAction = Name.Parse("unregprod");
    public static readonly Name ActFinKeyAction = Name.Parse("actfinkey");

    /// <summary>Decodes an action's data, as the ABI serializer would; malformed data is <c>invalid_action_args</c>.</summary>
    public static ISystemAction Decode(ChainAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.Account != SystemActions.Eosio
            || (action.Name != RegProducerAction && action.Name != RegProducer2Action && action.Name != UnregProdAction && action.Name != ActFinKeyAction))
        {
            throw ChainErrors.UnknownAction(action.Account.ToString(), action.Name.ToString());
        }

        try
        {
            return SystemActions.Decode(action.Name, action.Data);
        }
        catch (FormatException e)
        {
            throw ChainErrors.InvalidActionArgs($"unable to unpack action data of eosio::{action.Name}: {e.Message}");
        }
    }

    /// <summary>Applies one action; <paramref name="now"/> is the pending block's time.</summary>
    public static ContractState Apply(ContractState state, ChainAction action, ISystemAction decoded, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(action);
        return decoded switch
        {
            RegProducer r => Register(state, action, r.Producer, new BlockSigningAuthority(1, [new KeyWeight(r.ProducerKey, 1)]), r.Url, r.Location, now, legacyKey: r.ProducerKey),
            RegProducer2 r => Register(state, action, r.Producer, r.ProducerAuthority, r.Url, r.Location, now, legacyKey: null),
            UnregProd u => Unregister(state, action, u.Producer),
            ActFinKey a => ActivateFinalizerKey(state, action, a.FinalizerName, a.FinalizerKey),
            _ => throw ChainErrors.UnknownAction(action.Account.ToString(), action.Name.ToString()),
        };
    }

    /// <summary>
    /// <c>update_elected_producers</c>: up to 21 active rows with votes, by votes (Savanna: only those with an
    /// active finalizer key), sorted by name. Null when the contract would not propose (none, or fewer than last time).
    /// </summary>
    public static IReadOnlyList<ScheduledProducer>? Elect(ContractState state, ConsensusMode mode)
    {
        ArgumentNullException.ThrowIfNull(state);
        var elected = state.Producers.Values
            .Where(p => p.IsActive && p.TotalVotes > 0)
            .Where(p => mode == ConsensusMode.Legacy || state.ActiveFinalizerKey(p.Owner) is not null)
            .OrderByDescending(p => p.TotalVotes)
            .ThenBy(p => p.Owner.Value)
            .Take(MaxElected)
            .OrderBy(p => p.Owner.Value)
            .Select(p => new ScheduledProducer(p.Owner, p.EffectiveAuthority))
            .ToList();
        return elected.Count == 0 || elected.Count < state.LastScheduleSize ? null : elected;
    }

    /// <summary><c>onblock</c>'s bookkeeping for the block's producer.</summary>
    public static ContractState CountBlock(ContractState state, Name producer)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Producers.TryGetValue(producer, out var row)
            ? state with { Producers = state.Producers.SetItem(producer, row with { UnpaidBlocks = row.UnpaidBlocks + 1 }) }
            : state;
    }

    private static ContractState Register(ContractState state, ChainAction action, Name producer, BlockSigningAuthority authority, string url, ushort location, DateTimeOffset now, PublicKey? legacyKey)
    {
        RequireAuth(action, producer);
        Check(Encoding.UTF8.GetByteCount(url) < 512, "url too long");
        Check(authority.Validate().Count == 0 && authority.Keys.Count > 0, "invalid producer authority");
        Check(!authority.Keys.Any(k => k.Key.Equals(PublicKey.Zero)), "public key should not be the default value");
        var key = legacyKey ?? (authority.Keys.Count == 1 ? authority.Keys[0].Key : PublicKey.Zero);
        var row = state.Producers.TryGetValue(producer, out var existing)
            ? existing with { ProducerKey = key, IsActive = true, Url = url, Location = location, ProducerAuthority = authority }
            : new ProducerRow(producer, 0, key, true, url, 0, now, location, authority);
        return state with { Producers = state.Producers.SetItem(producer, row) };
    }

    private static ContractState Unregister(ContractState state, ChainAction action, Name producer)
    {
        RequireAuth(action, producer);
        Check(state.Producers.TryGetValue(producer, out var row), "producer not found");
        return state with { Producers = state.Producers.SetItem(producer, row! with { IsActive = false, ProducerKey = PublicKey.Zero, ProducerAuthority = null }) };
    }

    private static ContractState ActivateFinalizerKey(ContractState state, ChainAction action, Name finalizer, string key)
    {
        RequireAuth(action, finalizer);
        Check(state.Producers.ContainsKey(finalizer), "finalizer is not a registered producer");
        Check(key.StartsWith("PUB_BLS", StringComparison.Ordinal), "finalizer key does not start with PUB_BLS: " + key);
        Check(state.Finalizers.TryGetValue(finalizer, out var keys) && keys.Registered.Contains(key, StringComparer.Ordinal), "finalizer key was not registered");
        Check(keys!.Active != key, "finalizer key was already active");
        return state with { Finalizers = state.Finalizers.SetItem(finalizer, keys with { Active = key }) };
    }

    /// <summary>
    /// <c>regfinkey</c>'s effect without its proof of possession (the simulator's finalizer keys are not BLS points,
    /// so no PoP could verify): the finalizer must be a registered producer and the key well-formed and unique among
    /// all finalizers' keys; it gets the next <c>finkeys</c> id, and a finalizer's first key becomes its active one.
    /// </summary>
    public static ContractState RegisterFinalizerKey(ContractState state, Name finalizer, string key)
    {
        ArgumentNullException.ThrowIfNull(state);
        Check(state.Producers.ContainsKey(finalizer), "finalizer is not a registered producer");
        Check(BlsPublicKey.IsValid(key), "finalizer key is not a valid BLS public key: " + key);
        Check(!state.Finalizers.Values.Any(f => f.Registered.Any(k => BlsPublicKey.SameKey(k, key))), "duplicate finalizer key");
        var registered = new RegisteredFinalizerKey(state.NextFinalizerKeyId, key);
        var keys = state.Finalizers.TryGetValue(finalizer, out var existing)
            ? existing with { Keys = existing.Keys.Add(registered) }
            : new FinalizerKeys(finalizer, [registered], key);
        return state with { Finalizers = state.Finalizers.SetItem(finalizer, keys) };
    }

    private static void RequireAuth(ChainAction action, Name account)
    {
        if (!action.Authorization.Any(a => a.Actor == account))
        {
            throw ChainErrors.MissingAuthority(account.ToString());
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw ChainErrors.EosioAssert(message);
        }
    }
}
