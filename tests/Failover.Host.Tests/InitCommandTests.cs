using System.Text.Json;
using Failover.Antelope;
using Failover.Host.Commands;
using Failover.Service.Configuration;
using Failover.Testing;

namespace Failover.Host.Tests;

/// <summary>
/// issue 18.5: <c>failover init</c> writes a commented configuration that <c>failover run</c> loads, and prints the
/// updateauth + linkauth actions for the dedicated permission; it never overwrites, never writes an invalid
/// configuration, and never shows the private key.
/// </summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-init-");
    private readonly KeyFileDirectory _keys = new();

    public void Dispose()
    {
        _keys.Dispose();
        _directory.Delete(recursive: true);
    }

    private static string Dc(int index) => ReferenceVectors.Key(index).Text("pub_k1");

    private static string[] Arguments(string keyFile, string output, string dc2Key) =>
    [
        "init", "--producer", "failover.bp", "--consensus", "legacy", "--key-file", keyFile, "--out", output,
        "--endpoint", "http://node-a:8888", "--endpoint", "http://node-b:8888", "--endpoint", "http://node-c:8888",
        "--data-center", $"dc1={Dc(1)}", "--data-center", $"dc2={dc2Key}",
    ];

    [Fact]
    public async Task Init_writes_a_commented_configuration_that_loads_and_prints_the_dedicated_permission_s_actions()
    {
        var wif = ReferenceVectors.Key(3).Text("wif");
        var keyFile = _keys.Write(wif);
        var output = Path.Combine(_directory.FullName, "failover.json");

        var result = await CliRunner.RunAsync(Arguments(keyFile, output, Dc(2)));

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        var text = await File.ReadAllTextAsync(output);
        Assert.Contains("// Failover's configuration, written by `failover init`.", text, StringComparison.Ordinal);
        var settings = FailoverSettingsLoader.Load(RunCommand.BuildConfiguration(new FileInfo(output))).Settings;
        Assert.NotNull(settings);
        Assert.Equal("failover.bp", settings.Producer.ToString());
        Assert.Equal(["dc1", "dc2"], settings.DataCenters.Select(d => d.Name));
        Assert.Equal(PublicKey.Parse(Dc(2)), settings.DataCenters[1].SigningKey);
        Assert.Equal(3, settings.Endpoints.Count);

        var printed = result.Out[result.Out.IndexOf('[', StringComparison.Ordinal)..];
        using var actions = JsonDocument.Parse(printed);
        Assert.Equal(["updateauth", "linkauth", "linkauth", "linkauth"], actions.RootElement.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        var update = (Antelope.SystemContract.UpdateAuth)Antelope.SystemContract.SystemActions.Decode(
            Name.Parse("updateauth"), Hex.Decode(actions.RootElement[0].GetProperty("data").GetString()!));
        Assert.Equal(PrivateKey.Parse(wif).PublicKey, update.Keys.Single().Key);
        Assert.Equal("failover", update.Permission.ToString());
        Assert.DoesNotContain(wif, result.Out + result.Error + text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_does_not_overwrite_a_configuration()
    {
        var output = Path.Combine(_directory.FullName, "existing.json");
        await File.WriteAllTextAsync(output, "{}");

        var result = await CliRunner.RunAsync(Arguments(_keys.Write(ReferenceVectors.Key(3).Text("wif")), output, Dc(2)));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("init does not overwrite a configuration", result.Error, StringComparison.Ordinal);
        Assert.Equal("{}", await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task Flags_that_make_an_invalid_configuration_write_nothing_and_list_its_problems()
    {
        var output = Path.Combine(_directory.FullName, "invalid.json");

        var result = await CliRunner.RunAsync(Arguments(_keys.Write(ReferenceVectors.Key(3).Text("wif")), output, "PUB_K1_not-a-key"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Failover:DataCenters:1:SigningKey", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    private const string ChainId = "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906";
    private const string RefBlockId = "0569ac2e8b9c4b3a2c7e2bd1a1f3e1c9d5f8a0b7c6d5e4f3a2b1c0d9e8f7a6b5";

    private string[] SigningArguments(string output, params string[] extra) =>
    [
        .. Arguments(_keys.Write(ReferenceVectors.Key(3).Text("wif")), output, Dc(2)),
        "--sign-key-file", _keys.Write(ReferenceVectors.Key(4).Text("wif")),
        "--chain-id", ChainId, "--ref-block-id", RefBlockId, "--expiration", "2026-12-07T23:00:00", .. extra,
    ];

    private static System.Text.Json.Nodes.JsonObject PrintedTransaction(CliResult result) =>
        System.Text.Json.Nodes.JsonNode.Parse(result.Out[result.Out.IndexOf('{', StringComparison.Ordinal)..])!.AsObject();

    [Fact]
    public async Task With_the_active_key_init_signs_the_permission_s_actions_offline_as_one_transaction()
    {
        var output = Path.Combine(_directory.FullName, "signed.json");

        var result = await CliRunner.RunAsync(SigningArguments(output));

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.True(File.Exists(output));
        var printed = PrintedTransaction(result);
        var actions = printed["transaction"]!["actions"]!.AsArray();
        Assert.Equal(["updateauth", "linkauth", "linkauth", "linkauth"], actions.Select(a => (string?)a!["name"]));
        Assert.All(actions, a => Assert.Equal("failover.bp@active", $"{a!["authorization"]![0]!["actor"]}@{a["authorization"]![0]!["permission"]}"));
        Assert.Equal("2026-12-07T23:00:00", (string?)printed["transaction"]!["expiration"]);
        var body = JsonSerializer.Deserialize<Antelope.Transactions.PackedTransaction>(printed["push_body"]!.ToJsonString())!;
        var signer = Assert.Single(Antelope.Transactions.TransactionSigner.RecoverSigners(body, Checksum256.Parse(ChainId)));
        Assert.Equal(PrivateKey.Parse(ReferenceVectors.Key(4).Text("wif")).PublicKey, signer);
        Assert.DoesNotContain(ReferenceVectors.Key(4).Text("wif"), result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(ReferenceVectors.Key(3).Text("wif"), result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_push_init_sends_the_signed_push_body_once_and_prints_the_node_s_answer()
    {
        var offline = PrintedTransaction(await CliRunner.RunAsync(SigningArguments(Path.Combine(_directory.FullName, "offline.json"))));
        var answer = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "push_transaction.transfer_202.json")))!["response"]!.AsObject();
        answer["transaction_id"] = (string?)offline["transaction_id"];
        answer["processed"]!["id"] = (string?)offline["transaction_id"];
        await using var node = await TxPushNode.AnsweringAsync(202, answer.ToJsonString());

        var result = await CliRunner.RunAsync(SigningArguments(Path.Combine(_directory.FullName, "pushed.json"), "--push", node.Url));

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        var request = Assert.Single(node.Received);
        Assert.Equal("/v1/chain/push_transaction", request.Path);
        Assert.Equal(offline["push_body"]!.ToJsonString(), request.Body);
        Assert.Equal((string?)offline["transaction_id"], (string?)PrintedTransaction(result)["pushed"]!["transaction_id"]);
    }

    [Fact]
    public async Task A_refused_push_exits_non_zero_with_the_node_s_reason_after_writing_the_configuration()
    {
        var refusal = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "error.unknown_endpoint_404.json"));
        await using var node = await TxPushNode.AnsweringAsync(404, System.Text.Json.Nodes.JsonNode.Parse(refusal)!["response"]!.ToJsonString());
        var output = Path.Combine(_directory.FullName, "refused.json");

        var result = await CliRunner.RunAsync(SigningArguments(output, "--push", node.Url));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Single(node.Received);
        Assert.Contains("push rejected", result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public async Task Signing_options_are_checked_together_before_anything_is_written()
    {
        var output = Path.Combine(_directory.FullName, "unsigned.json");
        var dedicated = _keys.Write(ReferenceVectors.Key(3).Text("wif"));

        var stray = await CliRunner.RunAsync([.. Arguments(dedicated, output, Dc(2)), "--push", "http://127.0.0.1:1", "--chain-id", ChainId]);
        var incomplete = await CliRunner.RunAsync([.. Arguments(dedicated, output, Dc(2)), "--sign-key-file", _keys.Write(ReferenceVectors.Key(4).Text("wif")), "--expiration", "tomorrow"]);
        var sameKey = await CliRunner.RunAsync([.. Arguments(dedicated, output, Dc(2)), "--sign-key-file", dedicated, "--chain-id", ChainId, "--ref-block-id", RefBlockId, "--expiration", "2026-12-07T23:00:00"]);

        Assert.Equal(ExitCodes.Usage, stray.ExitCode);
        Assert.Contains("--chain-id, --push apply only with --sign-key-file", stray.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, incomplete.ExitCode);
        Assert.Contains("init: 3 problem(s); nothing was written:", incomplete.Error, StringComparison.Ordinal);
        Assert.Contains("--chain-id is required.", incomplete.Error, StringComparison.Ordinal);
        Assert.Contains("--ref-block-id is required.", incomplete.Error, StringComparison.Ordinal);
        Assert.Contains("--expiration 'tomorrow' must be a UTC time", incomplete.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, sameKey.ExitCode);
        Assert.Contains("--sign-key-file holds the same key as --key-file", sameKey.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Values_not_given_are_asked_for_one_line_each_and_give_the_configuration_the_flags_give()
    {
        var keyFile = _keys.Write(ReferenceVectors.Key(3).Text("wif"));
        var fromFlags = Path.Combine(_directory.FullName, "flags.json");
        var asked = Path.Combine(_directory.FullName, "asked.json");
        await CliRunner.RunAsync(Arguments(keyFile, fromFlags, Dc(2)));
        var answers = string.Join("\n", "failover.bp", "http://node-a:8888 http://node-b:8888   http://node-c:8888", $"dc1={Dc(1)} dc2={Dc(2)}", keyFile) + "\n";

        var result = await CliRunner.RunWithInputAsync(answers, "init", "--consensus", "legacy", "--out", asked);

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.Contains("Producer account (e.g. myproducer): ", result.Error, StringComparison.Ordinal);
        Assert.Contains("Chain API endpoints, separated by spaces", result.Error, StringComparison.Ordinal);
        Assert.Contains("Data centers in priority order", result.Error, StringComparison.Ordinal);
        Assert.Contains("The dedicated permission's private key file (owner-only): ", result.Error, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(fromFlags), await File.ReadAllTextAsync(asked));
    }

    [Fact]
    public async Task Without_the_values_or_answers_every_missing_one_is_listed_and_nothing_is_written()
    {
        var output = Path.Combine(_directory.FullName, "unanswered.json");

        var result = await CliRunner.RunWithInputAsync(string.Empty, "init", "--out", output);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("init: 4 value(s) neither given nor answered; nothing was written:", result.Error, StringComparison.Ordinal);
        Assert.Contains("--producer", result.Error, StringComparison.Ordinal);
        Assert.Contains("--endpoint", result.Error, StringComparison.Ordinal);
        Assert.Contains("--data-center", result.Error, StringComparison.Ordinal);
        Assert.Contains("--key-file", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
