using System.IO.Compression;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Contract;

/// <summary>
/// Accepts a pushed transaction into a branch as nodeos does: unpack, expiration, TaPoS, duplicate check,
/// signature recovery and authorization, then the system contract. The branch includes it in its next block.
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

        var pendingTime = PendingBlockTime(state, now);
        CheckExpiration(transaction, pendingTime);
        CheckTapos(state, transaction);
        var id = transaction.Id;
        if (state.RecentTransactions.ContainsKey(id))
        {
            throw ChainErrors.Duplicate(id.ToString());
        }

        if (transaction.Actions.Count == 0 || transaction.Actions.Any(a => a.Authorization.Count == 0))
        {
            throw ChainErrors.NoAuthorizations();
        }

        var signers = RecoverSigners(state, packed, bytes);
        Authorization.Check(state.Contract.Accounts, transaction.Actions, signers);

        var contract = state.Contract;
        var finalizersChanged = false;
        foreach (var action in transaction.Actions)
        {
            var decoded = SystemContract.Decode(action);
            contract = SystemContract.Apply(contract, action, decoded, pendingTime);
            finalizersChanged |= decoded is ActFinKey;
        }

        var blockNum = state.Head.Number + 1;
        var included = new IncludedTransaction(id, bytes, packed.Signatures, (uint)((bytes.Length + 7) / 8));
        var accepted = new AcceptedTransaction(included, transaction, blockNum, pendingTime);
        var next = state with
        {
            Contract = contract,
            RecentTransactions = state.RecentTransactions.SetItem(id, transaction.Expiration),
            PendingTransactions = state.PendingTransactions.Add(accepted),
        };
        if (finalizersChanged && state.Mode == ConsensusMode.Savanna)
        {
            next = Consensus.BlockProduction.ProposeFinalizers(next, blockNum);
        }

        return (next, accepted);
    }

    private static byte[] UnpackBytes(PackedTransaction packed)
    {
        byte[] raw;
        try
        {
            raw = Convert.FromHexString(packed.PackedTrx ?? string.Empty);
        }
        catch (FormatException)
        {
            throw ChainErrors.PackedTransactionType("packed_trx is not valid hex");
        }

        return packed.Compression switch
        {
            0 => raw,
            1 => Inflate(raw),
            _ => throw ChainErrors.PackedTransactionType($"Unknown transaction compression algorithm {packed.Compression}"),
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

    private static IReadOnlyCollection<PublicKey> RecoverSigners(ChainState state, PackedTransaction packed, byte[] bytes)
    {
        try
        {
            var uncompressed = packed.Compression == 0 ? packed : packed with { Compression = 0, PackedTrx = Convert.ToHexStringLower(bytes) };
            return [.. TransactionSigner.RecoverSigners(uncompressed, state.ChainId).Distinct()];
        }
        catch (FormatException e)
        {
            throw ChainErrors.PackedTransactionType($"Invalid signature: {e.Message}");
        }
    }
}
