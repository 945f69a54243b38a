namespace Failover.Domain.Chain;

/// <summary>
/// Our finalizer's current silence on the followed branch: the certificates since its last recorded vote that do not
/// carry it, from the first (<see cref="First"/>) to the latest (<see cref="Latest"/>). Blocks whose vote is not known
/// (no certificate, or one the observer could not map) neither extend nor end it.
/// </summary>
public sealed record SilentRun(RecordedBlock First, RecordedBlock Latest, int Certificates)
{
    /// <summary>Chain time from the first silent certificate's block to the latest's.</summary>
    public TimeSpan Span => TimeSpan.FromMilliseconds(500.0 * (Latest.Slot - First.Slot));
}

/// <summary>Finds our finalizer's silence in the recorded certificates (<see cref="RecordedBlock.OurFinalizerVoted"/>).</summary>
public static class FinalizerSilence
{
    /// <summary>The silence reaching the head's latest known certificate, or null when our finalizer voted in it.</summary>
    public static SilentRun? Current(ObservedChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        RecordedBlock? first = null;
        RecordedBlock? latest = null;
        var certificates = 0;
        foreach (var block in chain.Blocks.Values.Reverse())
        {
            if (block.OurFinalizerVoted is not { } voted)
            {
                continue;
            }

            if (voted)
            {
                break;
            }

            latest ??= block;
            first = block;
            certificates++;
        }

        return first is null ? null : new SilentRun(first, latest!, certificates);
    }
}
