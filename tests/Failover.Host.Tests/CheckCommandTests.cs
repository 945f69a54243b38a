using System.Text.Json;
using System.Text.RegularExpressions;
using Failover.Host.Commands;

namespace Failover.Host.Tests;

/// <summary>
/// issue 18.5: <c>failover check --config F</c> against <c>failover simulate</c> — every item of the checklist passes for
/// the configuration <c>failover init</c> writes from the simulator's keys (exit 0), and each thing that is wrong fails
/// its own item and the command (exit 1), without key material in the output.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class CheckCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-check-test-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_configuration_that_matches_the_chain_passes_every_check_and_each_mistake_fails_its_own()
    {
        using var simulatorConsole = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var keysPath = Path.Combine(_directory.FullName, "sim-keys.json");
        var simulate = FailoverCli.RunAsync(["simulate", "--urls", "http://127.0.0.1:0", "--keys-out", keysPath, "--seed", "check", "--api-nodes", "2"], simulatorConsole.Console, stop.Token);
        try
        {
            var listening = await simulatorConsole.LineAsync(DrillSupport.SimulatorListening());
            var (sim, chainId) = (listening.Groups["url"].Value, listening.Groups["chain"].Value);
            var keys = DrillKeys.Read(keysPath);

            // The runbook's way: failover init writes the configuration, failover check proves it against the chain.
            var initialized = Path.Combine(_directory.FullName, "initialized.json");
            WriteConfig(sim, chainId, keys, dc2Signing: keys.Dc2Signing.ToString()); // writes the key file
            var init = await CliRunner.RunAsync(
                "init", "--producer", "failover.bp", "--key-file", Path.Combine(_directory.FullName, "failover.key"), "--out", initialized,
                "--store", "sqlite:" + Path.Combine(_directory.FullName, "failover.db"), "--endpoint", $"{sim}/node/api1", "--endpoint", $"{sim}/node/api2",
                "--data-center", $"dc1={keys.Dc1Signing},{keys.Dc1Finalizer}", "--data-center", $"dc2={keys.Dc2Signing},{keys.Dc2Finalizer}");
            Assert.True(init.ExitCode == 0, init.Out + init.Error);
            var good = await CliRunner.RunAsync("check", "--config", initialized);
            Assert.True(good.ExitCode == 0, good.Out + good.Error);
            foreach (var item in new[] { "configuration", "store", $"endpoint {sim}/node/api1", $"endpoint {sim}/node/api2", "endpoints agree", "signing key", "consensus",
                "permission failover.bp@failover", "registered key", "finalizer key dc1", "finalizer key dc2" })
            {
                Assert.Matches($"(?m)^✓ {Regex.Escape(item)} — ", good.Out);
            }

            Assert.DoesNotContain(keys.FailoverPrivateKey, good.Out + good.Error, StringComparison.Ordinal);

            // The configured chain id is another chain's: every endpoint fails, and nothing is checked on a chain.
            var otherChain = await CliRunner.RunAsync("check", "--config", WriteConfig(sim, new string('a', 64), keys, dc2Signing: keys.Dc2Signing.ToString()));
            Assert.Equal(ExitCodes.Failure, otherChain.ExitCode);
            Assert.Matches(@"(?m)^✗ endpoint .*/node/api1 — serves chain [0-9a-f]{64}, not the configured a{64}$", otherChain.Out);
            Assert.Matches(@"(?m)^✗ chain — no endpoint answered with the configured chain", otherChain.Out);
            Assert.Matches(@"(?m)^\d+ of \d+ checks failed\.$", otherChain.Out);

            // dc2 names another producer's keys: its finalizer key is not registered to ours; the rest still passes.
            using var file = JsonDocument.Parse(await File.ReadAllTextAsync(keysPath));
            var other = file.RootElement.GetProperty("nodes").GetProperty("prod.a/dc1");
            var otherSigning = Antelope.PrivateKey.Parse(other.GetProperty("signing").GetString()!).PublicKey.ToString();
            var wrongFinalizer = await CliRunner.RunAsync("check", "--config", WriteConfig(sim, chainId, keys, otherSigning, other.GetProperty("finalizer").GetString()));
            Assert.Equal(ExitCodes.Failure, wrongFinalizer.ExitCode);
            Assert.Matches(@"(?m)^✗ finalizer key dc2 — PUB_BLS_\S+ is not registered to failover\.bp: register it", wrongFinalizer.Out);
            Assert.True(Regex.IsMatch(wrongFinalizer.Out, @"(?m)^1 of 11 checks failed\.$"), wrongFinalizer.Out);
        }
        finally
        {
            await stop.CancelAsync();
            await simulate;
        }
    }

    [Fact]
    public async Task An_invalid_configuration_is_refused_listing_its_problems_before_anything_is_checked()
    {
        var path = Path.Combine(_directory.FullName, "bad.json");
        await File.WriteAllTextAsync(path, """{ "Failover": { "ObserverId": "x" } }""");

        var result = await CliRunner.RunAsync("check", "--config", path);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("problem(s)", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    private string WriteConfig(string sim, string chainId, DrillKeys keys, string dc2Signing, string? finalizer2 = null)
    {
        var keyFile = Path.Combine(_directory.FullName, "failover.key");
        if (!File.Exists(keyFile))
        {
            DrillSupport.WriteKeyFile(_directory, keys.FailoverPrivateKey);
        }

        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Failover"] = new Dictionary<string, object>
            {
                ["ObserverId"] = "check",
                ["Store"] = "sqlite:" + Path.Combine(_directory.FullName, "failover.db"),
                ["Chain"] = new Dictionary<string, object> { ["Id"] = chainId, ["Endpoints"] = new[] { $"{sim}/node/api1", $"{sim}/node/api2" } },
                ["Producer"] = "failover.bp",
                ["DataCenters"] = new object[]
                {
                    new Dictionary<string, object> { ["Name"] = "dc1", ["Priority"] = 1, ["SigningKey"] = keys.Dc1Signing.ToString(), ["FinalizerKey"] = keys.Dc1Finalizer },
                    new Dictionary<string, object> { ["Name"] = "dc2", ["Priority"] = 2, ["SigningKey"] = dc2Signing, ["FinalizerKey"] = finalizer2 ?? keys.Dc2Finalizer },
                },
                ["Signer"] = new Dictionary<string, object> { ["Permission"] = "failover", ["KeyFile"] = keyFile },
            },
        });
        var path = Path.Combine(_directory.FullName, $"check-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
