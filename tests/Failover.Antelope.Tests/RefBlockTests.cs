namespace Failover.Antelope.Tests;

public class RefBlockTests
{
    public static TheoryData<int> RefBlocks => VectorFile.Indexes("ref_block.json", "ref_blocks");

    [Theory]
    [MemberData(nameof(RefBlocks))]
    public void TaPoS_fields_come_from_the_block_id_as_in_eosjs_and_wharfkit(int index)
    {
        var vector = VectorFile.Item("ref_block.json", "ref_blocks", index);
        var id = Checksum256.Parse(vector.Text("block_id"));

        Assert.Equal(vector.GetProperty("block_num").GetUInt32(), BlockId.BlockNum(id));
        Assert.Equal(vector.GetProperty("ref_block_num").GetUInt16(), BlockId.RefBlockNum(id));
        Assert.Equal(vector.GetProperty("ref_block_prefix").GetUInt32(), BlockId.RefBlockPrefix(id));

        var transaction = Transactions.Transaction.Create(id, DateTimeOffset.UnixEpoch.AddDays(20000), []);
        Assert.Equal(BlockId.RefBlockNum(id), transaction.RefBlockNum);
        Assert.Equal(BlockId.RefBlockPrefix(id), transaction.RefBlockPrefix);
    }

    [Fact]
    public void The_nodeos_documentation_example_gives_its_documented_tapos_values()
    {
        var id = Checksum256.Parse("02e1c7888a92206573ae38d00e09366c7ba7bc54cd8b7996506f7d2a619c43ba");

        Assert.Equal(48351112u, BlockId.BlockNum(id));
        Assert.Equal((ushort)51080, BlockId.RefBlockNum(id));
        Assert.Equal(3493375603u, BlockId.RefBlockPrefix(id));
    }

    [Fact]
    public void A_block_number_at_or_above_two_to_the_31_is_read_unsigned()
    {
        var id = Checksum256.Parse("8000000089d48b0a06e8e8d4ba22b7e441c9b304a65e68d380d0ba7cd72b5af9");

        Assert.Equal(2147483648u, BlockId.BlockNum(id));
        Assert.Equal(id, BlockId.FromDigest(id, 2147483648u));
    }

    [Fact]
    public void Block_slots_are_half_seconds_since_2000()
    {
        var time = new DateTimeOffset(2025, 6, 1, 12, 0, 0, 500, TimeSpan.Zero);

        var slot = BlockTimestamp.ToSlot(time);

        Assert.Equal(time, BlockTimestamp.FromSlot(slot));
        Assert.Equal(0u, BlockTimestamp.ToSlot(DateTimeOffset.FromUnixTimeMilliseconds(BlockTimestamp.EpochMs)));
        Assert.Equal("2025-06-01T12:00:00.500", BlockTimestamp.Format(time));
    }

    [Theory]
    [InlineData("02e1c788")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void A_malformed_block_id_is_rejected(string text)
    {
        Assert.False(Checksum256.TryParse(text, out _, out var error));
        Assert.Contains("64 hex digits", error);
    }
}
