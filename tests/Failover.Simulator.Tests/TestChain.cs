using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Simulator.Tests;

/// <summary>A simulator on a fake clock, with helpers to step slots and to sign system actions as the simulated accounts.</summary>
internal sealed class TestChain
{
    /// <summary>A slot-aligned start: 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TestChain(ConsensusMode mode = ConsensusMode.Savanna, string seed = "test-seed", int producers = 21, Func<SimulationOptions, SimulationOptions>? options = null)
    {
        Time = new FakeTimeProvider(Start);
        var chosen = new SimulationOptions { Consensus = mode, Seed = seed, ProducerCount = producers };
        Simulator = new ChainSimulator(options is null ? chosen : options(chosen), Time);
    }

    public FakeTimeProvider Time { get; }

    public ChainSimulator Simulator { get; }

    public Roster Roster => Simulator.Roster;

    public ChainState State => Simulator.View();

    public static Name Ours => Name.Parse("failover.bp");

    public ProducerNode Node(string id) => Roster.FindNode(id)!;

    public PrivateKey AccountKey(string account, string permission) =>
        Roster.Accounts.Single(a => a.Account.ToString() == account).Permissions[Name.Parse(permission)];

    public void AdvanceSlots(int slots)
    {
        Time.Advance(TimeSpan.FromMilliseconds(500L * slots));
        Simulator.Advance();
    }

    /// <summary>Steps one slot at a time until <paramref name="condition"/> holds, failing after <paramref name="maxSlots"/>.</summary>
    public void AdvanceUntil(Func<ChainState, bool> condition, int maxSlots, string what)
    {
        for (var i = 0; i < maxSlots; i++)
        {
            if (condition(State))
            {
                return;
            }

            AdvanceSlots(1);
        }

        Assert.Fail($"Not reached within {maxSlots} slots: {what}");
    }

    public PackedTransaction Sign(ISystemAction action, string actor, string permission, PrivateKey key, TimeSpan? expiresIn = null, Checksum256? refBlock = null, string? apiNode = null) =>
        Sign([action], actor, permission, key, expiresIn, refBlock, apiNode);

    public PackedTransaction Sign(IEnumerable<ISystemAction> actions, string actor, string permission, PrivateKey key, TimeSpan? expiresIn = null, Checksum256? refBlock = null, string? apiNode = null)
    {
        var state = Simulator.View(apiNode);
        var expiration = DateTimeOffset.FromUnixTimeSeconds(state.Head.Timestamp.ToUnixTimeSeconds()) + (expiresIn ?? TimeSpan.FromSeconds(60));
        var level = new PermissionLevel(Name.Parse(actor), Name.Parse(permission));
        var transaction = Transaction.Create(refBlock ?? state.LastIrreversibleBlock.Id, expiration, [.. actions.Select(a => SystemActions.ToAction(a, level))]);
        return TransactionSigner.Sign(transaction, state.ChainId, [key]);
    }

    /// <summary>
    /// The Savanna rotation <c>tx rotate --finalizer-key</c> builds: regproducer with the key of
    /// <paramref name="dataCenter"/> and actfinkey with its finalizer key, signed with the failover permission.
    /// </summary>
    public PackedTransaction RotateOurKeyAndFinalizer(string dataCenter) => Sign(
        [
            new RegProducer(Ours, Node($"failover.bp/{dataCenter}").SigningKey.PublicKey, "https://failover.bp.example", 0),
            new ActFinKey(Ours, Node($"failover.bp/{dataCenter}").FinalizerKey!),
        ],
        "failover.bp",
        "failover",
        AccountKey("failover.bp", "failover"));

    /// <summary>regproducer for our producer with the key of <paramref name="dataCenter"/>, signed with the failover permission.</summary>
    public PackedTransaction RegisterOurKey(string dataCenter, string? apiNode = null, TimeSpan? expiresIn = null) => Sign(
        new RegProducer(Ours, Node($"failover.bp/{dataCenter}").SigningKey.PublicKey, "https://failover.bp.example", 0),
        "failover.bp",
        "failover",
        AccountKey("failover.bp", "failover"),
        expiresIn,
        apiNode: apiNode);

    /// <summary>The blocks with numbers in (from, to].</summary>
    public IEnumerable<SimBlock> Blocks(uint after) => State.Blocks.Where(b => b.Number > after);
}
