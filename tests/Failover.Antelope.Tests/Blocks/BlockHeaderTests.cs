using System.Text.Json;
using Failover.Antelope.Blocks;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Tests.Chain;

namespace Failover.Antelope.Tests.Blocks;

public sealed class BlockHeaderTests
{
    private const string Vectors = "serialization_vectors.json";
    private const string HeaderVectors = "block_header_vectors";

    public static TheoryData<int> HeaderVectorIndexes() => VectorFile.Indexes(Vectors, HeaderVectors);

    [Theory]
    [MemberData(nameof(HeaderVectorIndexes))]
    public void A_real_block_header_packs_and_hashes_to_its_real_id(int index)
    {
        var vector = VectorFile.Item(Vectors, HeaderVectors, index);
        var header = FromJson(vector.GetProperty("header_json"));

        Assert.Equal(vector.Text("packed_header_hex"), Convert.ToHexStringLower(header.Pack()));
        Assert.Equal(vector.Text("block_id"), header.ComputeId().ToString());
    }

    [Fact]
    public void The_real_Savanna_block_signature_recovers_over_its_id_to_the_producers_key()
    {
        var vector = VectorFile.Item(Vectors, HeaderVectors, 0);
        var header = FromJson(vector.GetProperty("header_json"));
        var signature = Signature.Parse(vector.GetProperty("header_json").Text("producer_signature"));

        Assert.True(header.IsSavanna);
        Assert.Equal(vector.Text("recovered_signer"), BlockSignature.RecoverSavannaSigner(signature, header.ComputeId()).ToLegacyString());
    }

    [Fact]
    public void The_legacy_signing_digest_of_a_real_Telos_block_recovers_its_producers_key()
    {
        var state = ChainFixture.Load("get_block_header_state.legacy_leap.json").ResponseJson.Deserialize(ChainJsonContext.Default.GetBlockHeaderStateResult)!;
        var header = BlockHeader.FromWire(state.Header);

        var signer = BlockSignature.RecoverLegacySigner(
            Signature.Parse(state.Header.ProducerSignature!),
            header,
            Checksum256.Parse(state.BlockrootMerkle.ActiveNodes[^1]),
            Checksum256.Parse(state.PendingSchedule.ScheduleHash));

        Assert.False(header.IsSavanna);
        Assert.Equal(state.Id, header.ComputeId().ToString());
        Assert.Equal(state.ValidBlockSigningAuthority.Keys[0].Key, signer.ToLegacyString());
    }

    [Fact]
    public void A_malformed_extension_in_a_wire_header_is_a_format_error()
    {
        var vector = VectorFile.Item(Vectors, HeaderVectors, 0);
        var wire = vector.GetProperty("header_json").Deserialize(ChainJsonContext.Default.BlockHeaderJson)!;

        Assert.Throws<FormatException>(() => BlockHeader.FromWire(wire with { HeaderExtensions = [new HeaderExtensionJson(2, "not hex")] }));
    }

    private static BlockHeader FromJson(JsonElement json) => BlockHeader.FromWire(json.Deserialize(ChainJsonContext.Default.BlockHeaderJson)!);
}
