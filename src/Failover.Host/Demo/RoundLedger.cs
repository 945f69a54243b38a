using Failover.Antelope;
using Failover.Antelope.Chain;

namespace Failover.Host.Demo;

/// <summary>A block slot: who was scheduled and the block produced in it, if any.</summary>
internal sealed record SlotOutcome(uint Slot, Name Scheduled, GetBlockInfoResult? Block)
{
    public bool Produced => Block is not null;
}

/// <summary>A completed round: how many scheduled producers made at least one block, and how our slots went.</summary>
internal sealed record RoundSummary(uint Round, int Participating, int Producers, int OursProduced, int OursMissed, bool Partial);

/// <summary>
/// Slot arithmetic of protocol.md §2.2–2.3 and a tally of rounds: each producer holds 12 consecutive slots, in
/// schedule order, and a round is <c>12 × producers</c> slots.
/// </summary>
internal sealed class RoundLedger(Name ours, uint firstObservedSlot)
{
    public const int SlotsPerProducer = 12;

    private readonly HashSet<Name> _participating = [];
    private int _oursProduced;
    private int _oursMissed;

    /// <summary>Rounds completed that were observed from their first slot.</summary>
    public int FullRounds { get; private set; }

    /// <summary>Our scheduled slots missed in a row, up to the latest recorded slot.</summary>
    public int ConsecutiveMissed { get; private set; }

    public static uint RoundOf(uint slot, int producers) => slot / (uint)(producers * SlotsPerProducer);

    public static Name ScheduledProducer(ProducerSchedule schedule, uint slot)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var count = schedule.Producers.Count;
        if (count == 0)
        {
            throw new FormatException("The active producer schedule is empty.");
        }

        var index = (int)(slot % (uint)(count * SlotsPerProducer) / SlotsPerProducer);
        return Name.Parse(schedule.Producers[index].ProducerName);
    }

    /// <summary>
    /// Whether <paramref name="slot"/> lies in the last producer's window of the <paramref name="fullRound"/>-th round
    /// watched from its start: the moment to cause an outage that the next round's windows feel in full.
    /// </summary>
    public bool IsInLastWindowOfFullRound(uint slot, int producers, int fullRound)
    {
        var roundLength = (uint)(producers * SlotsPerProducer);
        var position = slot % roundLength;
        var fullRoundsBefore = position == roundLength - 1 ? FullRounds - 1 : FullRounds; // Record counts a round at its last slot
        return slot - position >= firstObservedSlot && fullRoundsBefore == fullRound - 1 && position >= roundLength - SlotsPerProducer;
    }

    /// <summary>Records the next slot; returns the summary of its round when it is the round's last slot.</summary>
    public RoundSummary? Record(SlotOutcome outcome, int producers)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Block is { } block)
        {
            _participating.Add(Name.Parse(block.Producer));
        }

        if (outcome.Scheduled == ours)
        {
            if (outcome.Produced)
            {
                _oursProduced++;
                ConsecutiveMissed = 0;
            }
            else
            {
                _oursMissed++;
                ConsecutiveMissed++;
            }
        }

        var roundLength = (uint)(producers * SlotsPerProducer);
        if (outcome.Slot % roundLength != roundLength - 1)
        {
            return null;
        }

        var partial = outcome.Slot - (roundLength - 1) < firstObservedSlot;
        var summary = new RoundSummary(RoundOf(outcome.Slot, producers), _participating.Count, producers, _oursProduced, _oursMissed, partial);
        FullRounds += partial ? 0 : 1;
        _participating.Clear();
        _oursProduced = _oursMissed = 0;
        return summary;
    }
}
