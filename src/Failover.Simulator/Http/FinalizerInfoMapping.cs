using Failover.Antelope;
using Failover.Antelope.Chain.Wire;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Http;

/// <summary>
/// The simulator's finalizer state as Spring's <c>get_finalizer_info</c> shows it (chain_plugin.cpp): the head's
/// active and pending policies, and the last votes of the keys in them.
/// </summary>
internal static class FinalizerInfoMapping
{
    public static GetFinalizerInfoResult Info(ChainState state) => new(
        Policy(state.Finalizers),
        state.PendingFinalizers is { } pending ? Policy(pending.Policy) : null,
        [.. state.LastVotes.Values.Where(v => state.IsVotingFinalizer(v.Key)).OrderBy(v => v.Producer.Value).ThenBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => new TrackedVote(v.Producer.ToString(), v.Key, true, v.PolicyGeneration, v.BlockId.ToString(), v.BlockNum, BlockTimestamp.FromSlot(v.Slot)))]);

    private static FinalizerPolicyInfo Policy(FinalizerPolicy policy) => new(
        policy.Generation,
        (ulong)policy.Threshold,
        [.. policy.Finalizers.Select(f => new FinalizerAuthorityInfo(f.Producer.ToString(), 1, f.Key))]);
}
