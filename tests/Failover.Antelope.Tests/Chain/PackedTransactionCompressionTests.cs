using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Antelope.Transactions;
using Failover.Testing;
using static Failover.Antelope.Tests.Chain.ChainJson;

namespace Failover.Antelope.Tests.Chain;

/// <summary>A push body's <c>compression</c> in every form nodeos accepts (protocol.md §1.8), and nothing else.</summary>
public sealed class PackedTransactionCompressionTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("\"none\"", 0)]
    [InlineData("1", 1)]
    [InlineData("\"zlib\"", 1)]
    public void A_push_body_reads_compression_as_a_number_or_a_name(string compression, int expected)
    {
        var body = Read(Body(compression), Json.PackedTransaction);

        Assert.Equal(expected, body.Compression);
        Assert.Equal(["SIG_K1_x"], body.Signatures);
        Assert.Equal("00", body.PackedTrx);
    }

    [Theory]
    [InlineData("\"none\"")]
    [InlineData("0")]
    public void A_push_body_is_written_back_with_the_numeric_compression(string compression)
    {
        var body = Read(Body(compression), Json.PackedTransaction);

        Assert.Equal(Body("0"), Write(body, Json.PackedTransaction));
    }

    [Theory]
    [InlineData("2", "2")]
    [InlineData("-1", "-1")]
    [InlineData("1.5", "1.5")]
    [InlineData("\"gzip\"", "gzip")]
    [InlineData("\"None\"", "None")]
    [InlineData("\"0\"", "\"0\"")]
    [InlineData("\"\"", "\"\"")]
    [InlineData("true", "True")]
    [InlineData("null", "Null")]
    [InlineData("{}", "StartObject")]
    public void Any_other_compression_is_rejected_naming_the_accepted_forms_and_the_value(string compression, string shown)
    {
        var error = Assert.Throws<JsonException>(() => Read(Body(compression), Json.PackedTransaction));

        Assert.Contains("expected a compression (0, 1, \"none\" or \"zlib\")", error.Message, StringComparison.Ordinal);
        Assert.Contains(shown, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_push_body_without_compression_is_rejected()
    {
        const string json = """{"signatures":["SIG_K1_x"],"packed_context_free_data":"","packed_trx":"00"}""";

        var error = Assert.Throws<JsonException>(() => Read(json, Json.PackedTransaction));

        Assert.Contains("compression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_push_body_sent_with_compression_none_recovers_to_its_signers()
    {
        var vector = ReferenceVectors.Item("transactions.json", "transactions", 0);
        var body = JsonNode.Parse(vector.GetProperty("push_transaction_body").GetRawText())!.AsObject();
        body["compression"] = "none";

        var packed = Read(body.ToJsonString(), Json.PackedTransaction);

        var required = vector.GetProperty("keys_used").GetProperty("required_keys").EnumerateArray()
            .Select(k => PublicKey.Parse(k.GetString()!));
        Assert.Equal(required, TransactionSigner.RecoverSigners(packed, Checksum256.Parse(vector.Text("chain_id"))));
    }

    private static string Body(string compression) =>
        $$"""{"signatures":["SIG_K1_x"],"compression":{{compression}},"packed_context_free_data":"","packed_trx":"00"}""";
}
