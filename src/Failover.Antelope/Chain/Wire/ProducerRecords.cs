using System.Text.Json.Serialization;

namespace Failover.Antelope.Chain.Wire;

// Wire records of get_producer_schedule, get_producers and get_table_rows on eosio/eosio/producers (protocol.md §1.4–1.6).

/// <summary>
/// Response of <c>get_producer_schedule</c>. Each member is null when absent (nodeos writes the nulls). Under Savanna
/// <see cref="Pending"/> is the latest pending proposer policy and <see cref="Proposed"/> is always null.
/// </summary>
public sealed record GetProducerScheduleResult(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ProducerScheduleJson? Active,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ProducerScheduleJson? Pending,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ProducerScheduleJson? Proposed);

/// <summary>A producer schedule <c>{version, producers}</c>; producers are in ascending name order.</summary>
public sealed record ProducerScheduleJson(uint Version, IReadOnlyList<ProducerAuthority> Producers);

/// <summary>A schedule entry; <see cref="Authority"/> is the fc variant <c>[0, {threshold, keys}]</c> on the wire.</summary>
public sealed record ProducerAuthority(
    string ProducerName,
    [property: JsonConverter(typeof(FcSigningAuthorityConverter))] SigningAuthority Authority);

/// <summary><c>block_signing_authority_v0</c>: a block is valid when its signers' weights reach <see cref="Threshold"/>.</summary>
public sealed record SigningAuthority(uint Threshold, IReadOnlyList<AuthorityKey> Keys);

/// <summary>A key with its weight (<c>{key, weight}</c>), in block signing authorities and account permissions.</summary>
public sealed record AuthorityKey(string Key, ushort Weight);

/// <summary>
/// Response of <c>get_producers</c> (with <c>json: true</c>): rows in vote order, the total vote weight and
/// <see cref="More"/>, the next <c>lower_bound</c> (empty when done).
/// </summary>
public sealed record GetProducersResult(
    IReadOnlyList<ProducerRowJson> Rows,
    double TotalProducerVoteWeight,
    string More);

/// <summary>
/// A row of the system contract's <c>producers</c> table (<c>producer_info</c>): <c>is_active</c> is an ABI bool (0/1),
/// <c>total_votes</c> a float64 string, and <see cref="ProducerAuthority"/> the ABI variant
/// <c>["block_signing_authority_v0", {…}]</c>, absent on rows no ≥ v1.9 system contract has written.
/// A deactivated producer (after <c>unregprod</c>) has the all-zero key <c>EOS1111111111111111111111111111111114T1Anm</c>.
/// </summary>
public sealed record ProducerRowJson(
    string Owner,
    double TotalVotes,
    string ProducerKey,
    [property: JsonConverter(typeof(AbiBoolConverter))] bool IsActive,
    string Url,
    uint UnpaidBlocks,
    DateTimeOffset LastClaimTime,
    ushort Location,
    [property: JsonConverter(typeof(AbiSigningAuthorityConverter))] SigningAuthority? ProducerAuthority = null);

/// <summary>
/// Response of <c>get_table_rows</c>. <see cref="NextKey"/> is the next key to use as <c>lower_bound</c> when
/// <see cref="More"/> is true. Rows are objects with <c>json: true</c>, hex strings otherwise, and
/// <c>{data, payer}</c> with <c>show_payer: true</c>.
/// </summary>
public sealed record GetTableRowsResult<TRow>(IReadOnlyList<TRow> Rows, bool More, string NextKey);
