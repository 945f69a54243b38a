namespace Failover.Antelope.Transactions;

/// <summary>Signs transactions into push bodies and recovers who signed a push body.</summary>
public static class TransactionSigner
{
    public static PackedTransaction Sign(Transaction transaction, Checksum256 chainId, IEnumerable<PrivateKey> keys)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(keys);
        var packed = transaction.Pack();
        var digest = Transaction.SigningDigest(chainId, packed, Checksum256.Zero);
        var signatures = keys.Select(key => key.SignDigest(digest.AsSpan()).ToString()).ToList();
        return new PackedTransaction(signatures, Compression: 0, PackedContextFreeData: string.Empty, Hex.Encode(packed));
    }

    /// <summary>
    /// The keys that signed <paramref name="packed"/>, in signature order, recovered as nodeos does. Throws
    /// <see cref="FormatException"/> for compressed bodies, malformed hex or signatures that recover to no key.
    /// </summary>
    public static IReadOnlyList<PublicKey> RecoverSigners(PackedTransaction packed, Checksum256 chainId)
    {
        ArgumentNullException.ThrowIfNull(packed);
        if (packed.Compression != 0)
        {
            throw new FormatException($"Compression {packed.Compression} is not supported; only 0 (none).");
        }

        var packedTrx = Hex.Decode(packed.PackedTrx);
        var contextFreeData = Hex.Decode(packed.PackedContextFreeData);

        // An empty string and "00" (an empty vector<bytes>, as wharfkit sends) both mean no context-free data.
        var contextFreeDigest = contextFreeData is [] or [0]
            ? Checksum256.Zero
            : Checksum256.Hash(contextFreeData);
        var digest = Transaction.SigningDigest(chainId, packedTrx, contextFreeDigest);
        return packed.Signatures.Select(text => Signature.Parse(text).RecoverPublicKey(digest.AsSpan())).ToList();
    }
}
