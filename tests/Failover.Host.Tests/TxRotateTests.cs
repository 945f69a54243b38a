using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Antelope.Transactions;
using Failover.Testing;

namespace Failover.Host.Tests;

public sealed class TxRotateTests : IDisposable
{
    private const string TestChainId = "91cb4dc3cd518cd5551c3ea5ad45d6f08ccbf593ec3ac7b6edb7d955d1da4b22";
    private const string RefBlockId = "19a1478069d925f03cac961162b8e42680181a0ae2e41e52a584325efc70f3dc";
    private const string FinalizerKey = "PUB_BLS_6j4Y3LfsRiBxY-DgvqrZNMCttHftBQPIWwDiN2CMhHWULjN1nGwM1O_nEEJefqwAG4X09n4Kdt4a1mfZ1ES1cLGjQo6uLLSloiVW4i9BUhMHU2nVujP1_U_9ihdI3egZ17N-iA";

    private readonly KeyFileDirectory _files = new();

    /// <summary>The transactions.json entries whose single action is a registration (all but the actfinkey-only one).</summary>
    public static TheoryData<int> RegistrationVectors => new(
        ReferenceVectors.Indexes("transactions.json", "transactions")
            .Where(i => ReferenceVectors.Item("transactions.json", "transactions", i)
                .GetProperty("transaction").GetProperty("actions")[0].Text("name") is "regproducer" or "regproducer2"));

    [Theory]
    [MemberData(nameof(RegistrationVectors))]
    public async Task Rotate_reproduces_the_reference_transaction_exactly(int index)
    {
        var vector = ReferenceVectors.Item("transactions.json", "transactions", index);

        var result = await CliRunner.RunAsync(TxRotateArguments.FromVector(vector, _files));

        Assert.True(result.ExitCode == 0, result.Error);
        var output = JsonNode.Parse(result.Out)!;
        Assert.Equal(vector.Text("packed_trx"), (string?)output["packed_trx"]);
        Assert.Equal(vector.Text("transaction_id"), (string?)output["transaction_id"]);
        Assert.Equal(vector.Text("signing_digest"), (string?)output["digest"]);
        AssertJsonEqual(vector.GetProperty("transaction_json_with_hex_data"), output["transaction"]);
        AssertJsonEqual(vector.GetProperty("push_transaction_body"), output["push_body"]);
        AssertJsonEqual(vector.GetProperty("signatures"), output["signatures"]);
    }

    [Theory]
    [MemberData(nameof(RegistrationVectors))]
    public async Task Rotate_signatures_recover_to_the_signing_keys(int index)
    {
        var vector = ReferenceVectors.Item("transactions.json", "transactions", index);

        var result = await CliRunner.RunAsync(TxRotateArguments.FromVector(vector, _files));

        var body = JsonSerializer.Deserialize<PackedTransaction>(JsonNode.Parse(result.Out)!["push_body"]!.ToJsonString())!;
        var signers = TransactionSigner.RecoverSigners(body, Checksum256.Parse(vector.Text("chain_id")));
        var required = vector.GetProperty("keys_used").GetProperty("required_keys").EnumerateArray()
            .Select(k => PublicKey.Parse(k.GetString()!));
        Assert.Equal(required, signers);
    }

    [Fact]
    public async Task A_finalizer_key_adds_the_reference_actfinkey_action_under_the_same_authority()
    {
        var reference = ReferenceVectors.Items("transactions.json", "transactions")
            .Single(v => v.GetProperty("transaction").GetProperty("actions")[0].Text("name") == "actfinkey");
        var referenceAction = reference.GetProperty("transaction_json_with_hex_data").GetProperty("actions")[0];
        var registration = ReferenceVectors.Items("transactions.json", "transactions").First();
        string[] args = [.. TxRotateArguments.FromVector(registration, _files), "--finalizer-key", FinalizerKey];

        var result = await CliRunner.RunAsync(args);

        Assert.True(result.ExitCode == 0, result.Error);
        var actions = JsonNode.Parse(result.Out)!["transaction"]!["actions"]!.AsArray();
        Assert.Equal(2, actions.Count);
        Assert.Equal("regproducer", (string?)actions[0]!["name"]);
        AssertJsonEqual(referenceAction, actions[1]);
        var packed = Transaction.Unpack(Hex.Decode((string)JsonNode.Parse(result.Out)!["packed_trx"]!));
        Assert.Equal(Hex.Decode(reference.Text("action_data_hex")), packed.Actions[1].Data);
    }

    [Fact]
    public async Task Every_invalid_input_is_reported_at_once_with_the_usage_code()
    {
        var wif = ReferenceVectors.Key(1).Text("wif");
        var corrupted = ReferenceVectors.Items("keys.json", "corrupted").First(c => c.Text("kind") == "extra_single_char_typo").Text("string");

        var result = await CliRunner.RunAsync(
            "tx", "rotate",
            "--chain-id", "abc",
            "--ref-block-id", RefBlockId,
            "--expiration", "2025-06-01T12:00:00Z",
            "--producer", "EOSArgentina",
            "--permission", "active",
            "--new-key", "EOS74HU9ELKTxNNL5mk6vgA3RfBsnPBwUh7pobaF8gQAAnfLkrMNx",
            "--location", "70000",
            "--finalizer-key", "PUB_BLS_short",
            "--key-file", _files.Write(corrupted),
            "--key-file", _files.MissingPath);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("--chain-id", result.Error);
        Assert.Contains("--expiration", result.Error);
        Assert.Contains("--producer", result.Error);
        Assert.Contains("--new-key: Legacy EOS public key has a bad checksum", result.Error);
        Assert.Contains("--url is required", result.Error);
        Assert.Contains("--location '70000'", result.Error);
        Assert.Contains("--finalizer-key", result.Error);
        Assert.Contains("has a bad checksum", result.Error);
        Assert.Contains("missing.txt", result.Error);
        Assert.Contains("9 problem(s)", result.Error);
        Assert.DoesNotContain(corrupted[..12], result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wif[..12], result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_authority_that_could_never_sign_or_leaves_out_the_new_key_is_rejected()
    {
        var newKey = ReferenceVectors.Key(2).Text("pub_k1");
        var other = ReferenceVectors.Key(3).Text("pub_k1");

        var result = await RotateWithAuthorityAsync(newKey, "5", $"{other}:1", $"{other}:2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("same key more than once", result.Error);
        Assert.Contains("below the threshold 5", result.Error);
        Assert.Contains("--new-key must be one of the --authority-key keys", result.Error);
    }

    [Fact]
    public async Task An_authority_the_new_key_cannot_meet_alone_is_rejected()
    {
        var newKey = ReferenceVectors.Key(2).Text("pub_k1");
        var other = ReferenceVectors.Key(3).Text("pub_k1");

        var result = await RotateWithAuthorityAsync(newKey, "2", $"{newKey}:1", $"{other}:2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--new-key has weight 1 in the authority, below the threshold 2", result.Error);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Without_a_key_file_nothing_is_signed()
    {
        var result = await CliRunner.RunAsync(
            "tx", "rotate", "--chain-id", TestChainId, "--ref-block-id", RefBlockId, "--expiration", "2025-06-01T12:00:00",
            "--producer", "eosargentina", "--permission", "active", "--new-key", ReferenceVectors.Key(2).Text("pub_k1"),
            "--url", "https://x", "--location", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--key-file is required", result.Error);
        Assert.Empty(result.Out);
    }

    private Task<CliResult> RotateWithAuthorityAsync(string newKey, string threshold, params string[] keyWeights) =>
        CliRunner.RunAsync(
        [
            "tx", "rotate", "--chain-id", TestChainId, "--ref-block-id", RefBlockId, "--expiration", "2025-06-01T12:00:00",
            "--producer", "eosargentina", "--permission", "active", "--new-key", newKey, "--url", "https://x", "--location", "0",
            "--authority-threshold", threshold, .. keyWeights.SelectMany(k => new[] { "--authority-key", k }),
            "--key-file", _files.Write(ReferenceVectors.Key(1).Text("wif")),
        ]);

    private static void AssertJsonEqual(JsonElement expected, JsonNode? actual)
    {
        var expectedNode = JsonNode.Parse(expected.GetRawText());
        Assert.True(JsonNode.DeepEquals(expectedNode, actual), $"expected {expectedNode?.ToJsonString()}\nactual   {actual?.ToJsonString()}");
    }

    public void Dispose() => _files.Dispose();
}
