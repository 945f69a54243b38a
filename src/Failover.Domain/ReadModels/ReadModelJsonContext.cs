using System.Text.Json.Serialization;

namespace Failover.Domain.ReadModels;

/// <summary>Source-generated JSON of the read-model documents (snake_case, as the events).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RoundHealth))]
[JsonSerializable(typeof(ProducerHealth))]
[JsonSerializable(typeof(ChainStatus))]
[JsonSerializable(typeof(ScheduleTimeline))]
[JsonSerializable(typeof(FailoverRecord))]
[JsonSerializable(typeof(FailoverStatus))]
public sealed partial class ReadModelJsonContext : JsonSerializerContext;
