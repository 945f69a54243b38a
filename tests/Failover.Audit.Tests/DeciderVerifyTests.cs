using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Audit.Verification;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;

namespace Failover.Audit.Tests;

/// <summary>
/// issue 14.4: <c>verify</c> re-runs both deciders over the log — the chain decider on every recorded block, the
/// failover decider on every process event — and reports what they would not have recorded. Each tampered copy is
/// resealed (positions, stream versions, the stream table and the hash chain all hold), so only the deciders catch it.
/// </summary>
[Collection(DemoStoreFixture.Name)]
public sealed class DeciderVerifyTests(DemoStore demo)
{
    private const string Triggered = "failover-triggered.v1";
    private const string Requested = "key-rotation-requested.v1";
    private const string Missed = "block-missed.v1";
    private const string Produced = "block-produced.v1";
    private const string Process = "failover-failover.bp";

    [Fact]
    public async Task The_demo_store_is_what_both_deciders_record_every_chain_and_process_event_rederived()
    {
        var events = await new Tamper(demo.DatabasePath).EventsAsync();

        var report = await VerifyAsync(demo.DatabasePath);

        Assert.Empty(report.Problems);
        Assert.Equal(events.Count(e => e.Stream.StartsWith("chain-", StringComparison.Ordinal)), report.ChainEventsRederived);
        Assert.Equal(events.Count(e => e.Stream == Process), report.ProcessEventsRederived);
        var json = JsonDocument.Parse((await Audit.RunAsync("verify", "--store", demo.Location, "--json")).Out).RootElement;
        Assert.Equal(report.ChainEventsRederived, json.GetProperty("chain_events_rederived").GetInt32());
        Assert.Equal(report.ProcessEventsRederived, json.GetProperty("process_events_rederived").GetInt32());
        var text = await Audit.RunAsync("verify", "--store", demo.Location);
        Assert.Contains($"Deciders: {report.ChainEventsRederived} chain events re-derived by the chain decider from the recorded blocks, "
            + $"{report.ProcessEventsRederived} process events by the failover decider.", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_miss_removed_from_the_chain_stream_is_missing_at_the_block_that_reveals_it()
    {
        var copy = new Tamper(demo.Copy("miss-removed"));
        var events = await copy.EventsAsync();
        var miss = events.First(e => e.Type == Missed);
        var slot = Field<uint>(miss, "slot");
        var revealing = RevealingBlock(events, miss);
        await copy.RemoveAsync(miss.Position);

        var report = await VerifyAsync(copy.Path);

        Assert.True(report.ChainIntact);
        var problem = report.FirstProblem!;
        Assert.Equal((revealing.Position - 1, revealing.Stream, Produced, AuditCheck.Decider), (problem.Position, problem.Stream, problem.Type, problem.Check));
        Assert.Contains($"the chain decider, re-run on block {Field<uint>(revealing, "block_num")}, charges slot {slot} to failover.bp (block-missed.v1), which the log does not record", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_miss_added_where_a_block_was_produced_is_one_the_chain_decider_does_not_charge()
    {
        var copy = new Tamper(demo.Copy("miss-added"));
        var events = await copy.EventsAsync();
        var activated = events.Single(e => e.Type == "signing-key-activated.v1"); // schedule v2 is in force from here on
        var block = events.First(e => e.Type == Produced && e.Position > activated.Position + 20);
        var parent = events.Last(e => e.Type == Produced && e.Position < block.Position);
        var slot = Field<uint>(parent, "slot");
        var forged = new BlockMissed(
            Field<string>(block, "chain_id"), slot, Field<DateTimeOffset>(parent, "timestamp"), Field<string>(parent, "producer"), Field<uint>(block, "schedule_version"),
            Field<uint>(block, "block_num"), Field<string>(block, "block_id"), Field<DateTimeOffset>(block, "observed_at"));
        await copy.InsertIntoStreamAsync(block.Position, block.Stream, Missed, JsonSerializer.Serialize(forged, DomainJsonContext.Default.BlockMissed), block.Metadata);

        var report = await VerifyAsync(copy.Path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((block.Position, block.Stream, Missed, AuditCheck.Decider), (problem.Position, problem.Stream, problem.Type, problem.Check));
        Assert.Contains($"block-missed.v1 of slot {slot} charged to {forged.ScheduledProducer}: the chain decider, re-run on block {forged.RevealedByBlockNum}, does not record it", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_miss_charged_to_another_producer_is_reported_at_the_miss()
    {
        var copy = new Tamper(demo.Copy("miss-producer"));
        var miss = await copy.FirstAsync(Missed);
        await copy.ForgeAsync(miss.Position, p => p["scheduled_producer"] = "prod.forged");

        var report = await VerifyAsync(copy.Path);

        var problem = report.FirstProblem!;
        Assert.Equal((miss.Position, Missed, AuditCheck.Decider), (problem.Position, problem.Type, problem.Check));
        Assert.Contains($"records slot {Field<uint>(miss, "slot")} otherwise: scheduled_producer: recorded \"prod.forged\", the decider gives \"failover.bp\"", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_miss_moved_to_another_slot_is_not_the_decider_s_and_its_slot_is_missing()
    {
        var copy = new Tamper(demo.Copy("miss-slot"));
        var events = await copy.EventsAsync();
        var miss = events.First(e => e.Type == Missed);
        var revealing = RevealingBlock(events, miss);
        var slot = Field<uint>(miss, "slot");
        await copy.ForgeAsync(miss.Position, p => p["slot"] = slot + 1000);

        var report = await VerifyAsync(copy.Path);

        var deciders = report.Problems.Where(p => p.Check == AuditCheck.Decider).ToList();
        Assert.Equal([miss.Position, revealing.Position], deciders.Select(p => p.Position));
        Assert.Contains($"block-missed.v1 of slot {slot + 1000} charged to failover.bp: the chain decider, re-run on block {Field<uint>(revealing, "block_num")}, does not record it", deciders[0].What, StringComparison.Ordinal);
        Assert.Contains($"charges slot {slot} to failover.bp (block-missed.v1), which the log does not record", deciders[1].What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_charged_to_a_producer_its_slot_does_not_belong_to_is_refused_by_the_chain_decider()
    {
        var copy = new Tamper(demo.Copy("block-producer"));
        var events = await copy.EventsAsync();
        var activated = events.Single(e => e.Type == "signing-key-activated.v1"); // schedule v2 is in force from here on
        var block = events.First(e => e.Type == Produced && e.Position > activated.Position + 20);
        var producer = Field<string>(block, "producer");
        await copy.ForgeAsync(block.Position, p => p["producer"] = "prod.forged");

        var report = await VerifyAsync(copy.Path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((block.Position, Produced, AuditCheck.Decider), (problem.Position, problem.Type, problem.Check));
        Assert.Contains(
            $"the chain decider refuses block {Field<uint>(block, "block_num")}: block {Field<uint>(block, "block_num")} at slot {Field<uint>(block, "slot")} was produced by prod.forged, but schedule v2 gives that slot to {producer}",
            problem.What, StringComparison.Ordinal);
    }

    /// <summary>
    /// A suppression with dc1 alone configured (the configuration is not in the log: it is recorded with each decision),
    /// recorded at the trigger's sample, is what the decider records — once: the same suppression again for the same
    /// incident and reason is not.
    /// </summary>
    [Fact]
    public async Task A_suppression_recorded_twice_for_the_same_incident_and_reason_is_reported_at_the_second()
    {
        var copy = new Tamper(demo.Copy("suppressed-twice"));
        var trigger = await copy.FirstAsync(Triggered);
        var triggered = JsonSerializer.Deserialize(trigger.Payload.Span, DomainJsonContext.Default.FailoverTriggered)!;
        var evidence = triggered.Evidence with { DataCenters = [.. triggered.Evidence.DataCenters.Where(d => d.Name == "dc1")] };
        var decision = Policy.Evaluate(evidence, triggered.Policy);
        Assert.Equal(DecisionOutcome.Suppress, decision.Outcome);
        Assert.Equal(["no-ready-standby"], decision.Reasons);
        var suppressed = new FailoverSuppressed(triggered.Producer, triggered.IncidentId, decision.Reasons, decision, evidence, triggered.Policy, triggered.DecidedAt);
        var payload = JsonSerializer.Serialize(suppressed, DomainJsonContext.Default.FailoverSuppressed);
        await copy.InsertIntoStreamAsync(trigger.Position, Process, "failover-suppressed.v1", payload, trigger.Metadata);
        await copy.InsertIntoStreamAsync(trigger.Position + 1, Process, "failover-suppressed.v1", payload, trigger.Metadata);
        await RenameRotationAsync(copy, "rotation-1", "rotation-3"); // two events more before the trigger: its rotation is the stream's third event

        var report = await VerifyAsync(copy.Path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((trigger.Position + 1, Process, "failover-suppressed.v1", AuditCheck.Decider), (problem.Position, problem.Stream, problem.Type, problem.Check));
        Assert.Contains(
            $"the failover decider records nothing here: a suppression of incident {triggered.IncidentId} for [no-ready-standby] is already recorded (position {trigger.Position})",
            problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_trigger_for_an_incident_already_handled_is_reported()
    {
        var copy = new Tamper(demo.Copy("triggered-twice"));
        var trigger = await copy.FirstAsync(Triggered);
        var request = await copy.FirstAsync(Requested);
        await copy.InsertIntoStreamAsync(request.Position + 1, Process, Triggered, System.Text.Encoding.UTF8.GetString(trigger.Payload.Span), trigger.Metadata);

        var report = await VerifyAsync(copy.Path);

        var problem = Assert.Single(report.Problems, p => p.Check == AuditCheck.Decider);
        Assert.Equal((request.Position + 1, Process, Triggered), (problem.Position, problem.Stream, problem.Type));
        var incident = Field<string>(trigger, "incident_id");
        Assert.Contains($"the failover decider records nothing here: incident {incident} is already handled (failover-triggered.v1 at position {trigger.Position})", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_decision_whose_target_was_altered_is_not_what_the_decider_records()
    {
        var copy = new Tamper(demo.Copy("target"));
        var trigger = await copy.FirstAsync(Triggered);
        await copy.ForgeAsync(trigger.Position, p => p["target_data_center"] = "dc1");

        var report = await VerifyAsync(copy.Path);

        var problem = Assert.Single(report.Problems, p => p.Check == AuditCheck.Decider);
        Assert.Equal((trigger.Position, Process, Triggered), (problem.Position, problem.Stream, problem.Type));
        Assert.Contains("the failover decider, re-run on the evaluation at", problem.What, StringComparison.Ordinal);
        Assert.Contains("target_data_center: recorded \"dc1\", the decider gives \"dc2\"", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_removed_after_its_trigger_is_missing_at_the_trigger()
    {
        var copy = new Tamper(demo.Copy("request-removed"));
        var trigger = await copy.FirstAsync(Triggered);
        var request = await copy.FirstAsync(Requested);
        await copy.RemoveAsync(request.Position);

        var report = await VerifyAsync(copy.Path);

        Assert.True(report.ChainIntact);
        var problem = report.Problems.First(p => p.Check == AuditCheck.Decider);
        Assert.Equal((trigger.Position, Process, Triggered), (problem.Position, problem.Stream, problem.Type));
        Assert.Contains("the failover decider records key-rotation-requested.v1 (rotation-1) with this decision, which the log does not hold", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completion_naming_a_block_the_chain_stream_does_not_hold_is_reported()
    {
        var copy = new Tamper(demo.Copy("completed-block"));
        var completed = await copy.FirstAsync("failover-completed.v1");
        var number = Field<uint>(completed, "block_num");
        await copy.ForgeAsync(completed.Position, p => p["block_num"] = number + 1);

        var report = await VerifyAsync(copy.Path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((completed.Position, "failover-completed.v1", AuditCheck.Decider), (problem.Position, problem.Type, problem.Check));
        Assert.Equal($"block {number + 1} ({Field<string>(completed, "block_id")}) is not on the branch the chain stream follows: no block of ours shows the rotation complete", problem.What);
    }

    [Fact]
    public async Task An_operator_resume_without_a_pause_is_refused_by_the_decider()
    {
        var copy = new Tamper(demo.Copy("resumed"));
        var events = await copy.EventsAsync();
        var last = events[^1];
        var resumed = new AutomationResumed("failover.bp", "ops", "forged", last.RecordedAt);
        await copy.InsertIntoStreamAsync(last.Position + 1, Process, "automation-resumed.v1", JsonSerializer.Serialize(resumed, DomainJsonContext.Default.AutomationResumed));

        var report = await VerifyAsync(copy.Path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((last.Position + 1, "automation-resumed.v1", AuditCheck.Decider), (problem.Position, problem.Type, problem.Check));
        Assert.Equal("the failover decider refuses it (Resume): automation is not paused", problem.What);
    }

    private static RecordedEvent RevealingBlock(IReadOnlyList<RecordedEvent> events, RecordedEvent miss) =>
        events.First(e => e.Type == Produced && e.Position > miss.Position && Field<uint>(e, "block_num") == Field<uint>(miss, "revealed_by_block_num"));

    private static T Field<T>(RecordedEvent e, string name) => JsonNode.Parse(e.Payload.Span)![name]!.GetValue<T>();

    /// <summary>What a forger renumbering a rotation does: every process event naming it names the new id.</summary>
    private static async Task RenameRotationAsync(Tamper copy, string from, string to)
    {
        var renamed = (await copy.EventsAsync()).Where(e => e.Stream == Process && JsonNode.Parse(e.Payload.Span)!["rotation_id"]?.GetValue<string>() == from).ToList();
        foreach (var e in renamed)
        {
            await copy.EditPayloadAsync(e.Position, p => p["rotation_id"] = to);
        }

        await copy.ResealAsync(renamed[0].Position);
    }

    private static async Task<VerifyReport> VerifyAsync(string path)
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadOnly = true });
        return await Verifier.VerifyAsync(store);
    }
}
