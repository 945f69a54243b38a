using System.Text.Json.Serialization;
using Failover.Simulator.Network;

namespace Failover.Simulator.Http;

/// <summary>Body of <c>POST /sim/partition</c>: the members of each side (producers, <c>producer/dc</c> nodes, API nodes).</summary>
public sealed record PartitionRequest(IReadOnlyList<IReadOnlyList<string>> Sides);

/// <summary>A <c>/sim</c> error: what was wrong with the request.</summary>
public sealed record SimError(string Error);

/// <summary>
/// <c>get_raw_code_and_abi</c>'s answer (chain_plugin.hpp <c>get_raw_code_and_abi_results</c>): code and ABI, base64.
/// The chain client has no record for it, as the service never asks for code.
/// </summary>
public sealed record GetRawCodeAndAbiResult(string AccountName, string Wasm, string Abi);

/// <summary>JSON of the <c>/sim</c> routes and of the chain API answers the chain client has no record for (snake_case like the chain API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(SimulationSnapshot))]
[JsonSerializable(typeof(PartitionRequest))]
[JsonSerializable(typeof(ApiFaults))]
[JsonSerializable(typeof(HealOutcome))]
[JsonSerializable(typeof(SimError))]
[JsonSerializable(typeof(GetRawCodeAndAbiResult))]
public sealed partial class SimJsonContext : JsonSerializerContext;
