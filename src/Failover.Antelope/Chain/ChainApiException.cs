using System.Net;

namespace Failover.Antelope.Chain;

/// <summary>The error body nodeos sends with every non-2xx response (protocol.md §1.0).</summary>
public sealed record ChainErrorBody(int Code, string Message, ChainError Error);

/// <summary>The fc exception inside an error body; <see cref="Code"/> identifies the failure, not the HTTP status.</summary>
public sealed record ChainError(long Code, string Name, string What, IReadOnlyList<ChainErrorDetail> Details);

public sealed record ChainErrorDetail(string Message, string File, ulong LineNumber, string Method);

/// <summary>fc exception codes the callers act on (SPRING <c>libraries/chain/include/eosio/chain/exceptions.hpp</c>).</summary>
public static class ChainErrorCodes
{
    public const long ExpiredTransaction = 3040005;
    public const long InvalidRefBlock = 3040007;
    public const long DuplicateTransaction = 3040008;
    public const long EosioAssert = 3050003;
    public const long AccountQuery = 3060002;
    public const long UnsatisfiedAuthorization = 3090003;
    public const long UnknownBlock = 3100002;
    public const long InvalidHttpRequest = 3200006;

    /// <summary>Codes from here up are <c>eosio::chain</c> exceptions; below are generic fc/std errors.</summary>
    public const long FirstChainException = 3000000;

    public const long NetUsageExceeded = 3080002;
    public const long CpuUsageExceeded = 3080004;
    public const long Deadline = 3080006;
    public const long LeewayDeadline = 3081001;

    /// <summary>nodeos's overload response uses the HTTP status as <c>error.code</c>.</summary>
    public const long Busy = 503;

    /// <summary>
    /// Refusals of a transaction that prove it was not applied and that the same bytes may pass later or at another
    /// node: the resource limits of the moment (CPU, NET, the deadline, the leeway) and a ref block the node lacks (it
    /// follows another branch, or is behind). Expiry is not among them: the same bytes can never pass it.
    /// </summary>
    public static IReadOnlySet<long> NotAppliedTransient { get; } = new HashSet<long> { NetUsageExceeded, CpuUsageExceeded, Deadline, LeewayDeadline, InvalidRefBlock };
}

/// <summary>
/// A chain API call failed. For a nodeos error body, <see cref="Code"/>, <see cref="ErrorName"/>, <see cref="What"/>
/// and <see cref="Details"/> come from <c>error</c>; classify with the <c>Is…</c> helpers, which look at the fc code
/// because nodeos reports most transaction failures as HTTP 500 whatever their cause.
/// </summary>
public class ChainApiException : Exception
{
    /// <summary>An error body returned by nodeos.</summary>
    public ChainApiException(string endpoint, HttpStatusCode httpStatus, ChainErrorBody body)
        : base(Describe(endpoint, httpStatus, body))
    {
        Endpoint = endpoint;
        HttpStatus = httpStatus;
        Code = body.Error.Code;
        ErrorName = body.Error.Name;
        What = body.Error.What;
        Details = body.Error.Details;
    }

    /// <summary>A failure without an error body (timeouts, connection errors, malformed responses).</summary>
    protected ChainApiException(string endpoint, HttpStatusCode? httpStatus, string message, Exception? innerException)
        : base(message, innerException)
    {
        Endpoint = endpoint;
        HttpStatus = httpStatus;
    }

    /// <summary>The endpoint name, e.g. <c>push_transaction</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The HTTP status, or null when no response arrived.</summary>
    public HttpStatusCode? HttpStatus { get; }

    /// <summary><c>error.code</c> of the nodeos error body, or null when there was none.</summary>
    public long? Code { get; }

    public string? ErrorName { get; }

    public string? What { get; }

    public IReadOnlyList<ChainErrorDetail> Details { get; } = [];

    public bool IsUnknownBlock => Code == ChainErrorCodes.UnknownBlock;

    public bool IsDuplicate => Code == ChainErrorCodes.DuplicateTransaction;

    public bool IsExpired => Code == ChainErrorCodes.ExpiredTransaction;

    public bool IsInvalidRefBlock => Code == ChainErrorCodes.InvalidRefBlock;

    public bool IsUnsatisfiedAuthorization => Code == ChainErrorCodes.UnsatisfiedAuthorization;

    public bool IsAssert => Code == ChainErrorCodes.EosioAssert;

    public bool IsAccountLookup => Code == ChainErrorCodes.AccountQuery;

    public bool IsInvalidRequest => Code == ChainErrorCodes.InvalidHttpRequest;

    /// <summary>The node is overloaded (HTTP 503 <c>Busy</c>); worth retrying later.</summary>
    public bool IsBusy => HttpStatus == HttpStatusCode.ServiceUnavailable || Code == ChainErrorCodes.Busy;

    /// <summary>
    /// The same request may succeed if repeated: a timeout, a connection failure, a busy node, a 5xx that did not come
    /// from nodeos (a proxy's page), or a 5xx with a generic fc/std error. A chain exception (<c>error.code</c> ≥
    /// 3000000, such as unknown block or account lookup) is the node's deterministic answer and is not transient.
    /// </summary>
    public virtual bool IsTransient =>
        IsBusy || (HttpStatus is { } status && (int)status >= 500 && Code < ChainErrorCodes.FirstChainException);

    private static string Describe(string endpoint, HttpStatusCode status, ChainErrorBody body)
    {
        // The node chooses these texts: each is kept to one bounded line before it enters a message (and events).
        var detail = body.Error.Details.Count > 0 ? $": {NodeText.Bounded(body.Error.Details[0].Message)}" : string.Empty;
        return $"{endpoint} failed with HTTP {(int)status} {NodeText.Bounded(body.Error.Name, 64)} ({body.Error.Code}) \"{NodeText.Bounded(body.Error.What)}\"{detail}";
    }
}

/// <summary>The call did not finish within <see cref="Timeout"/> (distinct from cancellation by the caller).</summary>
public sealed class ChainApiTimeoutException : ChainApiException
{
    public ChainApiTimeoutException(string endpoint, TimeSpan timeout, Exception? innerException)
        : base(endpoint, null, $"{endpoint} timed out after {timeout.TotalMilliseconds:0} ms", innerException)
    {
        Timeout = timeout;
    }

    public TimeSpan Timeout { get; }

    public override bool IsTransient => true;
}

/// <summary>The node could not be reached or the connection broke (DNS, refused, reset).</summary>
public sealed class ChainApiConnectionException : ChainApiException
{
    public ChainApiConnectionException(string endpoint, string reason, Exception innerException)
        : base(endpoint, null, $"{endpoint} failed: {reason}", innerException)
    {
    }

    /// <summary>The connection could not be made (refused, no route): the request never left, so it was not processed.</summary>
    public bool NothingSent => InnerException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };

    public override bool IsTransient => true;
}

/// <summary>
/// The response body is not what the endpoint returns: not JSON (an HTML page), truncated JSON, or JSON of the wrong
/// shape — for a 2xx as well as for an error status. <see cref="Excerpt"/> holds the start of the body.
/// </summary>
public sealed class ChainApiMalformedResponseException : ChainApiException
{
    public ChainApiMalformedResponseException(string endpoint, HttpStatusCode httpStatus, string problem, string excerpt, Exception? innerException)
        : base(endpoint, httpStatus, $"{endpoint} returned a malformed HTTP {(int)httpStatus} response ({problem}): {excerpt}", innerException)
    {
        Excerpt = excerpt;
    }

    public string Excerpt { get; }

    /// <summary>A 5xx that is not a nodeos error body usually comes from a proxy or a restarting node.</summary>
    public override bool IsTransient => HttpStatus is { } status && (int)status >= 500;
}
