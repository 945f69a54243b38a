using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Audit.Verification;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;

namespace Failover.Audit.Tests;

/// <summary>
/// <c>failover audit verify</c> on the demo's store, and on copies of it tampered with in each way an auditor must
/// catch: each is named by the right position and check.
/// </summary>
[Collection(DemoStoreFixture.Name)]
public sealed class VerifyTests(DemoStore demo)
{
    private const string Triggered = "failover-triggered.v1";

    [Fact]
    public async Task The_demo_store_verifies_clean_with_every_decision_rederived_and_its_evidence_rebuilt_from_the_log()
    {
        var run = await Audit.RunAsync("verify", "--store", demo.Location, "--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        var report = JsonDocument.Parse(run.Out).RootElement;
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = demo.DatabasePath, ReadOnly = true });
        Assert.Equal(await store.ReadHeadPositionAsync(), report.GetProperty("events").GetInt64());
        Assert.Equal(1, report.GetProperty("decisions").GetInt32());
        Assert.Equal(1, report.GetProperty("decisions_rederived").GetInt32());
        Assert.Equal(1, report.GetProperty("evidence_rebuilt").GetInt32());
        Assert.Equal(1, report.GetProperty("rotations_requested").GetInt32());
        Assert.Equal(5, report.GetProperty("rotation_steps_checked").GetInt32()); // requested, submitted, rotated, activated, completed
        Assert.Empty(report.GetProperty("problems").EnumerateArray());
        var head = await new Tamper(demo.DatabasePath).EventsAsync();
        Assert.Equal(Convert.ToHexStringLower(head[^1].Hash.Span), report.GetProperty("head_hash").GetString());

        var text = await Audit.RunAsync("verify", "--store", demo.Location);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("VERIFIED", text.Out, StringComparison.Ordinal);
        Assert.Contains($"--anchor {head[^1].Position}:{Convert.ToHexStringLower(head[^1].Hash.Span)}", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_payload_is_the_first_bad_event_at_its_position()
    {
        var copy = new Tamper(demo.Copy("edited"));
        var sample = await copy.FirstAsync("participation-sampled.v1", after: 300);
        await copy.EditPayloadAsync(sample.Position, p => p["head_block_num"] = p["head_block_num"]!.GetValue<uint>() + 1);

        var report = await VerifyAsync(copy);

        var first = report.FirstProblem!;
        Assert.Equal((sample.Position, AuditCheck.HashChain, sample.Stream, sample.Type), (first.Position, first.Check, first.Stream, first.Type));
        Assert.Contains("changed after it was sealed", first.What, StringComparison.Ordinal);
        Assert.Single(report.Problems, p => p.Check == AuditCheck.HashChain); // the next link still holds: one edit, one broken link
    }

    [Fact]
    public async Task A_deleted_event_is_a_missing_position()
    {
        var copy = new Tamper(demo.Copy("deleted"));
        var victim = await copy.FirstAsync("block-produced.v1", after: 400);
        await copy.DeleteAsync(victim.Position);

        var run = await RunAsync(copy);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"the first bad event is at position {victim.Position} (-, -): [position] position {victim.Position} is missing", run.Out, StringComparison.Ordinal);
        var report = await VerifyAsync(copy);
        Assert.Contains(report.Problems, p => p.Position == victim.Position + 1 && p.Check == AuditCheck.HashChain && p.What.Contains("is missing", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Stream == victim.Stream && p.Check == AuditCheck.StreamVersion && p.What.Contains($"jumps from version {victim.Version - 1}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reordered_events_are_named_at_the_first_of_the_two()
    {
        var copy = new Tamper(demo.Copy("reordered"));
        var first = await copy.FirstAsync("block-produced.v1", after: 500);
        await copy.SwapAsync(first.Position, first.Position + 1);

        var report = await VerifyAsync(copy);

        var problem = report.FirstProblem!;
        Assert.Equal((first.Position, AuditCheck.HashChain), (problem.Position, problem.Check));
        Assert.Contains($"out of order: this event was sealed at position {first.Position + 1}", problem.What, StringComparison.Ordinal);
        Assert.Contains(report.Problems, p => p.Position == first.Position + 1 && p.What.Contains($"sealed at position {first.Position}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_inserted_event_is_named_even_when_the_forger_sealed_it_correctly()
    {
        var copy = new Tamper(demo.Copy("inserted"));
        var at = (await copy.FirstAsync("participation-sampled.v1", after: 600)).Position;
        await copy.InsertAsync(at, "observer-forger", "endpoint-recovered.v1",
            """{"observer_id":"forger","endpoint":"http://forged","observed_at":"2026-01-01T00:00:00+00:00"}""");

        var report = await VerifyAsync(copy);

        var problem = report.FirstProblem!;
        Assert.Equal((at, "observer-forger", AuditCheck.HashChain), (problem.Position, problem.Stream, problem.Check));
        Assert.StartsWith("inserted:", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flipped_decision_breaks_its_link_and_is_a_divergence_too()
    {
        var copy = new Tamper(demo.Copy("flipped"));
        var decision = await copy.FirstAsync(Triggered);
        await copy.EditPayloadAsync(decision.Position, FlipToSuppression);

        var report = await VerifyAsync(copy);

        Assert.Equal((decision.Position, AuditCheck.HashChain), (report.FirstProblem!.Position, report.FirstProblem.Check));
        Assert.Contains(report.Problems, p => p.Position == decision.Position && p.Check == AuditCheck.Decision);
    }

    [Fact]
    public async Task A_flipped_decision_resealed_by_a_forger_is_reported_as_a_decision_its_evidence_does_not_justify()
    {
        var copy = new Tamper(demo.Copy("flipped-resealed"));
        var decision = await copy.FirstAsync(Triggered);
        await copy.ForgeAsync(decision.Position, FlipToSuppression);

        var run = await RunAsync(copy);
        var report = await VerifyAsync(copy);

        Assert.True(report.ChainIntact);
        var problem = report.FirstProblem!;
        Assert.Equal((decision.Position, AuditCheck.Decision, Triggered), (problem.Position, problem.Check, problem.Type));
        Assert.Contains("outcome: recorded suppress (low-participation), the policy gives trigger → dc2", problem.What, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"position {decision.Position} (failover-failover.bp, {Triggered}): [decision]", run.Out, StringComparison.Ordinal);
    }

    /// <summary>issue 14.4: a decision names its cause by id — the sample of its observer that the evidence is of.</summary>
    [Fact]
    public async Task Every_decision_names_its_cause_by_id_the_sample_its_evidence_is_of()
    {
        var events = await new Tamper(demo.DatabasePath).EventsAsync();
        var decision = events.First(e => e.Type == Triggered);
        var cause = Assert.Single(events, e => e.EventId == decision.Metadata.CausationId);

        Assert.Equal("participation-sampled.v1", cause.Type);
        Assert.Equal("observer-" + decision.Metadata.ObserverId, cause.Stream);
        Assert.True(cause.Position < decision.Position);
        var sampledAt = JsonNode.Parse(cause.Payload.Span)!["observed_at"]!.GetValue<DateTimeOffset>();
        var evaluatedAt = JsonNode.Parse(decision.Payload.Span)!["evidence"]!["evaluated_at"]!.GetValue<DateTimeOffset>();
        Assert.Equal(sampledAt, evaluatedAt);
    }

    /// <summary>A forger who points a decision at another cause (and reseals the chain) is caught: the cause is no sample of its observer.</summary>
    [Fact]
    public async Task A_decision_whose_cause_was_rewritten_to_another_event_cannot_be_traced_to_its_evidence()
    {
        var copy = new Tamper(demo.Copy("cause"));
        var decision = await copy.FirstAsync(Triggered);
        var other = await copy.FirstAsync("block-produced.v1");
        await RewriteCauseAsync(copy, decision, other);

        var report = await VerifyAsync(copy);

        Assert.True(report.ChainIntact);
        var problem = Assert.Single(report.Problems);
        Assert.Equal((decision.Position, AuditCheck.Evidence), (problem.Position, problem.Check));
        Assert.Contains($"its cause, event {other.EventId}, is neither a sample of observer", problem.What, StringComparison.Ordinal);
    }

    /// <summary>A cause that is a sample, but not the one the evidence was evaluated at, is caught too.</summary>
    [Fact]
    public async Task A_decision_pointed_at_an_earlier_sample_of_its_observer_is_reported()
    {
        var copy = new Tamper(demo.Copy("earlier-cause"));
        var decision = await copy.FirstAsync(Triggered);
        var events = await copy.EventsAsync();
        var earlier = events.Last(e => e.Type == "participation-sampled.v1" && e.Position < decision.Position && e.EventId != decision.Metadata.CausationId);
        await RewriteCauseAsync(copy, decision, earlier);

        var report = await VerifyAsync(copy);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((decision.Position, AuditCheck.Evidence), (problem.Position, problem.Check));
        Assert.Contains($"but its cause (position {earlier.Position}) is of", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evidence_edited_so_the_trigger_no_longer_follows_is_caught_by_the_policy_and_by_the_log()
    {
        var copy = new Tamper(demo.Copy("evidence"));
        var decision = await copy.FirstAsync(Triggered);
        await copy.ForgeAsync(decision.Position, p => p["evidence"]!["chain"]!["sliding_window"]!["others_producing"] = 10);

        var report = await VerifyAsync(copy);

        var problems = report.Problems.Where(p => p.Position == decision.Position).ToList();
        Assert.Equal([AuditCheck.Decision, AuditCheck.Evidence, AuditCheck.Decider], problems.Select(p => p.Check));
        Assert.Contains("the policy gives suppress (low-participation)", problems[0].What, StringComparison.Ordinal);
        Assert.Contains("chain.sliding_window.others_producing: recorded 10, the log gives 20", problems[1].What, StringComparison.Ordinal);
        Assert.Contains("records failover-suppressed.v1 (suppress (low-participation)) here, not a failover-triggered.v1", problems[2].What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evidence_and_decision_forged_consistently_are_caught_by_rebuilding_the_evidence_from_the_log()
    {
        var copy = new Tamper(demo.Copy("forged"));
        var decision = await copy.FirstAsync(Triggered);
        await copy.EditPayloadAsync(decision.Position, p =>
        {
            // One producer more "missing" from the last full round, the decision re-derived from the forged evidence.
            var triggered = JsonSerializer.Deserialize(p.ToJsonString(), DomainJsonContext.Default.FailoverTriggered)!;
            var round = triggered.Evidence.Chain.LastFullRound!;
            var forged = triggered.Evidence with
            {
                Chain = triggered.Evidence.Chain with { LastFullRound = round with { OthersProducing = round.OthersProducing - 1, OthersMissing = ["prod.forged"] } },
            };
            var rederived = triggered with { Evidence = forged, Decision = Policy.Evaluate(forged, triggered.Policy) };
            Assert.Equal(DecisionOutcome.Trigger, rederived.Decision.Outcome);
            foreach (var property in JsonSerializer.SerializeToNode(rederived, DomainJsonContext.Default.FailoverTriggered)!.AsObject().ToList())
            {
                p[property.Key] = property.Value?.DeepClone();
            }
        });
        await copy.ResealAsync(decision.Position);

        var report = await VerifyAsync(copy);

        Assert.True(report.ChainIntact);
        var problem = Assert.Single(report.Problems);
        Assert.Equal((decision.Position, AuditCheck.Evidence), (problem.Position, problem.Check));
        Assert.Contains("chain.last_full_round.others_producing: recorded 19, the log gives 20", problem.Details, StringComparer.Ordinal);
    }

    [Fact]
    public async Task A_decision_recorded_before_the_incident_anchor_was_named_verifies_by_the_threshold_miss_rule()
    {
        // The decision as the service wrote it before: no anchor in its incident, and the gates' old wording.
        var copy = new Tamper(demo.Copy("unanchored"));
        var decision = await copy.FirstAsync(Triggered);
        await copy.EditPayloadAsync(decision.Position, p => Rederive(p, e => e with { Incident = e.Incident! with { Anchor = null, AnchorSlot = null, Kind = null } }));
        await copy.ResealAsync(decision.Position);
        var payload = JsonNode.Parse((await copy.FirstAsync(Triggered)).Payload.Span)!;
        Assert.False(payload["evidence"]!["incident"]!.AsObject().ContainsKey("anchor"));
        Assert.Contains(payload["decision"]!["gates"]!.AsArray(), g => g!["detail"]!.GetValue<string>().Contains("the revealing block", StringComparison.Ordinal));

        var report = await VerifyAsync(copy);

        Assert.True(report.ChainIntact);
        Assert.Empty(report.Problems);
        Assert.Equal((1, 1), (report.DecisionsRederived, report.EvidenceRebuilt));
    }

    [Fact]
    public async Task A_decision_whose_incident_anchor_was_rewritten_and_rederived_is_caught_by_rebuilding_the_evidence_from_the_log()
    {
        var copy = new Tamper(demo.Copy("anchor"));
        var decision = await copy.FirstAsync(Triggered);
        var recorded = JsonSerializer.Deserialize(decision.Payload.Span, DomainJsonContext.Default.FailoverTriggered)!.Evidence.Incident!;
        Assert.Equal(IncidentAnchor.LatestMiss, recorded.Anchor);
        await copy.EditPayloadAsync(decision.Position, p => Rederive(p, e => e with { Incident = e.Incident! with { AnchorSlot = e.Incident.AnchorSlot - 1 } }));
        await copy.ResealAsync(decision.Position);

        var report = await VerifyAsync(copy);

        Assert.True(report.ChainIntact);
        var problem = Assert.Single(report.Problems);
        Assert.Equal((decision.Position, AuditCheck.Evidence), (problem.Position, problem.Check));
        Assert.Contains($"incident.anchor_slot: recorded {recorded.AnchorSlot - 1}, the log gives {recorded.AnchorSlot}", problem.Details, StringComparer.Ordinal);
    }

    /// <summary>Edits a failover-triggered.v1's evidence and records the decision the policy takes on it, as a forger (or an older service) would; absent anchor fields are left out.</summary>
    private static void Rederive(JsonObject payload, Func<Evidence, Evidence> edit)
    {
        var triggered = JsonSerializer.Deserialize(payload.ToJsonString(), DomainJsonContext.Default.FailoverTriggered)!;
        var evidence = edit(triggered.Evidence);
        var rederived = triggered with { Evidence = evidence, Decision = Policy.Evaluate(evidence, triggered.Policy) };
        Assert.Equal(DecisionOutcome.Trigger, rederived.Decision.Outcome);
        var node = JsonSerializer.SerializeToNode(rederived, DomainJsonContext.Default.FailoverTriggered)!.AsObject();
        if (evidence.Incident is { Anchor: null, AnchorSlot: null })
        {
            var incident = node["evidence"]!["incident"]!.AsObject();
            incident.Remove("anchor");
            incident.Remove("anchor_slot");
        }

        foreach (var property in node.ToList())
        {
            payload[property.Key] = property.Value?.DeepClone();
        }
    }

    [Fact]
    public async Task A_submission_of_another_transaction_than_the_requested_one_is_a_rotation_problem()
    {
        var copy = new Tamper(demo.Copy("submitted"));
        var submitted = await copy.FirstAsync("key-rotation-submitted.v1");
        await copy.ForgeAsync(submitted.Position, p => p["transaction_id"] = new string('a', 64));

        var problem = (await VerifyAsync(copy)).FirstProblem!;

        Assert.Equal((submitted.Position, AuditCheck.Rotation), (problem.Position, problem.Check));
        Assert.StartsWith($"transaction {new string('a', 64)} is not the requested transaction", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_whose_transaction_id_is_not_the_hash_of_its_bytes_is_caught_at_the_request()
    {
        var copy = new Tamper(demo.Copy("request"));
        var request = await copy.FirstAsync("key-rotation-requested.v1");
        var submitted = await copy.FirstAsync("key-rotation-submitted.v1");
        await copy.EditPayloadAsync(request.Position, p => p["transaction_id"] = new string('b', 64));
        await copy.EditPayloadAsync(submitted.Position, p => p["transaction_id"] = new string('b', 64));
        await copy.ResealAsync(request.Position);

        var problems = (await VerifyAsync(copy)).Problems;

        Assert.Equal((request.Position, AuditCheck.Rotation), (problems[0].Position, problems[0].Check));
        Assert.Contains("is not the id of the recorded transaction, sha256(packed_transaction) = ", problems[0].What, StringComparison.Ordinal);
        Assert.Contains(problems, p => p.Position == submitted.Position && p.What.Contains("is not the id of the requested bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_naming_a_signing_authority_its_regproducer_does_not_write_is_a_rotation_problem()
    {
        var copy = new Tamper(demo.Copy("authority"));
        var request = await copy.FirstAsync("key-rotation-requested.v1");
        var backup = Antelope.PrivateKey.FromSecret(Enumerable.Repeat((byte)9, 32).ToArray()).PublicKey.ToString();
        string? target = null;
        await copy.EditPayloadAsync(request.Position, p =>
        {
            target = (string)p["target_key"]!;
            p["target_authority"] = System.Text.Json.Nodes.JsonNode.Parse($$"""{"threshold":1,"keys":[{"key":"{{target}}","weight":1},{"key":"{{backup}}","weight":1}]}""");
        });
        await copy.ResealAsync(request.Position);

        var problems = (await VerifyAsync(copy)).Problems;

        Assert.Contains(problems, p => p.Position == request.Position && p.Check == AuditCheck.Rotation
            && p.What.Contains($"regproducer sets the key {target}, not the target threshold 1 of {target} (weight 1), {backup} (weight 1)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_submission_without_its_request_is_a_rotation_problem()
    {
        var copy = new Tamper(demo.Copy("orphan"));
        var request = await copy.FirstAsync("key-rotation-requested.v1");
        var submitted = await copy.FirstAsync("key-rotation-submitted.v1");
        await copy.ForgeAsync(request.Position, p => p["rotation_id"] = "rotation-99");

        var report = await VerifyAsync(copy);

        var problem = report.Problems.First(p => p.Check == AuditCheck.Rotation); // and every later step of rotation-1
        Assert.Equal(submitted.Position, problem.Position);
        Assert.Equal("no key-rotation-requested.v1 with rotation id rotation-1 precedes it in stream failover-failover.bp", problem.What);
        // The decider names its rotations by the stream's version: it asks for rotation-1, not rotation-99.
        var first = report.FirstProblem!;
        Assert.Equal((request.Position, AuditCheck.Decider), (first.Position, first.Check));
        Assert.Contains("rotation_id: recorded \"rotation-99\", the decider gives \"rotation-1\"", first.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_removed_from_the_end_are_caught_by_the_stream_table_and_by_an_anchor()
    {
        var path = demo.Copy("truncated");
        var copy = new Tamper(path);
        var events = await copy.EventsAsync();
        var head = events[^1];
        var anchor = $"{head.Position}:{Convert.ToHexStringLower(head.Hash.Span)}";
        Assert.Equal(0, (await Audit.RunAsync("verify", "--store", "sqlite:" + path, "--anchor", anchor)).ExitCode);
        await copy.DeleteAsync(head.Position);

        await using var store = await OpenAsync(path);
        var report = await Verifier.VerifyAsync(store, [Anchor(anchor)]);

        Assert.True(report.ChainIntact);
        Assert.Contains(report.Problems, p => p.Check == AuditCheck.StreamTable && p.Stream == head.Stream && p.What.Contains("events are missing from its end", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Check == AuditCheck.Anchor && p.Position == head.Position);
    }

    /// <summary>
    /// Issue 17.2: verifying a store its services keep writing (PostgreSQL shared by observers): events appended after
    /// the log was read are not "missing from the end" of their stream; they are named in a warning, not verified.
    /// </summary>
    [Fact]
    public async Task A_store_written_while_it_is_verified_is_not_reported_as_missing_events_and_the_report_says_so()
    {
        var path = demo.Copy("live");
        await using var inner = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path });
        var live = new WrittenDuringVerification(inner);

        var report = await Verifier.VerifyAsync(live);

        Assert.True(live.Appended > 0);
        Assert.Empty(report.Problems);
        Assert.Contains(report.Warnings, w => w.Contains($"{live.Appended} events appended after position {report.HeadPosition}", StringComparison.Ordinal));
    }

    /// <summary>A store whose writers append one event to each stream as the verifier first asks for its row in the stream table.</summary>
    private sealed class WrittenDuringVerification(IEventStore inner) : DelegatingEventStore(inner)
    {
        public int Appended { get; private set; }

        public override async Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default)
        {
            var before = await Inner.GetStreamMetadataAsync(stream, cancellationToken);
            if (before is not null)
            {
                var recovered = new EndpointRecovered("obs-live", "http://node", DateTimeOffset.UnixEpoch);
                await Inner.AppendToStreamAsync(stream, ExpectedVersion.Exact(before.LastVersion), [Failover.Service.Storage.DomainEvents.ToEventData(Guid.NewGuid(), recovered)], cancellationToken);
                Appended++;
            }

            return await Inner.GetStreamMetadataAsync(stream, cancellationToken);
        }
    }

    [Fact]
    public async Task A_forger_who_reseals_the_whole_log_is_caught_by_an_anchor()
    {
        var path = demo.Copy("rewritten");
        var copy = new Tamper(path);
        var events = await copy.EventsAsync();
        var anchor = $"{events[^1].Position}:{Convert.ToHexStringLower(events[^1].Hash.Span)}";
        var sample = events.First(e => e.Type == "participation-sampled.v1");
        await copy.ForgeAsync(sample.Position, p => p["head_block_num"] = 1);

        var run = await Audit.RunAsync("verify", "--store", "sqlite:" + path, "--anchor", anchor);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"the first bad event is at position {events[^1].Position}", run.Out, StringComparison.Ordinal);
        Assert.Contains("[anchor]", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1020", "is not POSITION:HASH")]
    [InlineData("7:abc", "is not 64 hexadecimal digits")]
    public async Task A_malformed_anchor_is_a_usage_error(string anchor, string reason)
    {
        var run = await Audit.RunAsync("verify", "--store", demo.Location, "--anchor", anchor);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(reason, run.Error, StringComparison.Ordinal);
    }

    /// <summary>Points <paramref name="decision"/>'s CausationId at <paramref name="cause"/> and reseals the chain after it, as a forger would.</summary>
    private static async Task RewriteCauseAsync(Tamper copy, RecordedEvent decision, RecordedEvent cause)
    {
        await copy.ExecuteAsync("UPDATE events SET causation_id = $cause WHERE position = $position", ("$cause", cause.EventId.ToByteArray(bigEndian: true)), ("$position", decision.Position));
        await copy.ResealAsync(decision.Position);
    }

    private static void FlipToSuppression(System.Text.Json.Nodes.JsonObject payload)
    {
        var decision = payload["decision"]!;
        decision["outcome"] = "suppress";
        decision["reasons"] = new System.Text.Json.Nodes.JsonArray("low-participation");
        decision["target_data_center"] = null;
    }

    private static Anchor Anchor(string text) => Verification.Anchor.TryParse(text, out var anchor, out _) ? anchor! : throw new ArgumentException(text);

    private static async Task<IEventStore> OpenAsync(string path) =>
        await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadOnly = true });

    private static async Task<VerifyReport> VerifyAsync(Tamper copy)
    {
        await using var store = await OpenAsync(copy.Path);
        return await Verifier.VerifyAsync(store);
    }

    private static Task<AuditRun> RunAsync(Tamper copy) => Audit.RunAsync("verify", "--store", "sqlite:" + copy.Path);
}
