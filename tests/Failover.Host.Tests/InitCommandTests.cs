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
}
