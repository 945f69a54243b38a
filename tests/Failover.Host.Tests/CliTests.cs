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
    public async Task Version_prints_the_version_the_commit_and_the_runtime_and_exits_zero()
    {
        var result = await CliRunner.RunAsync("version");
        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^failover \d+\.\d+\.\d+", lines[0]);
        Assert.Matches("^commit ([0-9a-f]{40}|unknown)$", lines[1]);
        Assert.Equal($"runtime {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} ({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})", lines[2]);
    }

    [Theory]
    [InlineData("1.0.0+16e4e194d4982f6eab3e4dbeaf682a9f5a6765af", "failover 1.0.0\ncommit 16e4e194d4982f6eab3e4dbeaf682a9f5a6765af")]
    [InlineData("1.2.3", "failover 1.2.3\ncommit unknown")]
    [InlineData(null, "failover unknown\ncommit unknown")]
    public void Version_splits_the_commit_from_the_informational_version(string? informational, string expected) =>
        Assert.Equal(expected + "\nruntime .NET 10.0.1 (linux-x64)", Commands.VersionCommand.Describe(informational, ".NET 10.0.1", "linux-x64"));

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
