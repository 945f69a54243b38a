using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;

namespace Failover.Domain.Tests.Events;

/// <summary>The event catalogue (design §4): stable type names are contracts; every payload reads back as written.</summary>
public sealed partial class EventCatalogueTests
{
    private static readonly DateTimeOffset At = new(2024, 10, 23, 3, 47, 55, TimeSpan.Zero);
    private const string ChainId = "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906";
    private const string BlockId = "5d5a1e2b8c1f0e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";
    private const string Key = "PUB_K1_6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5BoDq63";

    /// <summary>The contract list of design §4 (plus the manual request), exactly.</summary>
    private static readonly string[] ContractNames =
    [
        "block-produced.v1", "block-missed.v1", "participation-sampled.v1", "producer-schedule-changed.v1", "fork-switched.v1",
        "endpoint-degraded.v1", "endpoint-recovered.v1", "failover-triggered.v1", "failover-suppressed.v1", "key-rotation-requested.v1",
        "key-rotation-submitted.v1", "key-rotation-failed.v1", "key-rotated.v1", "signing-key-activated.v1", "failover-completed.v1",
        "automation-paused.v1", "automation-resumed.v1", "automation-rearmed.v1", "automation-latched.v1", "manual-failover-requested.v1", "round-compacted.v1", "log-compacted.v1",
    ];

    private static readonly ParticipationFigures Figures = new(1565940708, 1565940959, 20, 17, ["bob", "carol", "dave"], 252, 240);

    private static readonly Evidence SampleEvidence = new(
        "ourproducer",
        At,
        ConsensusKind.Savanna,
        new IncidentEvidence(1565940900, At.AddSeconds(-10), 12, 369358506, BlockId, At.AddSeconds(-4)),
        new ManualRequest("dc2", "operator", "drill", At),
        new ScheduleEvidence(true, 3, 21, [Key], new SigningAuthority(1, [new ScheduleKey(Key, 1)])),
        new ChainEvidence(369358510, BlockId, At, 369358508, BlockId, At.AddSeconds(-1), true, Figures, Figures, null, 3, 2),
        new ProcessEvidence(false, false, null, At.AddHours(-3), [At.AddHours(-3)]),
        [new DataCenterEvidence("dc2", 2, Key, "PUB_BLS_x", true, At, null), new DataCenterEvidence("dc3", 3, Key, null, false, null, "unreachable")]);

    private static readonly Decision SampleDecision = new(
        DecisionOutcome.Trigger, [], "dc2", [new GateResult("low-participation", true, false, false, "17/20 > 0.8")], "0123abcd");

    /// <summary>One instance of every event, each field set (optional ones too).</summary>
    public static IReadOnlyList<object> Samples { get; } =
    [
        new BlockProduced(ChainId, 369358506, BlockId, BlockId, "votetelosusa", At, 1565940950, 6212, At.AddSeconds(1), Key),
        new BlockMissed(ChainId, 1565940951, At.AddMilliseconds(500), "votetelosusa", 6212, 369358507, BlockId, At.AddSeconds(1)),
        new ParticipationSampled(
            ChainId, "observer-a", At, 369358510, BlockId, At, 369358508, BlockId, 6212, 21, Figures, null,
            [new EndpointView("https://a.example", true, 369358510, true), new EndpointView("https://b.example", false, null, false)],
            [new DataCenterNodeView("dc1", null, null, "timeout"), new DataCenterNodeView("dc2", 369358510, At, null)],
            12,
            true),
        new ProducerScheduleChanged(ChainId, 6212, [new ScheduleEntry("votetelosusa", 2, [new ScheduleKey(Key, 1), new ScheduleKey(Key, 1)])], 369358500, 1565940900, At),
        new ForkSwitched(ChainId, 10, BlockId, 12, BlockId, 13, BlockId, [new OrphanedBlock(11, BlockId, "alice", 100, 1)], [new OrphanedMiss(99, "alice", 1)], At),
        new EndpointDegraded("observer-a", "https://a.example", "timeout", "no answer in 2 s", At),
        new EndpointRecovered("observer-a", "https://a.example", At),
        new FailoverTriggered("ourproducer", "incident-1", "dc2", Key, SampleDecision, SampleEvidence, new FailoverPolicy { MinParticipation = 0.9 }, At),
        new FailoverSuppressed("ourproducer", "incident-1", ["low-participation", "stale-head"], SampleDecision with { Outcome = DecisionOutcome.Suppress }, SampleEvidence, new FailoverPolicy(), At),
        new KeyRotationRequested("ourproducer", "incident-1", "rotation-1", "dc2", Key, "PUB_BLS_x", "failover", ChainId, BlockId, "00ff", At.AddMinutes(1), ["eosio::regproducer", "eosio::actfinkey"], At),
        new KeyRotationSubmitted("ourproducer", "rotation-1", BlockId, "https://a.example", PushOutcomes.Accepted, "202", At),
        new KeyRotationFailed("ourproducer", "rotation-1", BlockId, "rejected", 3050003, "eosio_assert_message_exception", "assertion failure", At),
        new KeyRotated("ourproducer", "rotation-1", Key, At),
        new SigningKeyActivated("ourproducer", "rotation-1", Key, 6213, At),
        new FailoverCompleted("ourproducer", "rotation-1", "dc2", Key, 369358600, BlockId, At),
        new AutomationPaused("ourproducer", "operator", "maintenance", At),
        new AutomationResumed("ourproducer", "operator", "done", At),
        new AutomationRearmed("ourproducer", "operator", "reviewed", At),
        new AutomationLatched("ourproducer", "missed-1565941008", 2, 2, At),
        new ManualFailoverRequested("ourproducer", "dc2", "operator", "drill", At),
        new RoundCompacted(
            "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906", "2305-8313", 1565940708, 1565940959, 21,
            [new CompactedVersionSlots(3, 252)], [new CompactedProducerSlots("bob", 12, 0, 90841415, At, null, null), new CompactedProducerSlots("ourproducer", 6, 6, 90841400, At, 1565940720, At)],
            3, 90841410),
        new LogCompacted(
            "2305-8313", 2305, 8313, ["block-produced.v1", "participation-sampled.v1"], 6009,
            [new CompactedStreamRange("chain-aca376f2", 5800, 2200, 7999)], [new CompactedLink(2401, new string('a', 64))], new string('b', 64),
            1565940708, 1565943479, 11, At, At),
    ];

    public static TheoryData<string> TypeNames => [.. EventCatalogue.All.Select(t => t.Name)];

    private static object SampleOf(string typeName) => Samples.Single(s => s.GetType() == EventCatalogue.All.Single(t => t.Name == typeName).ClrType);

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*\\.v[1-9][0-9]*$")]
    private static partial Regex StableName();

    [Fact]
    public void The_v1_names_are_exactly_the_contract_list()
    {
        Assert.Equal(ContractNames.Order(StringComparer.Ordinal), EventCatalogue.All.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Names_and_types_are_unique_and_names_are_lower_kebab_case_with_a_version()
    {
        Assert.Equal(EventCatalogue.All.Count, EventCatalogue.All.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(EventCatalogue.All.Count, EventCatalogue.All.Select(t => t.ClrType).Distinct().Count());
        Assert.All(EventCatalogue.All, t => Assert.Matches(StableName(), t.Name));
        Assert.All(EventCatalogue.All, t => Assert.Equal(t.ClrType, t.TypeInfo.Type));
    }

    [Fact]
    public void Every_event_type_has_a_sample_here()
    {
        Assert.Equal(EventCatalogue.All.Select(t => t.ClrType).OrderBy(t => t.Name), Samples.Select(s => s.GetType()).OrderBy(t => t.Name));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Every_event_round_trips_under_its_stable_name(string typeName)
    {
        var sample = SampleOf(typeName);

        var bytes = EventCatalogue.Serialize(sample);
        var back = EventCatalogue.Deserialize(typeName, bytes);

        Assert.Equal(typeName, EventCatalogue.Of(sample.GetType()).Name);
        Assert.True(EventCatalogue.TryGetByName(typeName, out var type));
        Assert.Equal(sample.GetType(), type.ClrType);
        Assert.IsType(sample.GetType(), back);
        Assert.Equal(bytes, EventCatalogue.Serialize(back));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Every_field_of_every_event_is_written_in_snake_case(string typeName)
    {
        var sample = SampleOf(typeName);
        var json = JsonNode.Parse(EventCatalogue.Serialize(sample))!.AsObject();

        Assert.All(Parameters(sample.GetType()), p => Assert.True(json.ContainsKey(JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!)), p.Name));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void A_payload_missing_a_required_field_is_rejected_and_one_missing_an_optional_field_is_read(string typeName)
    {
        var sample = SampleOf(typeName);
        foreach (var parameter in Parameters(sample.GetType()))
        {
            var json = JsonNode.Parse(EventCatalogue.Serialize(sample))!.AsObject();
            json.Remove(JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter.Name!));
            var payload = JsonSerializer.SerializeToUtf8Bytes(json);

            if (parameter.HasDefaultValue)
            {
                Assert.IsType(sample.GetType(), EventCatalogue.Deserialize(typeName, payload));
            }
            else
            {
                var error = Record.Exception(() => EventCatalogue.Deserialize(typeName, payload));
                Assert.True(error is JsonException, $"{typeName} without '{parameter.Name}': {error?.GetType().Name ?? "accepted"}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void A_payload_with_null_for_a_non_nullable_field_is_rejected(string typeName)
    {
        var sample = SampleOf(typeName);
        var nullability = new NullabilityInfoContext();
        foreach (var parameter in Parameters(sample.GetType()).Where(p => !p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.NotNull))
        {
            var json = JsonNode.Parse(EventCatalogue.Serialize(sample))!.AsObject();
            json[JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter.Name!)] = null;
            var payload = JsonSerializer.SerializeToUtf8Bytes(json);

            var error = Record.Exception(() => EventCatalogue.Deserialize(typeName, payload));
            Assert.True(error is JsonException, $"{typeName} with null '{parameter.Name}': {error?.GetType().Name ?? "accepted"}");
        }
    }

    [Fact]
    public void A_block_produced_payload_without_its_block_id_is_rejected()
    {
        var json = JsonNode.Parse(EventCatalogue.Serialize(Samples[0]))!.AsObject();
        json.Remove("block_id");

        Assert.Throws<JsonException>(() => EventCatalogue.Deserialize("block-produced.v1", JsonSerializer.SerializeToUtf8Bytes(json)));
    }

    [Fact]
    public void A_null_payload_or_another_json_shape_is_rejected()
    {
        Assert.Throws<JsonException>(() => EventCatalogue.Deserialize("key-rotated.v1", "null"u8));
        Assert.Throws<JsonException>(() => EventCatalogue.Deserialize("key-rotated.v1", "[1, 2]"u8));
        Assert.Throws<JsonException>(() => EventCatalogue.Deserialize("key-rotated.v1", "{\"producer\": 1}"u8));
    }

    [Fact]
    public void Unknown_names_and_types_are_refused()
    {
        Assert.Throws<KeyNotFoundException>(() => EventCatalogue.Deserialize("block-produced.v2", "{}"u8));
        Assert.Throws<KeyNotFoundException>(() => EventCatalogue.Deserialize("BlockProduced", "{}"u8));
        Assert.False(EventCatalogue.TryGetByName("block-produced", out _));
        Assert.Throws<KeyNotFoundException>(() => EventCatalogue.Of(typeof(string)));
        Assert.Throws<KeyNotFoundException>(() => EventCatalogue.Serialize("not an event"));
    }

    [Fact]
    public void A_decision_recorded_before_the_evidence_carried_our_authority_reads_with_its_keys_each_in_force()
    {
        foreach (var typeName in new[] { "failover-triggered.v1", "failover-suppressed.v1" })
        {
            var json = JsonNode.Parse(EventCatalogue.Serialize(SampleOf(typeName)))!.AsObject();
            var schedule = json["evidence"]!["schedule"]!.AsObject();
            Assert.True(schedule.Remove("authority"));
            Assert.True(schedule.Remove("our_authority_changed_at"));
            Assert.Equal("""{"scheduled":true,"active_version":3,"scheduled_producers":21,"active_keys":["PUB_K1_6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5BoDq63"]}""", schedule.ToJsonString());

            var read = EventCatalogue.Deserialize(typeName, JsonSerializer.SerializeToUtf8Bytes(json));

            var evidence = read is FailoverTriggered t ? t.Evidence : ((FailoverSuppressed)read).Evidence;
            Assert.Null(evidence.Schedule.Authority);
            Assert.Null(evidence.Schedule.OurAuthorityChangedAt);
            Assert.Equal([Key], evidence.Schedule.ActiveKeys);
            Assert.True(KeyInForce.IsInForce(evidence.Schedule, Key));
        }
    }

    [Fact]
    public void The_evidence_writes_our_authority_with_its_threshold_and_weights()
    {
        var json = JsonNode.Parse(EventCatalogue.Serialize(SampleOf("failover-triggered.v1")))!;

        Assert.Equal(
            """{"scheduled":true,"active_version":3,"scheduled_producers":21,"active_keys":["PUB_K1_6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5BoDq63"],"authority":{"threshold":1,"keys":[{"key":"PUB_K1_6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5BoDq63","weight":1}]},"our_authority_changed_at":null}""",
            json["evidence"]!["schedule"]!.ToJsonString());
    }

    [Fact]
    public void Enums_are_written_as_their_contract_strings()
    {
        var text = System.Text.Encoding.UTF8.GetString(EventCatalogue.Serialize(SampleOf("failover-triggered.v1")));

        Assert.Contains("\"outcome\":\"trigger\"", text, StringComparison.Ordinal);
        Assert.Contains("\"consensus\":\"savanna\"", text, StringComparison.Ordinal);
    }

    private static ParameterInfo[] Parameters(Type type) => type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters();
}
