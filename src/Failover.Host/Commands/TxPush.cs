using System.Globalization;
using System.Net;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
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
internal sealed record PushReport(PushTransactionResult? Accepted, string? Failure);

/// <summary>
/// <c>tx rotate --push</c>: sends a signed transaction once through <see cref="Antelope.Chain.TransactionPush"/>, the
/// service's own push, and says to the operator what the answer proves.
/// </summary>
internal static class TxPush
{
    public static async Task<PushReport> SendAsync(
        PushTarget target, PackedTransaction body, string transactionId, CancellationToken cancellationToken)
    {
        // No redirects: the body goes to the node named on the command line, or nowhere.
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var client = new ChainApiClient(http, new ChainApiOptions { BaseAddress = target.Node, Timeout = target.Timeout });
        var outcome = await TransactionPush.PushOnceAsync(client, body, transactionId, cancellationToken).ConfigureAwait(false);
        return outcome.Kind switch
        {
            PushOutcomeKind.Accepted => new PushReport(outcome.Accepted, null),
            PushOutcomeKind.Duplicate => new PushReport(null,
                $"push answered duplicate: node {target.Node} already has transaction {transactionId} ({outcome.Explanation}). "
                + "It was pushed before: confirm it is in a block before doing anything else."),
            _ when outcome.Error?.HttpStatus == HttpStatusCode.NotFound => new PushReport(null,
                $"push rejected: {target.Node} has no chain API push_transaction endpoint (HTTP 404); check --push. Nothing was processed."),
            PushOutcomeKind.NotApplied => new PushReport(null,
                $"push not applied: {outcome.Explanation} from {target.Node}. Transaction {transactionId} was not applied; the same signed bytes may be pushed again, later or to another node."),
            PushOutcomeKind.Rejected => new PushReport(null, $"push rejected: {outcome.Explanation} from {target.Node}"),
            _ when outcome.Accepted is { } other => new PushReport(outcome.Accepted,
                $"push answer does not match: node {target.Node} reported transaction {other.TransactionId}, but the signed transaction is "
                + $"{transactionId}. Look for {transactionId} on the chain before doing anything else."),
            _ => new PushReport(null,
                $"push outcome UNKNOWN: {outcome.Explanation} (node {target.Node}). Transaction {transactionId} may have been accepted: "
                + "look for it on the chain before pushing again; never repeat a push blindly."),
        };
    }
}
