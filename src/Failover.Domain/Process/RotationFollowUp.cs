using Failover.Domain.Events;

namespace Failover.Domain.Process;

/// <summary>What the process manager does for the rotation under way at a sample of its observer.</summary>
public enum RotationStep
{
    /// <summary>No rotation is waiting on the chain.</summary>
    None,

    /// <summary>Read the chain (our producers-table row, the LIB's time): has it applied, or can it no longer apply?</summary>
    ObserveChain,

    /// <summary>The request has waited too long for its push (its instance died): check the chain, then push the same bytes.</summary>
    TakeOver,

    /// <summary>Push the same bytes again (<see cref="RotationFollowUp.NextPush"/>): the last push proved it was not applied, or its answer was lost.</summary>
    Push,
}

/// <summary>Where and from when the same bytes are pushed again.</summary>
public sealed record PushPlan(string Endpoint, DateTimeOffset DueAt);

/// <summary>
/// The timing rules of a rotation's transaction (design §6): how long it stays valid, when a request without its push
/// is taken over, when the same bytes are pushed again and where, how many transactions one incident may have, and what
/// to do about the rotation under way at each sample.
/// </summary>
public static class RotationFollowUp
{
    /// <summary>How long a transaction stays valid: long enough to be included, short enough to be rebuilt soon after a loss.</summary>
    public static readonly TimeSpan TransactionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>A request left without its push for this long (by any instance) is taken over: the same bytes, after checking the chain.</summary>
    public static readonly TimeSpan TakeoverAfter = TimeSpan.FromSeconds(30);

    /// <summary>After a push whose answer was lost, the same bytes go out again this much later (the chain applies an id once).</summary>
    public static readonly TimeSpan LostAnswerResendAfter = TimeSpan.FromSeconds(3);

    /// <summary>The longest wait between two rounds over the agreeing endpoints.</summary>
    public static readonly TimeSpan MaxRoundDelay = TimeSpan.FromSeconds(15);

    /// <summary>The same bytes are not pushed within this much of their expiration: they could hardly be included in time.</summary>
    public static readonly TimeSpan StopBeforeExpiration = TimeSpan.FromSeconds(10);

    /// <summary>At most this many pushes of one transaction; then the service waits for it to apply or to expire.</summary>
    public const int PushesPerTransaction = 12;

    /// <summary>At most this many transactions for one incident: after the last expires unapplied, an operator decides.</summary>
    public const int TransactionsPerIncident = 3;

    /// <summary>The expiration of a transaction built on a head of <paramref name="headBlockTime"/>: a lifetime later, in whole seconds (the transaction header's unit).</summary>
    public static DateTimeOffset ExpirationAfter(DateTimeOffset headBlockTime) =>
        DateTimeOffset.FromUnixTimeSeconds((headBlockTime + TransactionLifetime).ToUnixTimeSeconds());

    /// <summary>
    /// What to do for the rotation under way in <paramref name="process"/> at a sample taken at
    /// <paramref name="sampledAt"/>, when <paramref name="agreeing"/> are the endpoints that agreed with the recorded chain
    /// at that sample (in preference order).
    /// </summary>
    public static RotationStep At(FailoverProcess process, DateTimeOffset sampledAt, IReadOnlyList<string> agreeing)
    {
        ArgumentNullException.ThrowIfNull(process);
        return process.Phase switch
        {
            Phase.Requested { Rotation: var rotation } when sampledAt - rotation.RequestedAt >= TakeoverAfter => RotationStep.TakeOver,
            Phase.Submitted { Rotation: var rotation } when NextPush(process, agreeing) is { } plan && sampledAt >= plan.DueAt && CanStillApply(rotation, sampledAt) => RotationStep.Push,
            Phase.Requested or Phase.Submitted => RotationStep.ObserveChain,
            _ => RotationStep.None,
        };
    }

    /// <summary>Whether the rotation's bytes are still worth pushing at <paramref name="now"/>: more than <see cref="StopBeforeExpiration"/> before they expire.</summary>
    public static bool CanStillApply(Rotation rotation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        return now < rotation.Expiration - StopBeforeExpiration;
    }

    /// <summary>
    /// Where and from when the rotation's bytes are pushed again, or null when they are not: no push yet (the request's
    /// own reaction, or a takeover, makes the first), a node already took them (accepted or duplicate: it keeps them until
    /// they expire), <see cref="PushesPerTransaction"/> reached, too close to the expiration, or no endpoint agrees.
    /// The endpoints take turns in <paramref name="agreeing"/>'s order, starting after the one pushed to last; within a
    /// round the next push is due at once, between rounds after 1, 2, 4 … s (at most <see cref="MaxRoundDelay"/>), and never
    /// sooner than <see cref="LostAnswerResendAfter"/> after a lost answer.
    /// </summary>
    public static PushPlan? NextPush(FailoverProcess process, IReadOnlyList<string> agreeing)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(agreeing);
        if (process.Phase is not Phase.Submitted { Rotation: var rotation } || process.Pushes.IsEmpty || agreeing.Count == 0
            || process.Pushes.Count >= PushesPerTransaction
            || process.Pushes.Any(p => p.Outcome is PushOutcomes.Accepted or PushOutcomes.Duplicate))
        {
            return null;
        }

        var last = process.Pushes[^1];
        var pushed = process.Pushes.Count;
        var roundDelay = pushed % agreeing.Count == 0
            ? TimeSpan.FromSeconds(Math.Min(Math.Pow(2, (pushed / agreeing.Count) - 1), MaxRoundDelay.TotalSeconds))
            : TimeSpan.Zero;
        var delay = last.Outcome == PushOutcomes.Unknown ? TimeSpan.FromTicks(Math.Max(roundDelay.Ticks, LostAnswerResendAfter.Ticks)) : roundDelay;
        var due = last.At + delay;
        if (!CanStillApply(rotation, due))
        {
            return null;
        }

        var next = agreeing[(IndexOf(agreeing, last.Endpoint) + 1) % agreeing.Count];
        return new PushPlan(next, due);
    }

    private static int IndexOf(IReadOnlyList<string> endpoints, string endpoint)
    {
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i] == endpoint)
            {
                return i;
            }
        }

        return -1;
    }
}
