using System.Text.Json;
using Failover.Domain.Events;

namespace Failover.Audit.Tests;

/// <summary><c>failover audit explain</c>: a decision's story, checked against what the log holds.</summary>
[Collection(DemoStoreFixture.Name)]
public sealed class ExplainTests(DemoStore demo)
{
    [Fact]
    public async Task The_story_of_the_demo_rotation_names_the_missed_slots_the_evidence_the_gates_and_what_followed()
    {
        var events = await new Tamper(demo.DatabasePath).EventsAsync();
        var decision = events.Single(e => e.Type == "failover-triggered.v1");
        var triggered = (FailoverTriggered)EventCatalogue.Deserialize(decision.Type, decision.Payload.Span);
        var ourMisses = events.Where(e => e.Type == "block-missed.v1" && e.Position < decision.Position)
            .Select(e => (BlockMissed)EventCatalogue.Deserialize(e.Type, e.Payload.Span))
            .Where(m => m.ScheduledProducer == "failover.bp" && m.Slot >= triggered.Evidence.Incident!.FirstMissedSlot)
            .Select(m => m.Slot).Order().ToList();
        var missed = triggered.Evidence.Incident!.ConsecutiveMissed;
        var followUps = events.Where(e => e.Stream == decision.Stream && e.Position > decision.Position).Select(e => e.Position).ToList();

        var run = await Audit.RunAsync("explain", "--store", demo.Location, "--position", decision.Position.ToString(), "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var story = JsonDocument.Parse(run.Out).RootElement.GetProperty("decisions")[0];
        Assert.Equal("trigger", story.GetProperty("outcome").GetString());
        Assert.Equal("dc2", story.GetProperty("target_data_center").GetString());
        Assert.True(missed >= 12, $"the run counted {missed} misses, below the threshold");
        Assert.Equal(ourMisses.Take(missed), story.GetProperty("missed_slots").EnumerateArray().Select(m => m.GetProperty("slot").GetUInt32()));
        Assert.Equal(followUps, story.GetProperty("followed_by").EnumerateArray().Select(f => f.GetProperty("position").GetInt64()));
        Assert.Equal(2, story.GetProperty("endpoints").GetProperty("views").GetArrayLength());
        Assert.True(story.GetProperty("rerun_agrees").GetBoolean());
        Assert.All(story.GetProperty("gates").EnumerateArray(), g => Assert.True(g.GetProperty("passed").GetBoolean()));
        Assert.Equal(1, story.GetProperty("failover_sequence").GetInt64());

        var text = await Audit.RunAsync("explain", "--store", demo.Location, "--position", decision.Position.ToString());
        Assert.Equal(0, text.ExitCode);
        foreach (var expected in new[]
        {
            "the service decided to ROTATE failover.bp's signing key to dc2",
            $"failover.bp missed {missed} consecutive scheduled blocks (threshold 12) from slot {ourMisses[0]}",
            missed <= 16 ? string.Join(", ", ourMisses.Take(missed)) : $"{ourMisses[0]}–{ourMisses[missed - 1]}",
            "last full round 20/20 (100.0 %), nobody missing",
            "Endpoints: 2 of 2 agreed with the followed chain",
            "LIB: block", "Head: block",
            "[lib-stalled: passed",
            "pushed to", "the producers table shows", "COMPLETED — block",
        })
        {
            Assert.Contains(expected, text.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("failover-0000000001")]
    public async Task A_failover_by_its_number_tells_the_same_story(string id)
    {
        var byPosition = JsonDocument.Parse((await Audit.RunAsync("explain", "--store", demo.Location, "--position", (await DecisionPositionAsync()).ToString(), "--json")).Out).RootElement;
        var incident = byPosition.GetProperty("decisions")[0].GetProperty("incident_id").GetString()!;

        var byNumber = await Audit.RunAsync("explain", "--store", demo.Location, "--failover", id, "--json");
        var byIncident = await Audit.RunAsync("explain", "--store", demo.Location, "--failover", incident, "--json");

        Assert.Equal(byPosition.ToString(), JsonDocument.Parse(byNumber.Out).RootElement.ToString());
        Assert.Equal(byPosition.ToString(), JsonDocument.Parse(byIncident.Out).RootElement.ToString());
    }

    [Fact]
    public async Task A_position_that_is_not_a_decision_is_refused_naming_the_decisions()
    {
        var run = await Audit.RunAsync("explain", "--store", demo.Location, "--position", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"position 1 is a producer-schedule-changed.v1 in chain-", run.Error, StringComparison.Ordinal);
        Assert.Contains($"the decisions are at position {await DecisionPositionAsync()}.", run.Error, StringComparison.Ordinal);
        Assert.Contains("No failover '7'; the failovers are 1 (missed-", (await Audit.RunAsync("explain", "--store", demo.Location, "--failover", "7")).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "give exactly one of --position N and --failover ID")]
    [InlineData(new[] { "--position", "3", "--failover", "1" }, "give exactly one of --position N and --failover ID")]
    [InlineData(new[] { "--position", "x" }, "--position must be a position (1 or more), got 'x'")]
    public async Task Explain_needs_exactly_one_decision(string[] options, string reason)
    {
        var run = await Audit.RunAsync(["explain", "--store", demo.Location, .. options]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(reason, run.Error, StringComparison.Ordinal);
    }

    private async Task<long> DecisionPositionAsync() => (await new Tamper(demo.DatabasePath).FirstAsync("failover-triggered.v1")).Position;
}
