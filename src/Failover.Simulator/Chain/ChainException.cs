using System.Globalization;
using Failover.Antelope;

namespace Failover.Simulator.Chain;

/// <summary>
/// An error as nodeos reports it (protocol.md §1.0): the fc exception code, name and "what", one detail line, and
/// the HTTP status and message of the envelope. Transaction errors use 500 like nodeos's async push path.
/// </summary>
public sealed class ChainException : Exception
{
    public ChainException(int httpStatus, string httpMessage, long code, string errorName, string what, string detail, string file, int line, string method)
        : base(detail)
    {
        HttpStatus = httpStatus;
        HttpMessage = httpMessage;
        Code = code;
        ErrorName = errorName;
        What = what;
        File = file;
        Line = line;
        Method = method;
    }

    public int HttpStatus { get; }

    public string HttpMessage { get; }

    public long Code { get; }

    public string ErrorName { get; }

    public string What { get; }

    public string File { get; }

    public int Line { get; }

    public string Method { get; }
}

/// <summary>The nodeos errors the simulator raises, with their codes and texts (protocol.md §1.0, fixtures error.*.json).</summary>
public static class ChainErrors
{
    private const int InternalStatus = 500;
    private const string InternalMessage = "Internal Service Error";

    public static ChainException Expired(DateTimeOffset expiration, DateTimeOffset pendingBlockTime) => new(
        InternalStatus, InternalMessage, 3040005, "expired_tx_exception", "Expired Transaction",
        $"transaction has expired, expiration is {Time(expiration)} and pending block time is {Time(pendingBlockTime)}",
        "controller.cpp", 5993, "validate_expiration");

    public static ChainException ExpirationTooFar(DateTimeOffset expiration, DateTimeOffset pendingBlockTime) => new(
        InternalStatus, InternalMessage, 3040006, "tx_exp_too_far_exception", "Transaction Expiration Too Far",
        $"Transaction expiration is too far in the future relative to the reference time of {Time(pendingBlockTime)}, expiration is {Time(expiration)} and the maximum transaction lifetime is 3600 seconds",
        "controller.cpp", 5998, "validate_expiration");

    public static ChainException InvalidRefBlock(ushort refBlockNum, string actualId) => new(
        InternalStatus, InternalMessage, 3040007, "invalid_ref_block_exception", "Invalid Reference Block",
        $"Transaction's reference block {refBlockNum} did not match {actualId}. Is this transaction from a different fork?",
        "controller.cpp", 6009, "validate_tapos");

    public static ChainException Duplicate(string transactionId) => new(
        InternalStatus, InternalMessage, 3040008, "tx_duplicate", "Duplicate transaction",
        $"duplicate transaction {transactionId}", "producer_plugin.cpp", 1122, "on_incoming_transaction_async");

    /// <summary>fc's <c>FC_ASSERT(is_canonical(c), …)</c> in K1 key recovery: a plain <c>assert_exception</c>, not a chain error.</summary>
    public static ChainException NonCanonicalSignature() => new(
        InternalStatus, InternalMessage, 10, "assert_exception", "Assert Exception",
        "is_canonical( c ): signature is not canonical", "elliptic_secp256k1.cpp", 163, "public_key");

    public static ChainException DuplicateSignature(string legacyKey) => new(
        InternalStatus, InternalMessage, 3090001, "tx_duplicate_sig", "Duplicate signature included",
        $"transaction includes more than one signature signed using the same key associated with public key: {legacyKey}",
        "transaction.cpp", 71, "get_signature_keys");

    public static ChainException IrrelevantSignature(IEnumerable<string> unusedLegacyKeys) => new(
        InternalStatus, InternalMessage, 3090002, "tx_irrelevant_sig", "Irrelevant signature included",
        $"transaction bears irrelevant signatures from these keys: [{string.Join(",", unusedLegacyKeys.Select(k => $"\"{k}\""))}]",
        "authorization_manager.cpp", 572, "check_authorization");

    /// <summary>Any <c>delay_sec</c> once DISABLE_DEFERRED_TRXS_STAGE_1 is active (SPRING <c>transaction_context.cpp</c>).</summary>
    public static ChainException DelayedTransaction() => new(
        InternalStatus, InternalMessage, 3040000, "transaction_exception", "Transaction exception",
        "transaction cannot be delayed", "transaction_context.cpp", 292, "init_for_input_trx");

    public static ChainException UnsatisfiedAuthorization(string actor, string permission, IEnumerable<string> providedKeys) => new(
        InternalStatus, InternalMessage, 3090003, "unsatisfied_authorization", "Provided keys, permissions, and delays do not satisfy declared authorizations",
        $"transaction declares authority '{{\"actor\":\"{actor}\",\"permission\":\"{permission}\"}}', but does not have signatures for it under a provided delay of 0 ms, provided permissions [], provided keys [{string.Join(",", providedKeys.Select(k => $"\"{k}\""))}], and a delay max limit of 3888000000 ms",
        "authorization_manager.cpp", 566, "check_authorization");

    public static ChainException IrrelevantAuthority(string actor, string declared, string minimum) => new(
        InternalStatus, InternalMessage, 3090005, "irrelevant_auth_exception", "Irrelevant authority included",
        $"action declares irrelevant authority '{{\"actor\":\"{actor}\",\"permission\":\"{declared}\"}}'; minimum authority is {{\"actor\":\"{actor}\",\"permission\":\"{minimum}\"}}",
        "authorization_manager.cpp", 523, "check_authorization");

    public static ChainException MissingAuthority(string account) => new(
        InternalStatus, InternalMessage, 3090004, "missing_auth_exception", "Missing required authority",
        $"missing authority of {account}", "apply_context.cpp", 190, "require_authorization");

    public static ChainException NoAuthorizations() => new(
        InternalStatus, InternalMessage, 3040003, "tx_no_auths", "No authorization",
        "transaction must have at least one authorization", "transaction_context.cpp", 412, "init_for_input_trx");

    public static ChainException EosioAssert(string message) => new(
        InternalStatus, InternalMessage, 3050003, "eosio_assert_message_exception", "eosio_assert_message assertion failure",
        $"assertion failure with message: {message}", "cf_system.cpp", 14, "eosio_assert");

    public static ChainException InvalidActionArgs(string problem) => new(
        InternalStatus, InternalMessage, 3050002, "invalid_action_args_exception", "Invalid Action Arguments",
        problem, "abi_serializer.cpp", 580, "binary_to_variant");

    public static ChainException PackedTransactionType(string problem) => new(
        InternalStatus, InternalMessage, 3010010, "packed_transaction_type_exception", "Invalid packed transaction",
        problem, "transaction.cpp", 390, "unpack");

    public static ChainException UnknownAction(string account, string action) => new(
        InternalStatus, InternalMessage, 3050000, "action_validate_exception", "Action validate exception",
        $"the simulator's system contract has no action {account}::{action}", "apply_context.cpp", 61, "exec_one");

    public static ChainException UnknownBlock(string blockNumOrId, bool reversible = false) => reversible
        ? new(400, "Unknown Block", 3100002, "unknown_block_exception", "Unknown block",
            $"Could not find reversible block: {blockNumOrId}", "chain_plugin.cpp", 2164, "get_block_header_state")
        : new(400, "Unknown Block", 3100002, "unknown_block_exception", "Unknown block",
            $"Could not find block: {blockNumOrId}", "chain_plugin.cpp", 1972, "get_raw_block");

    public static ChainException UnknownAccount(string account) => new(
        400, "Account lookup", 3060002, "account_query_exception", "Account Query Exception",
        $"unable to retrieve account info: {account}", "chain_plugin.cpp", 2586, "get_account");

    public static ChainException InvalidRequest(string problem) => new(
        400, "Invalid Request", 3200006, "invalid_http_request", "invalid http request",
        problem, "http_plugin.hpp", 257, "parse_params");

    public static ChainException UnknownEndpoint() => new(
        404, "Not Found", 0, "exception", "unspecified", "Unknown Endpoint", "beast_http_session.hpp", 186, "handle_request");

    public static ChainException Busy() => new(503, "Busy", 503, "Busy", "Too many bytes in flight: 524288000", "", "", 0, "");

    public static ChainException InjectedInternalError() => Internal("simulated internal error");

    /// <summary>
    /// A node's refusal with fc error <paramref name="code"/> (an API fault's <c>error_code</c>): the real name and
    /// "what" of the well-known codes (SPRING <c>exceptions.hpp</c>) with an indicative detail as nodeos words it
    /// (<c>transaction_context.cpp</c> for the resource limits); any other code is a generic <c>exception</c>.
    /// </summary>
    public static ChainException Injected(long code, DateTimeOffset now)
    {
        var pendingBlockTime = BlockTimestamp.FromSlot(BlockTimestamp.ToSlot(now) + 1);
        return code switch
        {
            3080004 => new(
                InternalStatus, InternalMessage, code, "tx_cpu_usage_exceeded", "Transaction exceeded the current CPU usage limit imposed on the transaction",
                "billed CPU time (375 us) is greater than the maximum billable CPU time for the transaction (234 us)",
                "transaction_context.cpp", 487, "validate_account_cpu_usage"),
            3080002 => new(
                InternalStatus, InternalMessage, code, "tx_net_usage_exceeded", "Transaction exceeded the current network usage limit imposed on the transaction",
                "transaction net usage is too high: 192 > 0", "transaction_context.cpp", 397, "check_net_usage"),
            3080006 => new(
                InternalStatus, InternalMessage, code, "deadline_exception", "Transaction took too long",
                "deadline exceeded 30001us", "transaction_context.cpp", 444, "checktime"),
            3081001 => new(
                InternalStatus, InternalMessage, code, "leeway_deadline_exception", "Transaction reached the deadline set due to leeway on account CPU limits",
                "the transaction was unable to complete by deadline, but it is possible it could have succeeded if it were allowed to run to completion",
                "transaction_context.cpp", 452, "checktime"),
            3040005 => Expired(DateTimeOffset.FromUnixTimeSeconds(pendingBlockTime.ToUnixTimeSeconds() - 1), pendingBlockTime),
            3040006 => ExpirationTooFar(pendingBlockTime.AddSeconds(3601), pendingBlockTime),
            3040007 => InvalidRefBlock(0, new string('0', 64)),
            3050003 => EosioAssert("simulated failure"),
            3090003 => UnsatisfiedAuthorization("eosio", "active", []),
            _ => new(InternalStatus, InternalMessage, code, "exception", "unspecified", $"simulated error {code}", "http_plugin.cpp", 954, "handle_exception"),
        };
    }

    /// <summary>A generic fc exception (code 0), as nodeos reports anything unexpected.</summary>
    public static ChainException Internal(string message) => new(
        InternalStatus, InternalMessage, 0, "exception", "unspecified", message, "http_plugin.cpp", 954, "handle_exception");

    public static ChainException TableNotServed(string code, string scope, string table) => new(
        InternalStatus, InternalMessage, 3060003, "contract_table_query_exception", "Contract Table Query Exception",
        $"Table {table} of {code} (scope {scope}) is not served by the simulator; only eosio/eosio producers, finkeys and finalizers are", "chain_plugin.cpp", 1533, "get_table_rows");

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
