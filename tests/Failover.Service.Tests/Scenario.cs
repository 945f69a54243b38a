using Failover.Antelope;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>What the scenarios assert again and again: about the process stream, the pushes and the chain.</summary>
internal static class Scenario
{
    public const string Dc1 = "failover.bp/dc1";
    public const string Dc2 = "failover.bp/dc2";

    /// <summary>The happy path of one rotation, in order.</summary>
    public static readonly string[] OneRotation =
        ["failover-triggered.v1", "key-rotation-requested.v1", "key-rotation-submitted.v1", "key-rotated.v1", "signing-key-activated.v1", "failover-completed.v1"];

    /// <summary>
    /// Exactly one rotation was decided and requested, every push carried its transaction, and the chain (api1's
    /// branch) holds that transaction once and no other — the only transactions in the simulation are the service's.
    /// </summary>
    public static async Task<KeyRotationRequested> ExactlyOneRotationOnChainAsync(ServiceRig rig, string? apiNode = null)
    {
        var process = await rig.ProcessEventsAsync();
        Assert.Single(process.OfType<FailoverTriggered>());
        var requested = Assert.Single(process.OfType<KeyRotationRequested>());
        Assert.NotEmpty(rig.RecordedPushes);
        Assert.All(rig.RecordedPushes, p => Assert.Equal(requested.TransactionId, p.TransactionId));
        var included = Assert.Single(rig.TransactionsOnChain(apiNode));
        Assert.Equal(requested.TransactionId, included.TransactionId);

        // design §2.4: what the chain applied is, byte for byte, the transaction recorded before it was sent.
        var block = rig.Simulator.View(apiNode).BlockByNumber(included.BlockNum)!;
        Assert.Equal(requested.PackedTransaction, Convert.ToHexStringLower(block.Transactions.Single().PackedTrx));
        return requested;
    }

    /// <summary>Nothing was pushed and the chain holds no transaction: the service did not act.</summary>
    public static async Task NothingSentAsync(ServiceRig rig)
    {
        Assert.Empty(rig.RecordedPushes);
        Assert.Empty(rig.TransactionsOnChain());
        var process = await rig.ProcessEventsAsync();
        Assert.Empty(process.OfType<FailoverTriggered>());
        Assert.Empty(process.OfType<KeyRotationRequested>());
    }

    /// <summary>The reasons of every suppression recorded, in order (one event per incident and new reason).</summary>
    public static async Task<List<FailoverSuppressed>> SuppressionsAsync(ServiceRig rig) =>
        [.. (await rig.ProcessEventsAsync()).OfType<FailoverSuppressed>()];

    /// <summary>Our missed blocks on the branch the chain stream ends on (misses orphaned by a fork switch are not counted).</summary>
    public static async Task<List<BlockMissed>> OurMissesAsync(ServiceRig rig)
    {
        var misses = new SortedDictionary<uint, BlockMissed>();
        foreach (var e in await rig.ChainEventsAsync())
        {
            switch (e)
            {
                case BlockMissed m:
                    misses[m.Slot] = m;
                    break;
                case ForkSwitched f:
                    foreach (var slot in misses.Values.Where(m => m.RevealedByBlockNum > f.ForkBlockNum).Select(m => m.Slot).ToList())
                    {
                        misses.Remove(slot);
                    }

                    break;
            }
        }

        return [.. misses.Values.Where(m => m.ScheduledProducer == ServiceRig.OursText)];
    }

    /// <summary>
    /// A stream's versions are 0, 1, 2, … without a gap or repeat, and no event id appears twice: nothing was
    /// appended twice, whatever restarted in between.
    /// </summary>
    public static void IsDense(IReadOnlyList<RecordedEvent> records)
    {
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Version));
        Assert.Equal(records.Count, records.Select(r => r.EventId).Distinct().Count());
    }

    /// <summary>The chain stream holds each block once (no fork in the scenario), and its versions are dense.</summary>
    public static async Task ChainStreamHoldsEachBlockOnceAsync(ServiceRig rig)
    {
        var records = await rig.RecordsAsync(rig.ChainStream);
        IsDense(records);
        var events = await rig.ChainEventsAsync();
        var blocks = events.OfType<BlockProduced>().ToList();
        Assert.Equal(blocks.Count, blocks.Select(b => b.BlockId).Distinct().Count());
        Assert.Equal(blocks.Count, blocks.Select(b => b.BlockNum).Distinct().Count());
        var misses = events.OfType<BlockMissed>().ToList();
        Assert.Equal(misses.Count, misses.Select(m => m.Slot).Distinct().Count());
    }

    /// <summary>The simulator's test keys of our data centers.</summary>
    public static PublicKey SigningKeyOf(ServiceRig rig, string dataCenter) =>
        rig.Simulator.Roster.NodesOf(ServiceRig.Ours).Single(n => n.DataCenter == dataCenter).SigningKey.PublicKey;

    /// <summary>The slot of the first block of the window holding <paramref name="slot"/>.</summary>
    public static uint WindowStart(uint slot) => slot - (slot % 12);

    /// <summary>Our producer's slots (the first of each of its windows) in a schedule of <paramref name="producers"/>, from <paramref name="from"/>.</summary>
    public static IEnumerable<uint> OurWindowsFrom(ServiceRig rig, uint from)
    {
        var schedule = rig.Simulator.View().ActiveSchedule;
        for (var slot = WindowStart(from); ; slot += 12)
        {
            if (schedule.ProducerForSlot(slot).Producer == ServiceRig.Ours)
            {
                yield return slot;
            }
        }
    }

    /// <summary>The (first) instance's process shows <paramref name="rotations"/> requested and the last completed (a block of the new key).</summary>
    public static bool Completed(ServiceRig rig, int rotations = 1) => Completed(rig.Manager, rotations);

    public static bool Completed(Process.ProcessManager manager, int rotations = 1) =>
        manager.Process.LastCompletedAt is not null && manager.Process.RotationsRequested >= rotations && manager.Process.Phase is Domain.Process.Phase.Idle;

    public static ConsensusMode Savanna => ConsensusMode.Savanna;
}
