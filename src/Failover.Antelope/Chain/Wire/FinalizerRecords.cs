using System.Text.Json.Serialization;

namespace Failover.Antelope.Chain.Wire;

/// <summary>Response of Spring's <c>get_finalizer_info</c> (protocol.md §1.11); a legacy (Leap) node has no such endpoint.</summary>
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
