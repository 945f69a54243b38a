using System.Globalization;
using System.Net;
using Failover.Antelope.Chain;
using Failover.Antelope.Transactions;

namespace Failover.Host.Commands;

/// <summary>The node <c>tx rotate --push</c> sends to, and how long it waits for the answer.</summary>
internal sealed record PushTarget(Uri Node, TimeSpan Timeout)
{
    private const double DefaultTimeoutSeconds = 10;
    private const double MaxTimeoutSeconds = 3600; // a transaction expires within an hour; waiting longer is pointless

    /// <summary>Null (and no problem) when <paramref name="url"/> is absent: the command stays offline.</summary>
    public static PushTarget? Validate(string? url, string? timeout, List<string> problems)
    {
        if (url is null)
        {
            if (timeout is not null)
            {
                problems.Add("--timeout applies only with --push.");
            }

            return null;
        }

        var node = ParseUrl(url, problems);
        var seconds = timeout is null ? DefaultTimeoutSeconds : ParseSeconds(timeout, problems);
        return node is null || seconds is null ? null : new PushTarget(node, TimeSpan.FromSeconds(seconds.Value));
    }

    private static Uri? ParseUrl(string url, List<string> problems)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var node) || node.Scheme is not ("http" or "https") || node.Host.Length == 0)
        {
            problems.Add($"--push '{url}' must be an absolute http:// or https:// URL of a node's chain API, e.g. http://127.0.0.1:8888.");
            return null;
        }

        if (node.UserInfo.Length > 0)
        {
            problems.Add("--push must not contain user info (credentials).");
            return null;
        }

        if (node.Query.Length > 0 || node.Fragment.Length > 0)
        {
            problems.Add($"--push '{url}' must not have a query or fragment; give the node's base URL, e.g. http://127.0.0.1:8888.");
            return null;
        }

        return node;
    }

    private static double? ParseSeconds(string text, List<string> problems)
    {
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            && seconds is > 0 and <= MaxTimeoutSeconds)
        {
            return seconds;
        }

        problems.Add($"--timeout '{text}' must be a number of seconds greater than 0 and at most {MaxTimeoutSeconds}.");
        return null;
    }
}

/// <summary>What became of a push: the node's answer, or why there is none.</summary>
internal sealed record PushOutcome(PushTransactionResult? Accepted, string? Failure);

/// <summary>
/// Sends a signed transaction to <c>push_transaction</c> exactly once. A push is never repeated: one that timed out
/// or lost its connection may have been accepted, so the operator must look for the transaction before sending again.
/// </summary>
internal static class TransactionPush
{
    public static async Task<PushOutcome> SendAsync(
        PushTarget target, PackedTransaction body, string transactionId, CancellationToken cancellationToken)
    {
        // No redirects: the body goes to the node named on the command line, or nowhere.
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var client = new ChainApiClient(http, new ChainApiOptions { BaseAddress = target.Node, Timeout = target.Timeout });
        try
        {
            var accepted = await client.PushTransactionAsync(body, cancellationToken).ConfigureAwait(false);
            return string.Equals(accepted.TransactionId, transactionId, StringComparison.OrdinalIgnoreCase)
                ? new PushOutcome(accepted, null)
                : new PushOutcome(accepted, Mismatch(accepted.TransactionId, transactionId, target));
        }
        catch (ChainApiException e) when (e.Code is not null)
        {
            return new PushOutcome(null, Answered(e, transactionId, target));
        }
        catch (ChainApiException e)
        {
            return new PushOutcome(null, Unknown(e.Message, transactionId, target));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new PushOutcome(null, Unknown("push_transaction was interrupted", transactionId, target));
        }
    }

    /// <summary>
    /// What an error body says about the transaction. Only a chain error (code 3000000 and above), a busy node and a
    /// missing endpoint prove it was not processed; a duplicate means the node already has it; a generic fc or std error
    /// proves nothing, so the outcome stays unknown.
    /// </summary>
    private static string Answered(ChainApiException e, string transactionId, PushTarget target) => e switch
    {
        { IsDuplicate: true } =>
            $"push answered duplicate: node {target.Node} already has transaction {transactionId} ({e.Code} {e.ErrorName}). "
            + "It was pushed before: confirm it is in a block before doing anything else.",
        { IsBusy: true } => Rejected(e, target) + " The node was too busy to process it.",
        { HttpStatus: HttpStatusCode.NotFound } =>
            $"push rejected: {target.Node} has no chain API push_transaction endpoint (HTTP 404); check --push. Nothing was processed.",
        { Code: >= ChainErrorCodes.FirstChainException } => Rejected(e, target),
        _ => Unknown($"the node answered {e.Code} {e.ErrorName}: {e.What}, an error that does not say whether the transaction was processed", transactionId, target),
    };

    /// <summary>nodeos answered with a chain error: the transaction was not accepted.</summary>
    private static string Rejected(ChainApiException e, PushTarget target)
    {
        var detail = e.Details.Count > 0 ? $" — {e.Details[0].Message}" : string.Empty;
        return $"push rejected: {e.Code} {e.ErrorName}: {e.What}{detail} (HTTP {(int?)e.HttpStatus} from {target.Node})";
    }

    /// <summary>A node that answers with another id did not process the bytes we signed; nothing it says can be trusted.</summary>
    private static string Mismatch(string reported, string transactionId, PushTarget target) =>
        $"push answer does not match: node {target.Node} reported transaction {reported}, but the signed transaction is "
        + $"{transactionId}. Look for {transactionId} on the chain before doing anything else.";

    private static string Unknown(string reason, string transactionId, PushTarget target) =>
        $"push outcome UNKNOWN: {reason} (node {target.Node}). Transaction {transactionId} may have been accepted: "
        + "look for it on the chain before pushing again; never repeat a push blindly.";
}
