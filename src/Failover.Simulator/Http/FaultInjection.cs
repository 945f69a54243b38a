using Failover.Simulator.Chain;
using Failover.Simulator.Network;

namespace Failover.Simulator.Http;

/// <summary>Applies an API node's <see cref="ApiFaults"/> around a chain API call; shared by the HTTP host and the in-process handler.</summary>
internal static class FaultInjection
{
    /// <summary>
    /// Waits out latency (and, for a timeout, until <paramref name="cancellationToken"/> fires); returns the injected
    /// error status's answer, if any (an <see cref="ApiFaults.ErrorCode"/> is answered by the chain API instead).
    /// </summary>
    public static async Task<ChainApiResponse?> BeforeAsync(ApiFaults faults, TimeProvider time, CancellationToken cancellationToken)
    {
        if (faults.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.LatencyMs), time, cancellationToken).ConfigureAwait(false);
        }

        if (faults.Timeout)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(false);
        }

        // An error code is the node's own refusal, answered by the chain API (ChainApi.Handle's refuseWithCode).
        return faults.ErrorCode is not null ? null : faults.ErrorStatus switch
        {
            503 => ChainApi.Error(ChainErrors.Busy()),
            not null => ChainApi.Error(ChainErrors.InjectedInternalError()),
            null => null,
        };
    }

    /// <summary>A malformed body is the answer cut in half.</summary>
    public static ChainApiResponse After(ApiFaults faults, ChainApiResponse response) =>
        faults.Malformed ? response with { Body = response.Body[..(response.Body.Length / 2)] } : response;
}
