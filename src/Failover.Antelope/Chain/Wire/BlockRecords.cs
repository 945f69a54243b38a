using System.Text.Json;
using System.Text.Json.Serialization;

namespace Failover.Antelope.Chain.Wire;

// Wire records of /v1/chain/get_info, get_block, get_block_info and get_block_header_state (protocol.md §1.1–1.3).
// Names, keys, ids and signatures are strings exactly as nodeos writes them; JSON names come from the snake_case policy
// of ChainJsonContext. Optional members that nodeos omits have defaults; members nodeos writes as null are [Never] ignored.
// A record named like a protocol or simulator type carries the suffix Json (BlockHeaderJson beside Blocks.BlockHeader,
// ProducerScheduleJson beside Scheduling.ProducerSchedule, …), so no file needs a using alias; the suffix never reaches
// the JSON, whose names come from the properties.

/// <summary>Response of <c>get_info</c>.</summary>
public sealed record GetInfoResult(
    string ServerVersion,
    string ChainId,
    uint HeadBlockNum,
    uint LastIrreversibleBlockNum,
    string LastIrreversibleBlockId,
    string HeadBlockId,
    DateTimeOffset HeadBlockTime,
    string HeadBlockProducer,
    ulong VirtualBlockCpuLimit,
    ulong VirtualBlockNetLimit,
    ulong BlockCpuLimit,
    ulong BlockNetLimit,
    string? ServerVersionString = null,
    uint? ForkDbHeadBlockNum = null,
    string? ForkDbHeadBlockId = null,
    string? ServerFullVersionString = null,
    ulong? TotalCpuWeight = null,
    ulong? TotalNetWeight = null,
    uint? EarliestAvailableBlockNum = null,
    DateTimeOffset? LastIrreversibleBlockTime = null);

/// <summary>
/// Response of <c>get_block</c>, legacy DPoS and Savanna. <see cref="ScheduleVersion"/> is 2147483648 (2^31) on a
/// proper Savanna block. Property order is nodeos's key order (some optional members sit between required ones).
/// </summary>
public sealed record GetBlockResult(
    [property: JsonPropertyOrder(1)] DateTimeOffset Timestamp,
    [property: JsonPropertyOrder(2)] string Producer,
    [property: JsonPropertyOrder(3)] ushort Confirmed,
    [property: JsonPropertyOrder(4)] string Previous,
    [property: JsonPropertyOrder(5)] string TransactionMroot,
    [property: JsonPropertyOrder(6)] string ActionMroot,
    [property: JsonPropertyOrder(7)] uint ScheduleVersion,
    [property: JsonPropertyOrder(8), JsonIgnore(Condition = JsonIgnoreCondition.Never)] LegacyProducerSchedule? NewProducers,
    [property: JsonPropertyOrder(12)] string ProducerSignature,
    [property: JsonPropertyOrder(13)] IReadOnlyList<BlockTransaction> Transactions,
    [property: JsonPropertyOrder(16)] string Id,
    [property: JsonPropertyOrder(17)] uint BlockNum,
    [property: JsonPropertyOrder(18)] uint RefBlockPrefix,
    [property: JsonPropertyOrder(9)] IReadOnlyList<JsonElement>? NewProtocolFeatures = null,
    [property: JsonPropertyOrder(10)] ProducerScheduleJson? NewProducerSchedule = null,
    [property: JsonPropertyOrder(11)] FinalityExtensionJson? FinalityExtension = null,
    [property: JsonPropertyOrder(14)] IReadOnlyList<string>? AdditionalSignatures = null,
    [property: JsonPropertyOrder(15)] QcExtension? QcExtension = null);

/// <summary>A transaction receipt in a block.</summary>
public sealed record BlockTransaction(string Status, uint CpuUsageUs, uint NetUsageWords, BlockTrx Trx);

/// <summary>A block's <c>trx</c>: an id only (deferred transaction) or the packed transaction with its decoded form.</summary>
[JsonConverter(typeof(BlockTrxConverter))]
public sealed record BlockTrx(string Id, BlockPackedTransaction? Packed = null);

/// <summary>A packed transaction as <c>get_block</c> shows it.</summary>
public sealed record BlockPackedTransaction(
    string Id,
    IReadOnlyList<string> Signatures,
    [property: JsonConverter(typeof(CompressionNameConverter))] string Compression,
    string PackedContextFreeData,
    IReadOnlyList<string> ContextFreeData,
    string PackedTrx,
    TransactionJson Transaction);

/// <summary>An unpacked transaction in nodeos JSON (also the <c>transaction</c> of <c>get_required_keys</c>).</summary>
public sealed record TransactionJson(
    [property: JsonConverter(typeof(TimePointSecConverter))] DateTimeOffset Expiration,
    ushort RefBlockNum,
    uint RefBlockPrefix,
    uint MaxNetUsageWords,
    byte MaxCpuUsageMs,
    uint DelaySec,
    IReadOnlyList<ActionJson> ContextFreeActions,
    IReadOnlyList<ActionJson> Actions,
    IReadOnlyList<JsonElement>? TransactionExtensions = null);

/// <summary>An action in nodeos JSON; <see cref="Data"/> is a hex string or the ABI-decoded object.</summary>
public sealed record ActionJson(
    string Account,
    string Name,
    IReadOnlyList<ActionAuthorization> Authorization,
    JsonElement Data,
    string? HexData = null);

/// <summary>A permission level <c>{actor, permission}</c>.</summary>
public sealed record ActionAuthorization(string Actor, string Permission);

/// <summary>Legacy (pre-WTMSIG) schedule in a block header: <c>{version, producers:[{producer_name, block_signing_key}]}</c>.</summary>
public sealed record LegacyProducerSchedule(uint Version, IReadOnlyList<LegacyProducerKey> Producers);

public sealed record LegacyProducerKey(string ProducerName, string BlockSigningKey);

/// <summary>Savanna header extension 2: the QC claim and the optional policy diffs (written as explicit nulls).</summary>
public sealed record FinalityExtensionJson(
    QcClaim QcClaim,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? NewFinalizerPolicyDiff = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ProposerPolicyDiffJson? NewProposerPolicyDiff = null);

public sealed record QcClaim(uint BlockNum, bool IsStrongQc);

/// <summary>A proposed producer-schedule change under Savanna; the observer tracks <see cref="Version"/>.</summary>
public sealed record ProposerPolicyDiffJson(uint Version, DateTimeOffset ProposalTime, JsonElement ProducerAuthDiff);

/// <summary>Savanna block extension 3: the quorum certificate.</summary>
public sealed record QcExtension(QuorumCertificate Qc);

public sealed record QuorumCertificate(uint BlockNum, QcPolicySignature ActivePolicySig, QcPolicySignature? PendingPolicySig = null);

public sealed record QcPolicySignature(
    [property: JsonPropertyOrder(1)] string Sig,
    JsonElement? StrongVotes = null,
    JsonElement? WeakVotes = null);

/// <summary>Response of <c>get_block_info</c>: the cheap fixed header subset an observer polls.</summary>
public sealed record GetBlockInfoResult(
    uint BlockNum,
    ushort RefBlockNum,
    string Id,
    DateTimeOffset Timestamp,
    string Producer,
    ushort Confirmed,
    string Previous,
    string TransactionMroot,
    string ActionMroot,
    uint ScheduleVersion,
    string ProducerSignature,
    uint RefBlockPrefix);

/// <summary>A signed block header with raw extensions, as <c>get_block_header_state</c> shows it.</summary>
public sealed record BlockHeaderJson(
    [property: JsonPropertyOrder(1)] DateTimeOffset Timestamp,
    [property: JsonPropertyOrder(2)] string Producer,
    [property: JsonPropertyOrder(3)] ushort Confirmed,
    [property: JsonPropertyOrder(4)] string Previous,
    [property: JsonPropertyOrder(5)] string TransactionMroot,
    [property: JsonPropertyOrder(6)] string ActionMroot,
    [property: JsonPropertyOrder(7)] uint ScheduleVersion,
    [property: JsonPropertyOrder(9)] IReadOnlyList<HeaderExtensionJson> HeaderExtensions,
    [property: JsonPropertyOrder(8)] LegacyProducerSchedule? NewProducers = null,
    [property: JsonPropertyOrder(10)] string? ProducerSignature = null);

/// <summary>A header or block extension <c>[id, "hex"]</c> (id 2 in a header = Savanna finality extension).</summary>
[JsonConverter(typeof(HeaderExtensionConverter))]
public sealed record HeaderExtensionJson(ushort Type, string Data);

/// <summary>
/// Response of <c>get_block_header_state</c>. On Spring only <see cref="BlockNum"/>, <see cref="Id"/>,
/// <see cref="Header"/> and <see cref="AdditionalSignatures"/> are meaningful (the rest is zero); on legacy Leap it is
/// the full DPoS state, including the <c>dpos_*</c> irreversibility numbers.
/// </summary>
public sealed record GetBlockHeaderStateResult(
    uint BlockNum,
    uint DposProposedIrreversibleBlocknum,
    uint DposIrreversibleBlocknum,
    ProducerScheduleJson ActiveSchedule,
    IncrementalMerkle BlockrootMerkle,
    IReadOnlyList<ProducerBlockNumber> ProducerToLastProduced,
    IReadOnlyList<ProducerBlockNumber> ProducerToLastImpliedIrb,
    [property: JsonConverter(typeof(FcSigningAuthorityConverter))] SigningAuthority ValidBlockSigningAuthority,
    IReadOnlyList<uint> ConfirmCount,
    string Id,
    BlockHeaderJson Header,
    PendingSchedule PendingSchedule,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ActivatedProtocolFeatures? ActivatedProtocolFeatures,
    IReadOnlyList<string> AdditionalSignatures);

public sealed record IncrementalMerkle(
    [property: JsonPropertyName("_active_nodes")] IReadOnlyList<string> ActiveNodes,
    [property: JsonPropertyName("_node_count")] ulong NodeCount);

[JsonConverter(typeof(ProducerBlockNumberConverter))]
public sealed record ProducerBlockNumber(string Producer, uint BlockNum);

public sealed record PendingSchedule(uint ScheduleLibNum, string ScheduleHash, ProducerScheduleJson Schedule);

public sealed record ActivatedProtocolFeatures(IReadOnlyList<string> ProtocolFeatures);
