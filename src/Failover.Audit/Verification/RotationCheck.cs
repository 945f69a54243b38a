using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;

namespace Failover.Audit.Verification;

/// <summary>
/// A rotation as requested and followed: the recorded transaction is exactly what the request says it is (its id is
/// the sha256 of its packed bytes; regproducer to the target key for our producer, actfinkey with the target's
/// finalizer key, the expiration, the authorisation), it follows the decision that triggered it, and every later step
/// names a rotation requested before it, with its transaction and key.
/// </summary>
public static class RotationCheck
{
    /// <summary>The id the packed bytes of a request give, or null (with the problems) when they do not decode.</summary>
    public static string? TransactionIdOf(KeyRotationRequested request, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(problems);
        byte[] packed;
        try
        {
            packed = Convert.FromHexString(request.PackedTransaction);
        }
        catch (FormatException)
        {
            problems.Add("packed_transaction is not hexadecimal");
            return null;
        }

        Transaction transaction;
        try
        {
            transaction = Transaction.Unpack(packed);
        }
        catch (FormatException e)
        {
            problems.Add($"packed_transaction does not decode as a transaction: {e.Message}");
            return null;
        }

        var id = transaction.Id.ToString();
        if (Checksum256.Hash(packed).ToString() != id)
        {
            problems.Add("packed_transaction is not in canonical form: it re-packs to other bytes");
        }

        if (!string.Equals(request.TransactionId, id, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"transaction id {request.TransactionId} is not the id of the recorded transaction, sha256(packed_transaction) = {id}");
        }

        problems.AddRange(Contents(request, transaction));
        return id;
    }

    /// <summary>What the transaction does against what the request says it does.</summary>
    private static IEnumerable<string> Contents(KeyRotationRequested r, Transaction transaction)
    {
        if (transaction.Expiration != r.Expiration)
        {
            yield return $"the transaction expires at {transaction.Expiration:O}, the request says {r.Expiration:O}";
        }

        var names = transaction.Actions.Select(a => $"{a.Account}::{a.Name}").ToList();
        if (!names.SequenceEqual(r.Actions))
        {
            yield return $"the transaction's actions are [{string.Join(", ", names)}], the request says [{string.Join(", ", r.Actions)}]";
        }

        var finalizer = false;
        var target = SigningAuthority.For(r.TargetKey, r.TargetAuthority);
        foreach (var action in transaction.Actions)
        {
            var auth = string.Join(", ", action.Authorization.Select(p => $"{p.Actor}@{p.Permission}"));
            if (auth != $"{r.Producer}@{r.Permission}")
            {
                yield return $"{action.Account}::{action.Name} is authorised by {auth}, not {r.Producer}@{r.Permission}";
            }

            ISystemAction? decoded = null;
            string? problem = null;
            try
            {
                decoded = action.Account == SystemActions.Eosio ? SystemActions.Decode(action.Name, action.Data) : null;
            }
            catch (FormatException e)
            {
                problem = $"{action.Account}::{action.Name} does not decode: {e.Message}";
            }

            if (problem is not null)
            {
                yield return problem;
                continue;
            }

            switch (decoded)
            {
                case RegProducer reg:
                    if (reg.Producer.ToString() != r.Producer)
                    {
                        yield return $"regproducer registers {reg.Producer}, not {r.Producer}";
                    }

                    if (r.TargetAuthority is not null || !KeyInForce.SameKey(reg.ProducerKey, r.TargetKey))
                    {
                        yield return $"regproducer sets the key {reg.ProducerKey}, not the target {target.Describe()}";
                    }

                    break;
                case RegProducer2 reg2:
                    if (reg2.Producer.ToString() != r.Producer)
                    {
                        yield return $"regproducer2 registers {reg2.Producer}, not {r.Producer}";
                    }

                    if (SigningAuthority.Of(reg2.ProducerAuthority) is var written && !written.SameAs(target))
                    {
                        yield return $"regproducer2 sets the authority {written.Describe()}, not the target {target.Describe()}";
                    }

                    break;
                case ActFinKey fin:
                    finalizer = true;
                    if (fin.FinalizerName.ToString() != r.Producer || fin.FinalizerKey != r.TargetFinalizerKey)
                    {
                        yield return $"actfinkey activates {fin.FinalizerKey} for {fin.FinalizerName}, not {r.TargetFinalizerKey ?? "no key"} for {r.Producer}";
                    }

                    break;
                default:
                    yield return $"{action.Account}::{action.Name} is not part of a key rotation";
                    break;
            }
        }

        if (!finalizer && r.TargetFinalizerKey is not null)
        {
            yield return $"the request names the finalizer key {r.TargetFinalizerKey} but the transaction has no actfinkey";
        }
    }
}
