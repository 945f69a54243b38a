using System.Globalization;
using System.Text.Json;
using Failover.Antelope;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Tests;

public sealed class BlockHashingTests
{
    public static TheoryData<int> VectorIndexes() => [0, 1, 2];

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void A_real_block_header_packs_and_hashes_to_its_real_id(int index)
    {
        var vector = FixtureFiles.Load("serialization_vectors.json").GetProperty("block_header_vectors")[index];
        var header = FromJson(vector.GetProperty("header_json"));

        Assert.Equal(vector.GetProperty("packed_header_hex").GetString(), Convert.ToHexStringLower(header.Pack()));
        Assert.Equal(vector.GetProperty("block_id").GetString(), header.ComputeId().ToString());
    }

    [Fact]
    public void The_real_Savanna_block_signature_recovers_over_its_id_to_the_producers_key()
    {
        var vector = FixtureFiles.Load("serialization_vectors.json").GetProperty("block_header_vectors")[0];
        var header = FromJson(vector.GetProperty("header_json"));
        var signature = Signature.Parse(vector.GetProperty("header_json").GetProperty("producer_signature").GetString()!);

        Assert.Equal(vector.GetProperty("recovered_signer").GetString(), signature.RecoverPublicKey(header.ComputeId().AsSpan()).ToLegacyString());
    }

    [Fact]
    public void The_legacy_signing_digest_of_a_real_Telos_block_recovers_its_producers_key()
    {
        var state = FixtureFiles.Load("get_block_header_state.legacy_leap.json").GetProperty("response");
        var header = FromJson(state.GetProperty("header"));
        var blockrootRoot = Checksum256.Parse(state.GetProperty("blockroot_merkle").GetProperty("_active_nodes").EnumerateArray().Last().GetString()!);
        var scheduleHash = Checksum256.Parse(state.GetProperty("pending_schedule").GetProperty("schedule_hash").GetString()!);
        var signature = Signature.Parse(state.GetProperty("header").GetProperty("producer_signature").GetString()!);

        var digest = Consensus.BlockProduction.LegacySigDigest(header.Digest(), blockrootRoot, scheduleHash);

        Assert.Equal(state.GetProperty("id").GetString(), header.ComputeId().ToString());
        Assert.Equal(
            state.GetProperty("valid_block_signing_authority")[1].GetProperty("keys")[0].GetProperty("key").GetString(),
            signature.RecoverPublicKey(digest.AsSpan()).ToLegacyString());
    }

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

    private static BlockHeader FromJson(JsonElement json)
    {
        var time = DateTimeOffset.Parse(json.GetProperty("timestamp").GetString()! + "Z", CultureInfo.InvariantCulture);
        LegacyNewProducers? newProducers = null;
        if (json.TryGetProperty("new_producers", out var np) && np.ValueKind == JsonValueKind.Object && np.GetProperty("producers").GetArrayLength() > 0)
        {
            newProducers = new LegacyNewProducers(
                np.GetProperty("version").GetUInt32(),
                [.. np.GetProperty("producers").EnumerateArray().Select(p => (Name.Parse(p.GetProperty("producer_name").GetString()!), PublicKey.Parse(p.GetProperty("block_signing_key").GetString()!)))]);
        }

        return new BlockHeader(
            BlockTimestamp.ToSlot(time),
            Name.Parse(json.GetProperty("producer").GetString()!),
            json.GetProperty("confirmed").GetUInt16(),
            Checksum256.Parse(json.GetProperty("previous").GetString()!),
            Checksum256.Parse(json.GetProperty("transaction_mroot").GetString()!),
            Checksum256.Parse(json.GetProperty("action_mroot").GetString()!),
            json.GetProperty("schedule_version").GetUInt32(),
            newProducers,
            [.. json.GetProperty("header_extensions").EnumerateArray().Select(e => new HeaderExtension(e[0].GetUInt16(), Convert.FromHexString(e[1].GetString()!)))]);
    }
}
