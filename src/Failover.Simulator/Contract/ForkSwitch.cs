using Failover.Simulator.Chain;

namespace Failover.Simulator.Contract;

/// <summary>
/// What a node does with its transactions when it switches to another branch: those in its dropped blocks and
/// those still pending are applied again on the new branch (nodeos re-queues them as "forked"); the ones that no
/// longer pass (expired, already included, TaPoS on the dropped branch, …) are dropped.
/// </summary>
public static class ForkSwitch
{
    public static (ChainState State, int Requeued) Requeue(ChainState winner, ChainState loser, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(winner);
        ArgumentNullException.ThrowIfNull(loser);
        var forkPoint = CommonAncestor(winner, loser);
        var orphaned = loser.Blocks.Where(b => b.Number > forkPoint).SelectMany(b => b.Transactions)
            .Concat(loser.PendingTransactions.Select(t => t.Included));
        var state = winner;
        var requeued = 0;
        foreach (var transaction in orphaned)
        {
            try
            {
                (state, _) = TransactionProcessor.Accept(state, transaction.Packed, now);
                requeued++;
            }
            catch (ChainException)
            {
                // Rejected on the new branch, as nodeos would drop it.
            }
        }

        return (state, requeued);
    }

    /// <summary>The highest block number both branches share.</summary>
    private static uint CommonAncestor(ChainState a, ChainState b)
    {
        var number = Math.Min(a.Head.Number, b.Head.Number);
        while (number > 1 && a.BlockByNumber(number)!.Id != b.BlockByNumber(number)!.Id)
        {
            number--;
        }

        return number;
    }
}
