using Failover.Antelope;

namespace Failover.Simulator.Tests;

public sealed class BlockHashingTests
{
    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public void Simulated_block_ids_are_the_header_hash_with_the_block_number_in_front(ConsensusMode mode)
    {
        var chain = new TestChain(mode);
        chain.AdvanceSlots(30);

        foreach (var block in chain.State.Blocks)
        {
            Assert.Equal(block.Header.ComputeId(), block.Id);
            Assert.Equal(block.Number, BlockId.BlockNum(block.Id));
        }
    }

    [Fact]
    public void A_Savanna_block_is_signed_over_its_id_by_the_scheduled_nodes_key_with_the_Savanna_schedule_version()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.AdvanceSlots(30);

        foreach (var block in chain.State.Blocks.Skip(1))
        {
            var node = chain.Roster.PrimaryNode(block.Producer);
            Assert.Equal(node.SigningKey.PublicKey, block.ProducerSignature.RecoverPublicKey(block.Id.AsSpan()));
            Assert.Equal(2147483648u, block.Header.ScheduleVersion);
            Assert.Equal(0, block.Header.Confirmed);
        }
    }
}
