using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.SystemContract;

namespace Failover.Simulator.Contract;

/// <summary>A row of <c>eosio</c>/<c>eosio</c>/<c>producers</c> (protocol.md §3.4).</summary>
public sealed record ProducerRow(
    Name Owner,
    double TotalVotes,
    PublicKey ProducerKey,
    bool IsActive,
    string Url,
    uint UnpaidBlocks,
    DateTimeOffset LastClaimTime,
    ushort Location,
    BlockSigningAuthority? ProducerAuthority)
{
    /// <summary>The authority the system contract puts in the schedule: <c>producer_authority</c>, else the legacy key.</summary>
    public BlockSigningAuthority EffectiveAuthority => ProducerAuthority ?? new BlockSigningAuthority(1, [new KeyWeight(ProducerKey, 1)]);
}

/// <summary>A row of <c>finkeys</c>: a registered BLS key and its id (from <c>finkeyidgen</c>, global, never reused).</summary>
public sealed record RegisteredFinalizerKey(ulong Id, string Key);

/// <summary>A finalizer's registered BLS keys (<c>finkeys</c>/<c>finalizers</c> tables, protocol.md §3.5), in id order.</summary>
public sealed record FinalizerKeys(Name Finalizer, ImmutableList<RegisteredFinalizerKey> Keys, string? Active)
{
    public IEnumerable<string> Registered => Keys.Select(k => k.Key);

    /// <summary>The <c>finkeys</c> row of the active key (the <c>finalizers</c> row's <c>active_key_id</c>).</summary>
    public RegisteredFinalizerKey? ActiveKey => Keys.FirstOrDefault(k => k.Key == Active);
}

/// <summary>The system contract's tables and globals the simulator keeps.</summary>
public sealed record ContractState(
    ImmutableDictionary<Name, Account> Accounts,
    ImmutableSortedDictionary<Name, ProducerRow> Producers,
    ImmutableDictionary<Name, FinalizerKeys> Finalizers,
    uint LastScheduleUpdateSlot,
    int LastScheduleSize)
{
    public string? ActiveFinalizerKey(Name producer) => Finalizers.TryGetValue(producer, out var keys) ? keys.Active : null;

    /// <summary>The id the next registered finalizer key gets (<c>finkeyidgen</c>): one above every id so far.</summary>
    public ulong NextFinalizerKeyId => Finalizers.Values.SelectMany(f => f.Keys).Select(k => k.Id + 1).DefaultIfEmpty(0ul).Max();

    /// <summary>The finalizer set of <paramref name="producers"/>: each one's active finalizer key (those without one are left out).</summary>
    public IReadOnlyList<Chain.Finalizer> FinalizersOf(IEnumerable<Name> producers) =>
        [.. producers.Select(p => ActiveFinalizerKey(p) is { } key ? new Chain.Finalizer(p, key) : null).OfType<Chain.Finalizer>()];
}
