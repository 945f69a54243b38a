using System.IO.Compression;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Contract;

/// <summary>
/// Accepts a pushed transaction into a branch as nodeos does: unpack, expiration, TaPoS, duplicate check,
/// signature recovery and authorization, then the system contract on the speculative state. The branch's next block
/// includes it, and only then do its effects reach the head state (table reads, the election).
/// </summary>
public static class TransactionProcessor
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(3600);

    /// <summary>The pending block's time as an API node sees it: the slot after now, never before the slot after head.</summary>
    public static DateTimeOffset PendingBlockTime(ChainState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return BlockTimestamp.FromSlot(Math.Max(state.Head.Slot, BlockTimestamp.ToSlot(now)) + 1);
    }

    public static (ChainState State, AcceptedTransaction Accepted) Accept(ChainState state, PackedTransaction packed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(packed);
        var bytes = UnpackBytes(packed);
        Transaction transaction;
        try
        {
            transaction = Transaction.Unpack(bytes);
        }
        catch (FormatException e)
        {
            throw ChainErrors.PackedTransactionType($"Invalid packed transaction: {e.Message}");
        }

        var signers = RecoverSigners(state, packed, bytes);
        var id = transaction.Id;
        if (state.RecentTransactions.ContainsKey(id))
        {
            throw ChainErrors.Duplicate(id.ToString());
        }

        // The simulated chains have DISABLE_DEFERRED_TRXS_STAGE_1 active (Spring activates it before SAVANNA).
        if (transaction.DelaySec > 0)
        {
            throw ChainErrors.DelayedTransaction();
        }

        var pendingTime = PendingBlockTime(state, now);
        CheckExpiration(transaction, pendingTime);
        CheckTapos(state, transaction);
        if (transaction.Actions.Count == 0 || transaction.Actions.Any(a => a.Authorization.Count == 0))
        {
            throw ChainErrors.NoAuthorizations();
        }

        Authorization.Check(state.Contract.Accounts, transaction.Actions, signers);
        _ = Execute(SpeculativeContract(state, pendingTime), transaction, pendingTime);

        var included = new IncludedTransaction(id, bytes, packed, (uint)((bytes.Length + 7) / 8));
        var accepted = new AcceptedTransaction(included, transaction, state.Head.Number + 1, pendingTime);
        var next = state with
        {
            RecentTransactions = state.RecentTransactions.SetItem(id, transaction.Expiration),
            PendingTransactions = state.PendingTransactions.Add(accepted),
        };
        return (next, accepted);
    }

    /// <summary>
    /// Runs a transaction's system actions on <paramref name="contract"/> at <paramref name="blockTime"/>; throws the
    /// contract's error. <c>FinalizerKeyActivated</c> says whether an <c>actfinkey</c> ran (the contract then proposes
    /// a finalizer policy in that block).
    /// </summary>
    public static (ContractState Contract, bool FinalizerKeyActivated) Execute(ContractState contract, Transaction transaction, DateTimeOffset blockTime)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(transaction);
        var activated = false;
        foreach (var action in transaction.Actions)
        {
            var decoded = SystemContract.Decode(action);
            contract = SystemContract.Apply(contract, action, decoded, blockTime);
            activated |= decoded is ActFinKey;
        }

        return (contract, activated);
    }

    /// <summary>
    /// The tables a pushed transaction runs against on an API node: the head's, with the transactions already waiting
    /// for the next block applied (nodeos's speculative block). Table reads still serve the head's.
    /// </summary>
    private static ContractState SpeculativeContract(ChainState state, DateTimeOffset pendingTime) =>
        state.PendingTransactions.Aggregate(state.Contract, (contract, pending) => Execute(contract, pending.Transaction, pendingTime).Contract);

    private static byte[] UnpackBytes(PackedTransaction packed) => Decompress(packed.Compression, packed.PackedTrx, "packed_trx");

    /// <summary>packed_trx and packed_context_free_data are compressed alike; empty context-free data stays empty.</summary>
    private static byte[] Decompress(int compression, string? hex, string field)
    {
        byte[] raw;
        try
        {
            raw = Convert.FromHexString(hex ?? string.Empty);
        }
        catch (FormatException)
        {
            throw ChainErrors.PackedTransactionType($"{field} is not valid hex");
        }

        return compression switch
        {
            0 => raw,
            1 => raw.Length == 0 ? raw : Inflate(raw),
            _ => throw ChainErrors.PackedTransactionType($"Unknown transaction compression algorithm {compression}"),
        };
    }

    private static byte[] Inflate(byte[] raw)
    {
        try
        {
            using var input = new ZLibStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw ChainErrors.PackedTransactionType($"zlib decompression failed: {e.Message}");
        }
    }

    private static void CheckExpiration(Transaction transaction, DateTimeOffset pendingTime)
    {
        if (transaction.Expiration < pendingTime)
        {
            throw ChainErrors.Expired(transaction.Expiration, pendingTime);
        }

        if (transaction.Expiration > pendingTime + MaxLifetime)
        {
            throw ChainErrors.ExpirationTooFar(transaction.Expiration, pendingTime);
        }
    }

    /// <summary>The block summary holds, for each 16-bit number, the latest block with it (i.e. within the last 65536).</summary>
    private static void CheckTapos(ChainState state, Transaction transaction)
    {
        var head = state.Head.Number;
        var candidate = head - ((head - transaction.RefBlockNum) & 0xFFFF);
        var block = candidate >= 1 && candidate <= head ? state.BlockByNumber(candidate) : null;
        if (block is null || block.RefBlockPrefix != transaction.RefBlockPrefix)
        {
            throw ChainErrors.InvalidRefBlock(transaction.RefBlockNum, block?.Id.ToString() ?? Checksum256.Zero.ToString());
        }
    }

    /// <summary>
    /// transaction::get_signature_keys as Leap and Spring 1.x run it: each K1 signature must be canonical and each
    /// recovered key distinct.
    /// </summary>
    private static IReadOnlyList<PublicKey> RecoverSigners(ChainState state, PackedTransaction packed, byte[] bytes)
    {
        IReadOnlyList<PublicKey> keys;
        IReadOnlyList<Signature> signatures;
        try
        {
            var contextFreeData = Decompress(packed.Compression, packed.PackedContextFreeData, "packed_context_free_data");
            var uncompressed = new PackedTransaction(packed.Signatures, 0, Convert.ToHexStringLower(contextFreeData), Convert.ToHexStringLower(bytes));
            keys = TransactionSigner.RecoverSigners(uncompressed, state.ChainId);
            signatures = [.. packed.Signatures.Select(Signature.Parse)];
        }
        catch (FormatException e)
        {
            throw ChainErrors.PackedTransactionType($"Invalid signature: {e.Message}");
        }

        var seen = new HashSet<PublicKey>();
        for (var i = 0; i < keys.Count; i++)
        {
            if (!signatures[i].IsCanonical)
            {
                throw ChainErrors.NonCanonicalSignature();
            }

            if (!seen.Add(keys[i]))
            {
                throw ChainErrors.DuplicateSignature(keys[i].ToLegacyString());
            }
        }

        return keys;
    }
}
