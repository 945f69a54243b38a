namespace Failover.Antelope.Chain.Wire;

// Request bodies (protocol.md §1). The client sends them; the simulator reads them with the same context.
// get_info and get_producer_schedule take no parameters (the client sends `{}`); push/send take a PackedTransaction.

/// <summary>Body of <c>get_block</c> and <c>get_block_header_state</c>: a decimal block number or a 64-hex block id.</summary>
public sealed record GetBlockRequest(string BlockNumOrId);

/// <summary>Body of <c>get_block_info</c>.</summary>
public sealed record GetBlockInfoRequest(uint BlockNum);

/// <summary>Body of <c>get_producers</c>; <see cref="LowerBound"/> is a producer name (empty = from the top).</summary>
public sealed record GetProducersRequest(bool Json, string LowerBound, uint Limit, uint? TimeLimitMs = null);

/// <summary>Body of <c>get_table_rows</c>; see protocol.md §1.6 for the meaning of each member.</summary>
public sealed record GetTableRowsRequest(
    bool Json,
    string Code,
    string Scope,
    string Table,
    string LowerBound = "",
    string UpperBound = "",
    uint Limit = 10,
    string KeyType = "",
    string IndexPosition = "",
    string EncodeType = "dec",
    bool? Reverse = null,
    bool? ShowPayer = null,
    uint? TimeLimitMs = null);

/// <summary>Body of <c>get_account</c>.</summary>
public sealed record GetAccountRequest(string AccountName, string? ExpectedCoreSymbol = null);

/// <summary>Body of <c>get_raw_abi</c>; with <see cref="AbiHash"/> the node omits the ABI when it is unchanged.</summary>
public sealed record GetRawAbiRequest(string AccountName, string? AbiHash = null);

/// <summary>Body of <c>get_abi</c>.</summary>
public sealed record GetAbiRequest(string AccountName);

/// <summary>Body of <c>get_required_keys</c>.</summary>
public sealed record GetRequiredKeysRequest(TransactionJson Transaction, IReadOnlyList<string> AvailableKeys);
