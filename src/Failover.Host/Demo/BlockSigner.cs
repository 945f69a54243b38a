using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Chain;
using PackedHeader = Failover.Antelope.Blocks.BlockHeader;

namespace Failover.Host.Demo;

/// <summary>Recovers the key that signed a block from its <c>producer_signature</c> (protocol.md §5.6).</summary>
internal static class BlockSigner
{
    /// <summary>
    /// Savanna blocks are signed over their id. Legacy blocks are signed over the sig_digest, which needs the header,
    /// the block-root merkle root and the pending schedule hash of <c>get_block_header_state</c>.
    /// </summary>
    public static async Task<PublicKey> RecoverAsync(ChainApiClient chain, GetBlockInfoResult block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(block);
        var signature = Signature.Parse(block.ProducerSignature);
        var id = Checksum256.Parse(block.Id);
        if (block.ScheduleVersion == PackedHeader.SavannaScheduleVersion)
        {
            return BlockSignature.RecoverSavannaSigner(signature, id);
        }

        GetBlockHeaderStateResult state;
        try
        {
            state = await chain.GetBlockHeaderStateAsync(id.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (ChainApiException e) when (e.IsUnknownBlock)
        {
            throw new DrillFailedException(
                $"Block {block.BlockNum} is already irreversible, and get_block_header_state serves only reversible blocks: the drill " +
                "fell behind the chain by more than the LIB lag, so it cannot check the block's legacy signature (run it at a lower --speed).");
        }

        if (state.Id != id.ToString() || state.BlockrootMerkle.ActiveNodes.Count == 0)
        {
            throw new FormatException($"get_block_header_state of block {block.BlockNum} answered for {state.Id} or without a block-root merkle.");
        }

        return BlockSignature.RecoverLegacySigner(
            signature,
            PackedHeader.FromWire(state.Header),
            Checksum256.Parse(state.BlockrootMerkle.ActiveNodes[^1]),
            Checksum256.Parse(state.PendingSchedule.ScheduleHash));
    }
}
