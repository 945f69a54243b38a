using System.Text.Json.Serialization;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Http;

// Spring's /v1/chain/get_finalizer_info (protocol.md §1.11). The chain client has no record for it yet, so the
// simulator defines the wire shape here with the same nodeos conventions.

/// <summary>Response of <c>get_finalizer_info</c>.</summary>
public sealed record GetFinalizerInfoResult(
    FinalizerPolicyInfo ActiveFinalizerPolicy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] FinalizerPolicyInfo? PendingFinalizerPolicy,
    IReadOnlyList<TrackedVote> LastTrackedVotes);

public sealed record FinalizerPolicyInfo(uint Generation, ulong Threshold, IReadOnlyList<FinalizerAuthorityInfo> Finalizers);

public sealed record FinalizerAuthorityInfo(string Description, ulong Weight, string PublicKey);

/// <summary>A finalizer's latest vote: which block it voted for, strong or weak, under which policy generation.</summary>
public sealed record TrackedVote(
    string Description,
    string PublicKey,
    bool IsVoteStrong,
    uint FinalizerPolicyGeneration,
    string VotedForBlockId,
    uint VotedForBlockNum,
    DateTimeOffset VotedForBlockTimestamp);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(NodeosUInt64Converter), typeof(TimePointConverter)])]
[JsonSerializable(typeof(GetFinalizerInfoResult))]
public sealed partial class FinalizerInfoJsonContext : JsonSerializerContext;

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
