using Failover.Testing;

namespace Failover.Host.Tests;

public sealed class CliTests
{
    [Fact]
    public async Task An_unknown_command_exits_with_the_usage_code_and_says_why()
    {
        var result = await CliRunner.RunAsync("no-such-command");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-command", result.Error);
    }

    [Fact]
    public async Task Version_prints_a_version_and_exits_zero()
    {
        var result = await CliRunner.RunAsync("version");
        Assert.Equal(0, result.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Out));
    }

    public static TheoryData<string, string[]> PrivateKeysOnTheCommandLine()
    {
        var wif = ReferenceVectors.Key(1).Text("wif");
        var pvt = ReferenceVectors.Key(1).Text("pvt_k1");
        var typo = wif[..^1] + (wif[^1] == 'x' ? 'y' : 'x');
        return new()
        {
            { wif, ["key", "inspect", wif] },
            { pvt, ["key", "inspect", pvt] },
            { typo, ["key", "inspect", typo] },
            { wif, ["tx", "rotate", "--location", wif] },
            { pvt, ["tx", "rotate", $"--push={pvt}"] },
            { wif, ["simulate", "--seed", wif] },
        };
    }

    [Theory]
    [MemberData(nameof(PrivateKeysOnTheCommandLine))]
    public async Task A_private_key_on_the_command_line_is_refused_without_being_echoed(string key, string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("private key", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(key[..12], result.Out + result.Error, StringComparison.Ordinal);
    }
}
