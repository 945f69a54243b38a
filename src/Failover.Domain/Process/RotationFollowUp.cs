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
}

/// <summary>
/// The timing rules of a rotation's transaction (design §6): how long it stays valid, when a request without its push
/// is taken over, and what to do about the rotation under way at each sample.
/// </summary>
public static class RotationFollowUp
{
    /// <summary>How long a transaction stays valid: long enough to be included, short enough to be rebuilt soon after a loss.</summary>
    public static readonly TimeSpan TransactionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>A request left without its push for this long (by any instance) is taken over: the same bytes, after checking the chain.</summary>
    public static readonly TimeSpan TakeoverAfter = TimeSpan.FromSeconds(30);

    /// <summary>The expiration of a transaction built on a head of <paramref name="headBlockTime"/>: a lifetime later, in whole seconds (the transaction header's unit).</summary>
    public static DateTimeOffset ExpirationAfter(DateTimeOffset headBlockTime) =>
        DateTimeOffset.FromUnixTimeSeconds((headBlockTime + TransactionLifetime).ToUnixTimeSeconds());

    /// <summary>What to do for the rotation under way in <paramref name="process"/> at a sample taken at <paramref name="sampledAt"/>.</summary>
    public static RotationStep At(FailoverProcess process, DateTimeOffset sampledAt)
    {
        ArgumentNullException.ThrowIfNull(process);
        return process.Phase switch
        {
            Phase.Requested { Rotation: var rotation } when sampledAt - rotation.RequestedAt >= TakeoverAfter => RotationStep.TakeOver,
            Phase.Requested or Phase.Submitted => RotationStep.ObserveChain,
            _ => RotationStep.None,
        };
    }
}
