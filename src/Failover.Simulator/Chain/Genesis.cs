using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.SystemContract;
using Failover.Simulator.Consensus;
using Failover.Simulator.Contract;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator.Chain;

/// <summary>
/// The chain at block 1: every producer registered with its first data center's key (and, under Savanna, its
/// finalizer keys registered with the first one active), the elected schedule active as version 1.
/// </summary>
public static class Genesis
{
    private static readonly Name Regproducer = Name.Parse("regproducer");
    private static readonly Name Regproducer2 = Name.Parse("regproducer2");
    private static readonly Name Actfinkey = Name.Parse("actfinkey");

    public static ChainState Create(Roster roster, uint genesisSlot)
    {
        ArgumentNullException.ThrowIfNull(roster);
        var options = roster.Options;
        var time = BlockTimestamp.FromSlot(genesisSlot);
        var producers = roster.Producers.ToImmutableSortedDictionary(p => p, p =>
        {
            var key = roster.PrimaryNode(p).SigningKey.PublicKey;
            return new ProducerRow(p, roster.VotesOf(p), key, true, $"https://{p}.example", 0, time, 0, new BlockSigningAuthority(1, [new KeyWeight(key, 1)]));
        });
        // Registered producer by producer (in name order), each node's key in turn: finkeys ids 0, 1, 2, …
        ulong nextId = 0;
        var finalizers = options.Consensus == ConsensusMode.Savanna
            ? roster.Producers.ToImmutableDictionary(p => p, p =>
            {
                var keys = roster.NodesOf(p).Select(n => new RegisteredFinalizerKey(nextId++, n.FinalizerKey!)).ToImmutableList();
                return new FinalizerKeys(p, keys, keys[0].Key);
            })
            : ImmutableDictionary<Name, FinalizerKeys>.Empty;
        var contract = new ContractState(Accounts(roster), producers, finalizers, genesisSlot, 0);
        var elected = SystemContract.Elect(contract, options.Consensus)
            ?? throw new InvalidOperationException("Genesis elected no producers.");
        var schedule = ProducerSchedule.Create(1, elected);
        contract = contract with { LastScheduleSize = elected.Count };
        var finalizerPolicy = new FinalizerPolicy(1, contract.FinalizersOf(elected.Select(p => p.Producer)));

        var savanna = options.Consensus == ConsensusMode.Savanna;
        var finality = savanna ? new FinalityExtension(1, true, null) : null;
        var header = new BlockHeader(
            genesisSlot,
            Roster.Eosio,
            0,
            Checksum256.Zero,
            Checksum256.Zero,
            Checksum256.Hash(SeedDerivation.Derive(options.Seed, "genesis")),
            savanna ? BlockHeader.SavannaScheduleVersion : 0,
            null,
            finality is null ? [] : [SimulatedHeaderExtensions.Finality(finality)]);
        var id = header.ComputeId();
        var eosioKey = SeedDerivation.PrivateKey(options.Seed, "genesis/eosio/signing");
        var block = new SimBlock(header, id, new Lazy<Signature>(() => eosioKey.SignDigest(id.AsSpan())), null, finality, []);

        return new ChainState(
            SeedDerivation.ChainId(options.Seed),
            options.Consensus,
            [block],
            1,
            schedule,
            null,
            null,
            DposState.Genesis(schedule.Producers.Select(p => p.Producer), 1),
            finalizerPolicy,
            null,
            [],
            contract,
            ImmutableDictionary<Checksum256, DateTimeOffset>.Empty,
            [],
            ImmutableDictionary<string, FinalizerVote>.Empty);
    }

    private static ImmutableDictionary<Name, Account> Accounts(Roster roster) => roster.Accounts.ToImmutableDictionary(
        a => a.Account,
        a =>
        {
            var permissions = a.Permissions.Select(p => new PermissionEntry(
                p.Key,
                p.Key == Account.Owner ? null : p.Key == Account.Active ? Account.Owner : Account.Active,
                Authority.SingleKey(p.Value.PublicKey))).ToList();
            var links = a.Permissions.ContainsKey(Roster.FailoverPermission)
                ? new[] { Regproducer, Regproducer2, Actfinkey }.ToImmutableDictionary(action => new LinkedAction(Roster.Eosio, action), _ => Roster.FailoverPermission)
                : ImmutableDictionary<LinkedAction, Name>.Empty;
            return new Account(a.Account, permissions, links);
        });
}
