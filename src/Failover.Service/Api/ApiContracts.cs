using System.Text.Json;
using System.Text.Json.Serialization;
using Failover.Domain.ReadModels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Failover.Service.Api;

/// <summary>The producer at a glance: who signs, automation, the chain and the failover process.</summary>
/// <param name="Automation">armed, paused or latched.</param>
/// <param name="ActiveDataCenter">
/// The data center holding the key in force on chain: the first by priority whose key alone satisfies our authority in
/// the schedule in force (<c>KeyInForce</c>); null when none of ours does.
/// </param>
public sealed record StatusResponse(
    string Producer,
    string Automation,
    string? ActiveDataCenter,
    IReadOnlyList<string> OnChainKeys,
    ChainStatus? Chain,
    FailoverStatus? Failover,
    bool ProjectionsCaughtUp);

/// <summary>A page of rounds, newest first; <see cref="NextTo"/> asks for the older ones.</summary>
public sealed record RoundsPage(IReadOnlyList<RoundHealth> Rounds, uint? NextTo);

/// <summary>A page of failovers, newest first; <see cref="NextBefore"/> asks for the older ones.</summary>
public sealed record FailoversPage(IReadOnlyList<FailoverRecord> Failovers, long? NextBefore);

/// <summary>One event of the log as the audit feed shows it: its place, type, stream, hash link and payload.</summary>
public sealed record EventEntry(
    long Position,
    string Stream,
    long Version,
    string Type,
    Guid EventId,
    DateTimeOffset RecordedAt,
    string? ObserverId,
    Guid? CausationId,
    Guid? CorrelationId,
    string Hash,
    JsonElement Payload);

/// <summary>A page of the audit feed; <see cref="Next"/> is the position to read from next.</summary>
public sealed record EventsPage(IReadOnlyList<EventEntry> Events, long Next);

/// <summary>The body of a control request.</summary>
public sealed record ControlRequest(string? Reason, string? By = null);

/// <summary>The body of a manual failover request.</summary>
public sealed record ManualFailoverRequest(string? DataCenter, string? Reason, string? By = null);

/// <summary>What a control request did.</summary>
public sealed record ControlResponse(bool Recorded, string Message, long? Position);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(RoundsPage))]
[JsonSerializable(typeof(RoundHealth))]
[JsonSerializable(typeof(ProducerHealth))]
[JsonSerializable(typeof(FailoversPage))]
[JsonSerializable(typeof(EventsPage))]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ManualFailoverRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(System.Net.ServerSentEvents.SseItem<JsonElement>))] // /api/stream's schema in the OpenAPI document
public sealed partial class ApiJsonContext : JsonSerializerContext;
