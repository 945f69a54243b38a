using System.Text.RegularExpressions;
using Failover.Host.Commands;

namespace Failover.Host.Tests;

/// <summary>
/// The demo end to end: the real service (observer, projections, process manager, HTTP) against the in-process
/// simulator on a sped-up real clock. The failover scenarios themselves are proven on virtual time in
/// Failover.Service.Tests; this proves the command a person runs.
/// </summary>
[Collection(RealClockTests.Name)]
public sealed partial class DemoCommandTests : IDisposable
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("failover-demo-test-");

    /// <summary>
    /// By default dc1 goes down 90 s before our window: the certificates lose its finalizer's vote, the silence is
    /// decided on within seconds, and the new key is in force before our window — no block is lost.
    /// </summary>
    [Fact]
    public async Task By_default_the_outage_is_decided_on_the_silence_of_our_finalizer_before_our_window_and_no_block_is_lost()
    {
        var result = await CliRunner.RunAsync("demo", "--speed", "20", "--urls", "http://127.0.0.1:0").WaitAsync(RunLimit);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] milestones = ["OUTAGE: failover.bp/dc1 goes down ", "silent: the certificate in block", "DECISION: rotate to dc2",
            "recorded before sending: transaction", "pushed to", "in force with", "RESUMED: block", "Summary: failover.bp lost 0 blocks (reactive floor: 12"];
        var positions = milestones.Select(m => Array.FindIndex(lines, l => l.Contains(m, StringComparison.Ordinal))).ToList();
        Assert.All(positions, p => Assert.True(p > 0, $"missing a milestone in:\n{result.Out}"));
        Assert.Equal(positions.Order(), positions);
        // The demo follows a real (sped-up) clock: the outage lands on the slot it aims at, or one or two later.
        var before = double.Parse(OutageLine().Match(result.Out).Groups["seconds"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(before, 89, 90);  // 89.5 and 89 when one or two slots late
        Assert.Matches(SilenceDecision(), lines.Single(l => l.Contains("DECISION: rotate", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("missed:", StringComparison.Ordinal) || l.Contains("] missed:", StringComparison.Ordinal));
        Assert.Contains("detection latency (first certificate without our finalizer's vote observed → transaction pushed)", result.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// --outage-at 1: dc1 goes down a second before our window. The silence is still seen before our 12 slots are, but
    /// no rotation can be in force before our window: the whole window is lost, the reactive floor.
    /// </summary>
    [Fact]
    public async Task An_outage_just_before_our_window_fails_over_once_after_12_lost_blocks_and_prints_the_timeline_in_order()
    {
        var result = await CliRunner.RunAsync("demo", "--speed", "20", "--outage-at", "1", "--urls", "http://127.0.0.1:0", "--data-dir", _dataDirectory.FullName).WaitAsync(RunLimit);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] milestones = ["OUTAGE: failover.bp/dc1 goes down ", "DECISION: rotate to dc2", "recorded before sending: transaction",
            "pushed to", "producers table shows", "in force with", "RESUMED: block", "Summary: failover.bp lost 12 blocks"];
        var positions = milestones.Select(m => Array.FindIndex(lines, l => l.Contains(m, StringComparison.Ordinal))).ToList();
        Assert.All(positions, p => Assert.True(p > 0, $"missing a milestone in:\n{result.Out}"));
        Assert.Equal(positions.Order(), positions);
        Assert.InRange(double.Parse(OutageLine().Match(result.Out).Groups["seconds"].Value, System.Globalization.CultureInfo.InvariantCulture), 0.5, 1);
        Assert.Contains(lines, l => l.Contains("(12 since the outage)", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("DECISION: rotate", StringComparison.Ordinal));
        Assert.Matches(DetectionLatency(), result.Out);
        Assert.True(File.Exists(Path.Combine(_dataDirectory.FullName, "failover.db")));
        Assert.DoesNotContain("PVT_", result.Out + result.Error, StringComparison.Ordinal);

        // The store the demo recorded, read back as a person would: the outage round shows our 12 missed slots.
        var rounds = await CliRunner.RunAsync("rounds", "--store", "sqlite:" + Path.Combine(_dataDirectory.FullName, "failover.db"), "--limit", "200");
        Assert.True(rounds.ExitCode == 0, rounds.Error);
        Assert.Contains("0/12 (missed-all)", rounds.Out, StringComparison.Ordinal);
        Assert.Matches(FullHealthyRound(), rounds.Out);

        // --to goes back to a round, by its start slot or by a time inside it.
        var outageRow = rounds.Out.Split('\n').Single(l => l.Contains("(missed-all)", StringComparison.Ordinal));
        var outageRound = uint.Parse(outageRow.Split('│', StringSplitOptions.TrimEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        var insideIt = Antelope.BlockTimestamp.FromSlot(outageRound + 100).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var to in new[] { outageRound.ToString(System.Globalization.CultureInfo.InvariantCulture), insideIt })
        {
            var back = await CliRunner.RunAsync("rounds", "--store", "sqlite:" + Path.Combine(_dataDirectory.FullName, "failover.db"), "--limit", "2", "--to", to);
            Assert.True(back.ExitCode == 0, back.Error);
            var rows = back.Out.Split('\n').Where(l => l.StartsWith("│ ", StringComparison.Ordinal) && !l.Contains("round", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, rows.Count);
            Assert.Contains("(missed-all)", rows[0], StringComparison.Ordinal);
            Assert.StartsWith($"│ {outageRound} ", rows[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rounds_refuses_a_bad_limit_and_a_missing_store_with_the_reason()
    {
        var badLimit = await CliRunner.RunAsync("rounds", "--store", "sqlite:" + Path.Combine(_dataDirectory.FullName, "x.db"), "--limit", "0");
        var missing = await CliRunner.RunAsync("rounds", "--store", "sqlite:" + Path.Combine(_dataDirectory.FullName, "missing.db"));
        var badStore = await CliRunner.RunAsync("rounds", "--store", "mysql:x");
        var badTo = await CliRunner.RunAsync("rounds", "--store", "sqlite:" + Path.Combine(_dataDirectory.FullName, "x.db"), "--to", "yesterday");

        Assert.Equal((ExitCodes.Usage, ExitCodes.Failure, ExitCodes.Usage, ExitCodes.Usage), (badLimit.ExitCode, missing.ExitCode, badStore.ExitCode, badTo.ExitCode));
        Assert.Contains("--to must be a round (its start slot) or a UTC time such as 2026-12-01T12:45:00Z, got 'yesterday'", badTo.Error, StringComparison.Ordinal);
        Assert.Contains("--limit must be 1 to 200", badLimit.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
        Assert.Contains("neither sqlite:PATH nor postgres:", badStore.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dataDirectory.FullName, "missing.db")));
    }

    [Theory]
    [InlineData("--speed", "0", "--speed must be a positive number")]
    [InlineData("--speed", "-3", "--speed must be a positive number")]
    [InlineData("--seed", "", "Seed must not be empty")]
    [InlineData("--consensus", "pow", "pow")]
    [InlineData("--urls", ";", "--urls must name at least one URL")]
    [InlineData("--outage-at", "0", "--outage-at must be 0.5 to 120 seconds before our window, got 0.")]
    [InlineData("--outage-at", "121", "--outage-at must be 0.5 to 120 seconds before our window, got 121.")]
    public async Task Bad_options_exit_2_with_the_reason(string option, string value, string reason)
    {
        var result = await CliRunner.RunAsync("demo", option, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keep_running_serves_the_service_after_the_failover_until_cancelled()
    {
        using var console = new DemoConsole();
        using var stop = new CancellationTokenSource();
        var run = FailoverCli.RunAsync(
            ["demo", "--speed", "20", "--urls", "http://127.0.0.1:0", "--data-dir", _dataDirectory.FullName, "--keep-running"], console.Console, stop.Token);

        var servingLine = console.LineAsync(KeepsRunningLine(), RunLimit);
        if (await Task.WhenAny(servingLine, run) == run)
        {
            Assert.Fail($"the demo ended (exit {await run}) without serving on:\n{console.Out}\n{console.Error}");
        }

        var serving = await servingLine;
        using var http = new HttpClient();
        var live = await http.GetAsync(new Uri(new Uri(serving.Groups["url"].Value), "/health/live"));
        Assert.Contains("RESUMED", console.Out, StringComparison.Ordinal);
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(RunLimit));
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
    }

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    [GeneratedRegex(@"detection latency \((block revealing our latest miss|first certificate without our finalizer's vote) observed → transaction pushed\) \d+ ms real")]
    private static partial Regex DetectionLatency();

    [GeneratedRegex(@"OUTAGE: failover\.bp/dc1 goes down (?<seconds>\d+(\.\d)?) s before failover\.bp's window")]
    private static partial Regex OutageLine();

    [GeneratedRegex(@"DECISION: rotate to dc2 \(.*\) on our finalizer's silence since block \d+ \(\d+ certificates without its vote\), \d+(\.\d)? s before our window")]
    private static partial Regex SilenceDecision();

    [GeneratedRegex(@"│ v1\s+│\s+20/20 \(100 %\) │ -\s+│\s+\d+ │ 12/0 \(produced\)\s+│ 252/252 slots │")]
    private static partial Regex FullHealthyRound();

    [GeneratedRegex(@"keeps running on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex KeepsRunningLine();
}
