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

/// <summary>
/// A row of the system contract's <c>finkeys</c> table (<c>finalizer_key_info</c>, protocol.md §3.5): a BLS key
/// <see cref="FinalizerName"/> registered with <c>regfinkey</c>. Primary key <see cref="Id"/> (from <c>finkeyidgen</c>);
/// secondary index <c>byfinname</c> (index_position 2) on the finalizer's name, <c>byfinkey</c> (3) on the sha256 of
/// <see cref="FinalizerKeyBinary"/>, the key's bytes (ABI <c>bytes</c>: hex).
/// </summary>
public sealed record FinalizerKeyRowJson(ulong Id, string FinalizerName, string FinalizerKey, string FinalizerKeyBinary);

/// <summary>
/// A row of the system contract's <c>finalizers</c> table (<c>finalizer_info</c>, primary key the finalizer's name): its
/// active key, by id in <c>finkeys</c> and by bytes (hex), and how many keys it registered. No row: no key registered.
/// </summary>
public sealed record FinalizerRowJson(string FinalizerName, ulong ActiveKeyId, string ActiveKeyBinary, uint FinalizerKeyCount);

/// <summary>
/// The finalizer keys the system contract registers for one finalizer (<see cref="Chain.ChainApiClient.GetFinalizerKeysAsync"/>):
/// its <c>finkeys</c> rows in id order and the one its <c>finalizers</c> row names active (null when it has none: no key).
/// <c>actfinkey</c> succeeds only for a key of <see cref="Keys"/> other than <see cref="Active"/>.
/// </summary>
public sealed record FinalizerKeyRegistration(string Finalizer, IReadOnlyList<FinalizerKeyRowJson> Keys, FinalizerKeyRowJson? Active);
