namespace Failover.Antelope.Scheduling;

/// <summary>
/// Slot arithmetic of block production (protocol.md §2.1–2.2). A <em>slot</em> is a half-second step since
/// 2000-01-01; a producer's <em>window</em> is its 12 consecutive slots, starting where <c>slot mod 12 = 0</c>; a
/// <em>round</em> is the N × 12 slots in which each of a schedule's N producers has its window once, aligned to
/// absolute slot numbers (not to the schedule's activation). Spring's code says "round" for a window.
/// </summary>
public static class Slots
{
    /// <summary><c>producer_repetitions</c>: slots in one producer's window.</summary>
    public const int PerWindow = 12;

    /// <summary>The first slot of the window holding <paramref name="slot"/>.</summary>
    public static uint WindowStart(uint slot) => slot - (slot % PerWindow);

    /// <summary>Slots in a round of a schedule of <paramref name="producers"/> producers.</summary>
    public static ulong RoundLength(int producers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(producers, 1);
        return (ulong)producers * PerWindow;
    }

    /// <summary>The first slot of the round holding <paramref name="slot"/> under a schedule of <paramref name="producers"/>.</summary>
    public static uint RoundStart(uint slot, int producers) => (uint)(slot - (slot % RoundLength(producers)));

    /// <summary>The last slot of the round holding <paramref name="slot"/> (the last slot there is, in the final incomplete round of the range).</summary>
    public static uint RoundEnd(uint slot, int producers) => (uint)Math.Min(uint.MaxValue, RoundStart(slot, producers) + RoundLength(producers) - 1);

    /// <summary>protocol.md §2.2: the schedule index producing at <paramref name="slot"/> = (slot mod (N × 12)) div 12.</summary>
    public static int ProducerIndex(uint slot, int producers) => (int)(slot % RoundLength(producers) / PerWindow);
}
