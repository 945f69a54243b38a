using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Http;

/// <summary>The simulator's finalizer state as Spring's <c>get_finalizer_info</c> shows it.</summary>
internal static class FinalizerInfoMapping
{
    public static GetFinalizerInfoResult Info(ChainState state) => new(
        Policy(state.Finalizers),
        state.ProposedFinalizers is { } proposed ? Policy(proposed.Policy) : null,
        [.. state.LastVotes.Values.OrderBy(v => v.Producer.Value).Select(v => new TrackedVote(
            v.Producer.ToString(), v.Key, true, v.PolicyGeneration, v.BlockId.ToString(), v.BlockNum, BlockTimestamp.FromSlot(v.Slot)))]);

    private static FinalizerPolicyInfo Policy(FinalizerPolicy policy) => new(
        policy.Generation,
        (ulong)policy.Threshold,
        [.. policy.Finalizers.Select(f => new FinalizerAuthorityInfo(f.Producer.ToString(), 1, f.Key))]);
}
