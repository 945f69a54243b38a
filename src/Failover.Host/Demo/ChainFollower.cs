using Failover.Antelope;
using Failover.Antelope.Chain;

namespace Failover.Host.Demo;

/// <summary>
/// Follows the head block by block through <c>get_block_info</c>, checking each block links to the one before, and
/// attributes every empty slot between two blocks to the producer the schedule gave it.
/// </summary>
internal sealed class ChainFollower(ChainApiClient chain, GetBlockInfoResult start)
{
    public GetBlockInfoResult Last { get; private set; } = start;

    public static uint SlotOf(GetBlockInfoResult block) => BlockTimestamp.ToSlot(block.Timestamp);

    /// <summary>The slots from just after <see cref="Last"/> up to block <paramref name="head"/>, in order.</summary>
    public async Task<IReadOnlyList<SlotOutcome>> AdvanceAsync(uint head, ProducerSchedule schedule, CancellationToken cancellationToken)
    {
        var blocks = new List<GetBlockInfoResult>();
        for (var number = head; number > Last.BlockNum; number--)
        {
            blocks.Add(await chain.GetBlockInfoAsync(number, cancellationToken).ConfigureAwait(false));
        }

        blocks.Reverse();
        var outcomes = new List<SlotOutcome>();
        foreach (var block in blocks)
        {
            if (block.Previous != Last.Id || SlotOf(block) <= SlotOf(Last))
            {
                throw new DrillFailedException(
                    $"Block {block.BlockNum} does not follow block {Last.BlockNum} ({Last.Id}): the chain switched forks, which this drill does not handle.");
            }

            for (var slot = SlotOf(Last) + 1; slot < SlotOf(block); slot++)
            {
                outcomes.Add(new SlotOutcome(slot, RoundLedger.ScheduledProducer(schedule, slot), null));
            }

            outcomes.Add(new SlotOutcome(SlotOf(block), RoundLedger.ScheduledProducer(schedule, SlotOf(block)), block));
            Last = block;
        }

        return outcomes;
    }
}

/// <summary>The drill cannot go on; the message says why.</summary>
internal sealed class DrillFailedException(string message) : Exception(message);
