using System.Text.Json.Serialization;
using Failover.Simulator.Network;

namespace Failover.Simulator.Http;

/// <summary>Body of <c>POST /sim/partition</c>: the members of each side (producers, <c>producer/dc</c> nodes, API nodes).</summary>
public sealed record PartitionRequest(IReadOnlyList<IReadOnlyList<string>> Sides);

/// <summary>A <c>/sim</c> error: what was wrong with the request.</summary>
public sealed record SimError(string Error);

/// <summary>JSON of the <c>/sim</c> routes (snake_case like the chain API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(SimulationSnapshot))]
[JsonSerializable(typeof(PartitionRequest))]
[JsonSerializable(typeof(ApiFaults))]
[JsonSerializable(typeof(HealOutcome))]
[JsonSerializable(typeof(SimError))]
public sealed partial class SimJsonContext : JsonSerializerContext;
