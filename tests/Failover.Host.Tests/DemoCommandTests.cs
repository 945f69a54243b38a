using System.Text.RegularExpressions;
using Failover.Antelope.Chain;
using Failover.Host.Commands;

namespace Failover.Host.Tests;

public sealed partial class DemoCommandTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    // Savanna only: at this speed a loaded machine can leave the drill further behind the head than legacy's LIB lag, and
    // legacy signatures can only be checked on reversible blocks. FireDrillTests run the legacy drill on a fake clock.
    [Fact]
    public async Task The_demo_at_high_speed_runs_the_drill_to_the_end_and_prints_its_timeline()
    {
        var result = await CliRunner.RunAsync("demo", "--speed", "120", "--urls", "http://127.0.0.1:0").WaitAsync(RunLimit);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(ListeningLine(), lines[0]);
        string[] milestones = ["fixed rule", "participation 21/21", "failover.bp/dc1 taken down", "missed its block", "12 in a row",
            "Rotation submitted trx", "Producers table shows dc2's key", "active with dc2's key", "signed by dc2's key", "Drill complete"];
        var positions = milestones.Select(m => Array.FindIndex(lines, l => l.Contains(m, StringComparison.Ordinal))).ToList();
        Assert.All(positions, p => Assert.True(p > 0, $"missing a milestone in:\n{result.Out}"));
        Assert.Equal(positions.Order(), positions);
        Assert.DoesNotContain("PVT_", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--speed", "0", "--speed must be a positive number")]
    [InlineData("--speed", "-3", "--speed must be a positive number")]
    [InlineData("--seed", "", "Seed must not be empty")]
    [InlineData("--consensus", "pow", "pow")]
    [InlineData("--urls", ";", "--urls must name at least one URL")]
    public async Task Bad_options_exit_2_with_the_reason(string option, string value, string reason)
    {
        var result = await CliRunner.RunAsync("demo", option, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keep_running_serves_the_chain_after_the_drill_until_cancelled()
    {
        using var console = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var run = FailoverCli.RunAsync(["demo", "--speed", "120", "--urls", "http://127.0.0.1:0", "--keep-running"], console.Console, stop.Token);

        var serving = await console.LineAsync(KeepsServingLine());
        using var http = new HttpClient();
        var chain = new ChainApiClient(http, new ChainApiOptions { BaseAddress = new Uri(serving.Groups["url"].Value) });
        var first = await chain.GetInfoAsync();
        Assert.Contains("Drill complete", console.Out, StringComparison.Ordinal);
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(RunLimit));
        Assert.True(first.HeadBlockNum > 0);
    }

    [GeneratedRegex(@"^Simulating 21 producers \(\w+, seed 'failover', speed 120\) chain [0-9a-f]{64} on http://127\.0\.0\.1:\d+$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"keeps serving on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex KeepsServingLine();
}
