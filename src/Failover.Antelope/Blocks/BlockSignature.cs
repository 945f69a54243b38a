namespace Failover.Antelope.Blocks;

/// <summary>Recovers the key that signed a block from its <c>producer_signature</c> (protocol.md §5.6).</summary>
public static class BlockSignature
{
    /// <summary>A Savanna block is signed over its id.</summary>
    /// <exception cref="FormatException">The signature does not recover to a key.</exception>
    public static PublicKey RecoverSavannaSigner(Signature producerSignature, Checksum256 blockId)
    {
        ArgumentNullException.ThrowIfNull(producerSignature);
        return producerSignature.RecoverPublicKey(blockId.AsSpan());
    }

    /// <summary>A legacy block is signed over its sig_digest (see <see cref="BlockHeader.LegacySigDigest"/>).</summary>
    /// <exception cref="FormatException">The signature does not recover to a key.</exception>
    public static PublicKey RecoverLegacySigner(
        Signature producerSignature, BlockHeader header, Checksum256 blockrootMerkleRoot, Checksum256 pendingScheduleHash)
    {
        ArgumentNullException.ThrowIfNull(producerSignature);
        ArgumentNullException.ThrowIfNull(header);
        return producerSignature.RecoverPublicKey(header.LegacySigDigest(blockrootMerkleRoot, pendingScheduleHash).AsSpan());
    }
}
