using System.Text.Json;
using System.Text.Json.Serialization;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Chain.Wire;

// Wire records of push_transaction, send_transaction and send_transaction2 (protocol.md §1.8).

/// <summary>
/// Response (HTTP 202) of <c>push_transaction</c>, <c>send_transaction</c> and <c>send_transaction2</c>.
/// Acceptance means the node executed the transaction speculatively, not that a block includes it.
/// </summary>
public sealed record PushTransactionResult(string TransactionId, TransactionTrace Processed);

/// <summary>
/// The transaction trace: the fields a caller acts on are typed; action traces (a tree for <c>push_transaction</c>,
/// a flat list otherwise) and exception details stay raw JSON. <see cref="Except"/> is set when
/// <c>send_transaction2</c> returns a failure trace.
/// </summary>
public sealed record TransactionTrace(
    string Id,
    uint BlockNum,
    DateTimeOffset BlockTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ProducerBlockId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] TransactionReceiptHeader? Receipt,
    long Elapsed,
    ulong NetUsage,
    bool Scheduled,
    IReadOnlyList<JsonElement> ActionTraces,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? AccountRamDelta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? Except,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? ErrorCode);

public sealed record TransactionReceiptHeader(string Status, uint CpuUsageUs, uint NetUsageWords);

/// <summary>
/// Body of <c>send_transaction2</c>: with <see cref="ReturnFailureTrace"/> a failed transaction comes back as HTTP 202
/// with <see cref="TransactionTrace.Except"/> set instead of an error body.
/// </summary>
public sealed record SendTransaction2Request(
    [property: JsonPropertyOrder(-1)] bool ReturnFailureTrace,
    [property: JsonPropertyOrder(-1)] bool RetryTrx,
    PackedTransaction Transaction,
    [property: JsonPropertyOrder(-1)] ushort? RetryTrxNumBlocks = null);
