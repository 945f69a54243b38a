using Failover.Domain.Events;

namespace Failover.Domain.Process;

/// <summary>
/// The cap of automatic rotations (design §5): at most <c>MaxRotationsPer24h</c> in any 24 h; the rotation that reaches
/// it latches automation off until an operator re-arms it. One window (the process fold and the evidence count in it)
/// and one "reaches the cap" rule (the decider's, recorded as <see cref="AutomationLatched"/>).
/// </summary>
public static class RotationCap
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>The automatic rotations that count toward the cap at <paramref name="at"/>: requested less than <see cref="Window"/> before it.</summary>
    public static IReadOnlyList<DateTimeOffset> CountingAt(IEnumerable<DateTimeOffset> automaticRotations, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(automaticRotations);
        return [.. automaticRotations.Where(t => at - t < Window)];
    }

    /// <summary>
    /// Whether automation latches off with this decision: an automatic rotation (not an operator's) that, counted with
    /// the <paramref name="countingBefore"/> automatic rotations already in the window, reaches the cap of the policy
    /// recorded with it. The decider asks once and records the answer as <see cref="AutomationLatched"/>; every reader
    /// (the process fold, the history read model, the alerts) reads that event and recomputes nothing.
    /// </summary>
    public static bool IsReachedBy(FailoverTriggered trigger, int countingBefore)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return trigger.Evidence.Manual is null && countingBefore + 1 >= trigger.Policy.MaxRotationsPer24h;
    }
}
