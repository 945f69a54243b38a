using System.Net;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Chain;

/// <summary>What a push proves about the transaction.</summary>
public enum PushOutcomeKind
{
    /// <summary>The node accepted it (202 with the same id): it is in the node's pending block, not yet final.</summary>
    Accepted,

    /// <summary>The node already has it: it was pushed before; look for it in a block.</summary>
    Duplicate,

    /// <summary>
    /// The node did not apply it, for a cause that may pass or that another node may not share: CPU, NET or deadline
    /// exceeded, a busy node, a ref block it does not have, no push endpoint, a refused connection. The same bytes may
    /// apply when sent again.
    /// </summary>
    NotApplied,

    /// <summary>A chain error a retry of the same bytes cannot fix (authorization, a contract assert, expired, RAM): the node did not process it.</summary>
    Rejected,

    /// <summary>No answer that proves anything (timeout, lost connection, a generic error, another id): it may have been accepted.</summary>
    Unknown,
}

/// <summary>A push's outcome as data, with the node's answer or error and an explanation for people.</summary>
public sealed record PushOutcome(PushOutcomeKind Kind, string TransactionId, PushTransactionResult? Accepted, ChainApiException? Error, string Explanation);

/// <summary>
/// Sends a signed transaction to <c>push_transaction</c> exactly once and says what the answer proves. A push is never
/// repeated here: one that timed out or lost its connection may have been accepted, so the caller must look for the
/// transaction on chain before sending again. Shared by <c>failover tx rotate --push</c> and the service.
/// </summary>
public static class TransactionPush
{
    public static async Task<PushOutcome> PushOnceAsync(
        ChainApiClient client, PackedTransaction body, string transactionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            var accepted = await client.PushTransactionAsync(body, cancellationToken).ConfigureAwait(false);
            return string.Equals(accepted.TransactionId, transactionId, StringComparison.OrdinalIgnoreCase)
                ? new PushOutcome(PushOutcomeKind.Accepted, transactionId, accepted, null, $"accepted as {accepted.TransactionId}")
                : new PushOutcome(PushOutcomeKind.Unknown, transactionId, accepted, null,
                    $"the node reported transaction {accepted.TransactionId}, but the signed transaction is {transactionId}: it did not process the bytes that were signed");
        }
        catch (ChainApiException e) when (e.Code is not null)
        {
            return Answered(e, transactionId);
        }
        catch (ChainApiConnectionException e) when (e.NothingSent)
        {
            return new PushOutcome(PushOutcomeKind.NotApplied, transactionId, null, e, $"{e.Message}: the connection was refused, so nothing was sent");
        }
        catch (ChainApiException e)
        {
            return new PushOutcome(PushOutcomeKind.Unknown, transactionId, null, e, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new PushOutcome(PushOutcomeKind.Unknown, transactionId, null, null, "push_transaction was interrupted");
        }
    }

    /// <summary>
    /// What an error body says. Only a chain error (code 3000000 and above), a busy node and a missing endpoint prove the
    /// transaction was not processed — those in <see cref="ChainErrorCodes.NotAppliedTransient"/>, a busy node and a
    /// missing endpoint for a cause that may pass; a duplicate means the node already has it; a generic fc or std error
    /// proves nothing.
    /// </summary>
    private static PushOutcome Answered(ChainApiException e, string transactionId) => e switch
    {
        { IsDuplicate: true } => new(PushOutcomeKind.Duplicate, transactionId, null, e, $"the node already has it ({e.Code} {e.ErrorName})"),
        { IsBusy: true } => new(PushOutcomeKind.NotApplied, transactionId, null, e, Rejection(e) + " The node was too busy to process it."),
        { HttpStatus: HttpStatusCode.NotFound } => new(PushOutcomeKind.NotApplied, transactionId, null, e, "the node has no chain API push_transaction endpoint (HTTP 404); nothing was processed"),
        { Code: { } code } when ChainErrorCodes.NotAppliedTransient.Contains(code) => new(PushOutcomeKind.NotApplied, transactionId, null, e, Rejection(e)),
        { Code: >= ChainErrorCodes.FirstChainException } => new(PushOutcomeKind.Rejected, transactionId, null, e, Rejection(e)),
        _ => new(PushOutcomeKind.Unknown, transactionId, null, e,
            $"the node answered {e.Code} {e.ErrorName}: {e.What}, an error that does not say whether the transaction was processed"),
    };

    private static string Rejection(ChainApiException e)
    {
        var detail = e.Details.Count > 0 ? $" — {e.Details[0].Message}" : string.Empty;
        return $"{e.Code} {e.ErrorName}: {e.What}{detail} (HTTP {(int?)e.HttpStatus})";
    }
}
