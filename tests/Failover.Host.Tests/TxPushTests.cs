using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Host.Commands;
using Failover.Testing;

namespace Failover.Host.Tests;

/// <summary><c>failover tx rotate --push URL</c> against a real local HTTP server standing in for nodeos.</summary>
public sealed class TxPushTests : IDisposable
{
    private readonly KeyFileDirectory _files = new();
    private readonly JsonElement _vector = ReferenceVectors.Item("transactions.json", "transactions", 0);

    [Fact]
    public async Task An_answer_naming_another_transaction_id_fails_and_names_the_signed_id()
    {
        var offline = await RunOfflineAsync();
        var answer = Fixture("push_transaction.transfer_202.json");
        Assert.NotEqual((string?)offline["transaction_id"], (string?)answer["transaction_id"]);
        await using var node = await TxPushNode.AnsweringAsync(202, answer.ToJsonString());

        var result = await RunAsync("--push", node.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(node.Received);
        Assert.Contains("does not match", result.Error, StringComparison.Ordinal);
        Assert.Contains((string)offline["transaction_id"]!, result.Error, StringComparison.Ordinal);
        Assert.Contains((string)answer["transaction_id"]!, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_sends_the_offline_push_body_once_and_prints_the_nodes_answer()
    {
        var offline = await RunOfflineAsync();
        var answer = Fixture("push_transaction.transfer_202.json");
        answer["transaction_id"] = (string?)offline["transaction_id"];
        answer["processed"]!["id"] = (string?)offline["transaction_id"];
        await using var node = await TxPushNode.AnsweringAsync(202, answer.ToJsonString());

        var result = await RunAsync("--push", node.Url);

        Assert.True(result.ExitCode == 0, result.Error);
        var request = Assert.Single(node.Received);
        Assert.Equal("/v1/chain/push_transaction", request.Path);
        Assert.Equal(offline["push_body"]!.ToJsonString(), request.Body);
        var printed = JsonNode.Parse(result.Out)!.AsObject();
        Assert.True(printed.Remove("pushed", out var pushed));
        Assert.True(JsonNode.DeepEquals(offline, printed), "the output besides \"pushed\" is the offline output");
        Assert.Equal((string?)offline["transaction_id"], (string?)pushed!["transaction_id"]);
        Assert.Equal(90841415u, (uint)pushed["block_num"]!);
        Assert.Equal(2, pushed.AsObject().Count);
        AssertNoPrivateKey(result);
    }

    [Theory]
    [InlineData("error.push_transaction.duplicate_500.json", 500, "push answered duplicate", "already has transaction")]
    [InlineData("error.internal_500.json", 500, "push outcome UNKNOWN", "does not say whether the transaction was processed")]
    [InlineData("error.unknown_endpoint_404.json", 404, "push rejected", "Nothing was processed")]
    [InlineData("error.busy_503.json", 503, "push not applied", "too busy to process it")]
    public async Task Each_error_answer_says_what_it_proves_about_the_transaction(string fixture, int status, string outcome, string meaning)
    {
        var offline = await RunOfflineAsync();
        await using var node = await TxPushNode.AnsweringAsync(status, Fixture(fixture).ToJsonString());

        var result = await RunAsync("--push", node.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(node.Received);
        Assert.StartsWith(outcome, result.Error, StringComparison.Ordinal);
        Assert.Contains(meaning, result.Error, StringComparison.Ordinal);
        if (outcome != "push rejected")
        {
            Assert.Contains((string)offline["transaction_id"]!, result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_push_the_node_rejects_exits_1_naming_the_error_code_name_what_and_detail()
    {
        var offline = await RunOfflineAsync();
        await using var node = await TxPushNode.AnsweringAsync(500, Fixture("error.push_transaction.expired_500.json").ToJsonString());

        var result = await RunAsync("--push", node.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(node.Received);
        Assert.Contains("push rejected", result.Error, StringComparison.Ordinal);
        Assert.Contains(
            "3040005 expired_tx_exception: Expired Transaction — transaction has expired, expiration is 2024-10-23T03:18:15.000",
            result.Error,
            StringComparison.Ordinal);
        Assert.DoesNotContain("unknown", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(JsonNode.DeepEquals(offline, JsonNode.Parse(result.Out)), "the signed transaction is still printed, without \"pushed\"");
        AssertNoPrivateKey(result);
    }

    [Fact]
    public async Task A_push_without_an_answer_in_time_is_reported_as_unknown_with_the_transaction_id_and_is_not_repeated()
    {
        var offline = await RunOfflineAsync();
        await using var node = await TxPushNode.NeverAnsweringAsync();

        var result = await RunAsync("--push", node.Url, "--timeout", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("UNKNOWN", result.Error, StringComparison.Ordinal);
        Assert.Contains("timed out after 1000 ms", result.Error, StringComparison.Ordinal);
        Assert.Contains((string)offline["transaction_id"]!, result.Error, StringComparison.Ordinal);
        Assert.Single(node.Received);
        Assert.DoesNotContain("pushed", result.Out, StringComparison.Ordinal);
        AssertNoPrivateKey(result);
    }

    [Fact]
    public async Task A_push_interrupted_by_the_operator_is_reported_as_unknown()
    {
        var offline = await RunOfflineAsync();
        await using var node = await TxPushNode.NeverAnsweringAsync();
        using var interrupt = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = [.. TxRotateArguments.FromVector(_vector, _files), "--push", node.Url];

        var run = FailoverCli.RunAsync(args, new CliConsole(new StringReader(string.Empty), output, error), interrupt.Token);
        await node.FirstRequest.WaitAsync(TimeSpan.FromSeconds(10));
        await interrupt.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, exitCode);
        Assert.Contains("push outcome UNKNOWN: push_transaction was interrupted", error.ToString(), StringComparison.Ordinal);
        Assert.Contains((string)offline["transaction_id"]!, error.ToString(), StringComparison.Ordinal);
        Assert.Single(node.Received);
    }

    [Fact]
    public async Task A_push_to_a_port_nobody_listens_on_is_reported_as_not_applied_since_nothing_was_sent()
    {
        var offline = await RunOfflineAsync();

        var result = await RunAsync("--push", $"http://127.0.0.1:{UnusedPort()}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("push not applied", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", result.Error, StringComparison.Ordinal);
        Assert.Contains((string)offline["transaction_id"]!, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:8888", "must be an absolute http:// or https:// URL")]
    [InlineData("ftp://127.0.0.1/", "must be an absolute http:// or https:// URL")]
    [InlineData("/v1/chain", "must be an absolute http:// or https:// URL")]
    [InlineData("", "must be an absolute http:// or https:// URL")]
    [InlineData("http://127.0.0.1:8888/?node=1", "must not have a query or fragment")]
    [InlineData("http://operator:secret@127.0.0.1:8888", "must not contain user info")]
    public async Task An_invalid_push_url_is_a_usage_error_and_nothing_is_sent(string url, string problem)
    {
        var result = await RunAsync("--push", url);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("--push", result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_problems_are_listed_with_every_other_problem_and_nothing_is_sent()
    {
        await using var node = await TxPushNode.AnsweringAsync(202, "{}");
        string[] args = [.. TxRotateArguments.FromVector(_vector, _files), "--push", node.Url, "--timeout", "0"];
        args[Array.IndexOf(args, "--location") + 1] = "70000";

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("2 problem(s)", result.Error, StringComparison.Ordinal);
        Assert.Contains("--timeout '0' must be a number of seconds greater than 0", result.Error, StringComparison.Ordinal);
        Assert.Contains("--location '70000'", result.Error, StringComparison.Ordinal);
        Assert.Empty(node.Received);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("3601")]
    [InlineData("NaN")]
    public async Task A_timeout_that_is_not_a_positive_number_of_seconds_up_to_an_hour_is_rejected(string timeout)
    {
        var result = await RunAsync("--push", "http://127.0.0.1:8888", "--timeout", timeout);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--timeout '{timeout}' must be a number of seconds", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_without_push_is_rejected()
    {
        var result = await RunAsync("--timeout", "5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--timeout applies only with --push", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();

    private Task<CliResult> RunAsync(params string[] extra) =>
        CliRunner.RunAsync([.. TxRotateArguments.FromVector(_vector, _files), .. extra]);

    private async Task<JsonObject> RunOfflineAsync()
    {
        var result = await RunAsync();
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonNode.Parse(result.Out)!.AsObject();
    }

    private void AssertNoPrivateKey(CliResult result)
    {
        foreach (var signer in _vector.GetProperty("keys_used").GetProperty("signer_keys_json_indexes").EnumerateArray())
        {
            var wif = ReferenceVectors.Key(signer.GetInt32()).Text("wif");
            Assert.DoesNotContain(wif, result.Out + result.Error, StringComparison.Ordinal);
        }
    }

    private static JsonObject Fixture(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))!["response"]!.AsObject();

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
