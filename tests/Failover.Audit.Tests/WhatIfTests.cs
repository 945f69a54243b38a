using System.Text.Json;
using Failover.Audit.Decisions;
using Failover.Audit.WhatIf;
using Failover.Domain.Decisions;
using Failover.EventStore.Sqlite;

namespace Failover.Audit.Tests;

/// <summary><c>failover audit what-if</c>: recorded decisions re-evaluated under a changed policy.</summary>
[Collection(DemoStoreFixture.Name)]
public sealed class WhatIfTests(DemoStore demo)
{
    [Theory]
    [InlineData("0.999")]
    [InlineData("1")]
    [InlineData("0.5")]
    public async Task MinParticipation_flips_exactly_the_decisions_whose_recorded_participation_is_not_above_it(string value)
    {
        var threshold = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var decisions = await DecisionsAsync();
        // Expected from the recorded evidence alone: a trigger stays one only while both figures are strictly above the threshold.
        var expectedFlips = decisions
            .Where(d => d.Decision.Outcome == DecisionOutcome.Trigger
                && !(d.Evidence.Chain.LastFullRound!.Rate > threshold && d.Evidence.Chain.SlidingWindow!.Rate > threshold))
            .Select(d => d.Position)
            .ToList();

        var run = await Audit.RunAsync("what-if", "--store", demo.Location, "--set", "Policy:MinParticipation=" + value, "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var report = JsonDocument.Parse(run.Out).RootElement;
        var results = report.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(decisions.Count, results.Count);
        var flipped = results.Where(r => r.GetProperty("differs").GetBoolean()).ToList();
        Assert.Equal(expectedFlips, flipped.Select(r => r.GetProperty("position").GetInt64()));
        foreach (var r in flipped)
        {
            Assert.Equal("trigger", r.GetProperty("recorded_outcome").GetString());
            Assert.Equal("suppress", r.GetProperty("outcome").GetString());
            Assert.Equal(["low-participation"], r.GetProperty("reasons").EnumerateArray().Select(x => x.GetString()));
            Assert.Contains("others produced (", r.GetProperty("summary").GetString(), StringComparison.Ordinal); // with the evidence
        }
    }

    [Fact]
    public async Task The_demo_trigger_would_have_been_suppressed_if_no_participation_were_enough()
    {
        // The demo's other producers all produced (20/20): only the limit MinParticipation = 1 ("strictly above 100 %") flips it.
        Assert.All(await DecisionsAsync(), d => Assert.Equal(1.0, d.Evidence.Chain.SlidingWindow!.Rate));

        var run = await Audit.RunAsync("what-if", "--store", demo.Location, "--set", "Policy:MinParticipation=1");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("What if Policy:MinParticipation=1: 1 of 1 recorded decision would have differed.", run.Out, StringComparison.Ordinal);
        Assert.Contains("the trigger → dc2 would have been suppressed (low-participation)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_changes_apply_together_over_the_recorded_policy()
    {
        var decision = (await DecisionsAsync())[0];

        var result = WhatIfAnalysis.Evaluate(decision, [new PolicyOverride("MaxHeadAge", "00:00:00.001"), new PolicyOverride("MaxRotationsPer24h", "5")]);

        // The head gate holds for an age within ±MaxHeadAge: a head stamped after the evaluation (the demo's real clock
        // can sample a block a moment before its timestamp) fails it as "ahead of the evaluation's time".
        var age = decision.Evidence.EvaluatedAt - decision.Evidence.Chain.HeadBlockTime;
        var ageOk = age <= TimeSpan.FromMilliseconds(1) && age >= TimeSpan.FromMilliseconds(-1);
        Assert.Equal(ageOk ? DecisionOutcome.Trigger : DecisionOutcome.Suppress, result.Outcome);
        Assert.NotEqual(decision.Policy.Hash(), result.WhatIfPolicyHash);
        Assert.Equal(decision.Policy with { MaxHeadAge = TimeSpan.FromMilliseconds(1), MaxRotationsPer24h = 5 }, PolicyOverrides.Apply(decision.Policy, [new("MaxHeadAge", "00:00:00.001"), new("MaxRotationsPer24h", "5")], []));
    }

    [Fact]
    public async Task Bad_changes_are_a_usage_error_listing_every_problem()
    {
        var run = await Audit.RunAsync("what-if", "--store", demo.Location, "--set", "Policy:MinParticipation=1.5", "--set", "Policy:Nope=1", "--set", "MaxLibStall");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'1.5' is not a number from 0 to 1", run.Error, StringComparison.Ordinal);
        Assert.Contains("'Nope' is not a policy key; the keys are MissedBlocksThreshold, MinParticipation", run.Error, StringComparison.Ordinal);
        Assert.Contains("--set 'MaxLibStall' is not Policy:Key=Value", run.Error, StringComparison.Ordinal);
        Assert.Equal(3, run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private async Task<List<RecordedDecision>> DecisionsAsync()
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = demo.DatabasePath, ReadOnly = true });
        var decisions = new List<RecordedDecision>();
        await foreach (var d in RecordedDecision.ReadAllAsync(store))
        {
            decisions.Add(d);
        }

        Assert.NotEmpty(decisions);
        return decisions;
    }
}
