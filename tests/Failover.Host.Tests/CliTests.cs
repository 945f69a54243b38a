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
}
