using System.Text.Json;
using System.Text.RegularExpressions;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Transactions;
using Failover.Host.Commands;
using Failover.Simulator;

namespace Failover.Host.Tests;

public sealed partial class SimulateCommandTests : IDisposable
{
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);
    private readonly KeyFileDirectory _files = new();

    [Fact]
    public async Task Simulate_serves_the_chain_on_the_port_it_prints_and_its_keys_file_signs_for_the_failover_permission()
    {
        using var console = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var keysPath = _files.MissingPath;
        var run = FailoverCli.RunAsync(
            ["simulate", "--urls", "http://127.0.0.1:0", "--keys-out", keysPath, "--seed", "simulate-test", "--speed", "4"], console.Console, stop.Token);

        var listening = await console.LineAsync(DrillSupport.SimulatorListening());
        using var http = new HttpClient();
        var chain = new ChainApiClient(http, new ChainApiOptions { BaseAddress = new Uri(listening.Groups["url"].Value) });
        var info = await chain.GetInfoAsync();
        var keys = JsonDocument.Parse(await File.ReadAllTextAsync(keysPath)).RootElement;
        var failoverKey = PrivateKey.Parse(keys.GetProperty("accounts").GetProperty("failover.bp").GetProperty("failover")[0].GetString()!);
        var dc2 = keys.GetProperty("nodes").GetProperty("failover.bp/dc2");
        var row = (await chain.GetProducerRowsAsync("failover.bp", 1)).Rows[0];
        var rotation = Antelope.SystemContract.KeyRotation.ToNewKey(
            Checksum256.Parse(info.ChainId),
            Checksum256.Parse(info.LastIrreversibleBlockId),
            DateTimeOffset.FromUnixTimeSeconds(info.HeadBlockTime.ToUnixTimeSeconds()).AddMinutes(5),
            new PermissionLevel(Name.Parse("failover.bp"), Roster.FailoverPermission),
            PrivateKey.Parse(dc2.GetProperty("signing").GetString()!).PublicKey,
            row.Url,
            row.Location,
            dc2.GetProperty("finalizer").GetString());
        var pushed = await chain.PushTransactionAsync(rotation.Sign([failoverKey]));
        await WaitForHeadAsync(chain, pushed.Processed.BlockNum); // tables are read from head state
        var rowAfter = (await chain.GetProducerRowsAsync("failover.bp", 1)).Rows[0];
        await stop.CancelAsync();

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(StopLimit));
        Assert.Equal(listening.Groups["chain"].Value, info.ChainId);
        Assert.Equal(SeedDerivation.ChainId("simulate-test").ToString(), info.ChainId);
        Assert.Equal(rotation.ToTransaction().Id.ToString(), pushed.TransactionId);
        Assert.Equal(PrivateKey.Parse(dc2.GetProperty("signing").GetString()!).PublicKey, PublicKey.Parse(rowAfter.ProducerKey));
        Assert.DoesNotContain("PVT_", console.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_keys_file_lists_every_account_permission_and_node_in_the_issue_4_format()
    {
        using var console = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var keysPath = _files.MissingPath;
        var run = FailoverCli.RunAsync(["simulate", "--urls", "http://127.0.0.1:0", "--keys-out", keysPath], console.Console, stop.Token);
        await console.LineAsync(DrillSupport.SimulatorListening());
        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(StopLimit));

        var keys = JsonDocument.Parse(await File.ReadAllTextAsync(keysPath)).RootElement;
        Assert.Equal(["accounts", "nodes"], keys.EnumerateObject().Select(p => p.Name));
        var accounts = keys.GetProperty("accounts");
        Assert.Equal(22, accounts.EnumerateObject().Count()); // eosio and 21 producers
        foreach (var account in accounts.EnumerateObject())
        {
            string[] expected = account.Name == "failover.bp" ? ["owner", "active", "failover"] : ["owner", "active"];
            Assert.Equal(expected, account.Value.EnumerateObject().Select(p => p.Name));
            Assert.All(account.Value.EnumerateObject(), p => Assert.StartsWith("PVT_K1_", Assert.Single(p.Value.EnumerateArray()).GetString(), StringComparison.Ordinal));
        }

        var nodes = keys.GetProperty("nodes").EnumerateObject().ToList();
        Assert.Equal(22, nodes.Count); // two data centers of ours, one for each other producer
        Assert.Contains(nodes, n => n.Name == "failover.bp/dc1");
        Assert.Contains(nodes, n => n.Name == "failover.bp/dc2");
        Assert.All(nodes, n =>
        {
            Assert.Equal(["signing", "finalizer"], n.Value.EnumerateObject().Select(p => p.Name));
            PrivateKey.Parse(n.Value.GetProperty("signing").GetString()!);
            Assert.StartsWith("PUB_BLS_", n.Value.GetProperty("finalizer").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_existing_keys_file_is_made_readable_by_its_owner_only_before_keys_are_written()
    {
        using var console = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var keysPath = _files.MissingPath;
        await File.WriteAllTextAsync(keysPath, "old");
        File.SetUnixFileMode(keysPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var run = FailoverCli.RunAsync(["simulate", "--urls", "http://127.0.0.1:0", "--keys-out", keysPath], console.Console, stop.Token);
        await console.LineAsync(DrillSupport.SimulatorListening());
        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(StopLimit));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keysPath));
        Assert.StartsWith("{", await File.ReadAllTextAsync(keysPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_nodes_3_serves_api1_to_api3_and_no_fourth()
    {
        using var console = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var run = FailoverCli.RunAsync(["simulate", "--urls", "http://127.0.0.1:0", "--api-nodes", "3", "--seed", "api-nodes-test"], console.Console, stop.Token);

        var listening = await console.LineAsync(DrillSupport.SimulatorListening());
        using var http = new HttpClient();
        ChainApiClient Node(string name) => new(http, new ChainApiOptions { BaseAddress = new Uri($"{listening.Groups["url"].Value}/node/{name}/"), ReadRetries = 0 });
        var api3 = await Node("api3").GetInfoAsync();
        var api4 = await Assert.ThrowsAsync<ChainApiException>(() => Node("api4").GetInfoAsync());
        using var state = JsonDocument.Parse(await http.GetStringAsync($"{listening.Groups["url"].Value}/sim/state"));
        await stop.CancelAsync();

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(StopLimit));
        Assert.Equal(SeedDerivation.ChainId("api-nodes-test").ToString(), api3.ChainId);
        Assert.Equal(404, (int?)api4.HttpStatus);
        Assert.Equal(["api1", "api2", "api3"], state.RootElement.GetProperty("api_nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.Contains("API nodes api1, api2, api3) chain", console.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_help_of_simulate_documents_api_nodes()
    {
        var result = await CliRunner.RunAsync("simulate", "--help");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("--api-nodes", result.Out, StringComparison.Ordinal);
        Assert.Contains("API nodes api1 … apiN", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--api-nodes", "0", "--api-nodes must be between 1 and 100, got 0.")]
    [InlineData("--api-nodes", "-2", "--api-nodes must be between 1 and 100, got -2.")]
    [InlineData("--speed", "0", "--speed must be a positive number")]
    [InlineData("--producers", "0", "ProducerCount must be between 1 and 1000")]
    [InlineData("--seed", "", "Seed must not be empty")]
    [InlineData("--consensus", "pow", "pow")]
    public async Task Bad_options_exit_2_with_the_reason(string option, string value, string reason)
    {
        var result = await CliRunner.RunAsync("simulate", "--urls", "http://127.0.0.1:0", option, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();


    private static async Task WaitForHeadAsync(ChainApiClient chain, uint blockNum)
    {
        using var limit = new CancellationTokenSource(StopLimit);
        while ((await chain.GetInfoAsync(limit.Token)).HeadBlockNum < blockNum)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), limit.Token);
        }
    }
}
