using System.Text.Json;
using System.Text.Json.Serialization;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Chain;

/// <summary>
/// Source-generated JSON metadata for every chain API record, reading and writing nodeos's conventions
/// (protocol.md "JSON encoding rules"): snake_case names; 64-bit integers as strings above 0xFFFFFFFF; float64 as
/// 17-decimal strings; <c>time_point</c> without <c>Z</c>; unset optionals omitted, explicit nulls where nodeos writes
/// them. Reading is strict about shape — a missing required member, a null in a non-nullable one or a wrong token
/// type is a <see cref="JsonException"/> — and lenient about encodings (number or string, with or without <c>Z</c>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(NodeosUInt64Converter),
        typeof(NodeosInt64Converter),
        typeof(NodeosDoubleConverter),
        typeof(NodeosBoolConverter),
        typeof(TimePointConverter),
    ])]
[JsonSerializable(typeof(GetInfoResult))]
[JsonSerializable(typeof(GetBlockRequest))]
[JsonSerializable(typeof(GetBlockResult))]
[JsonSerializable(typeof(GetBlockInfoRequest))]
[JsonSerializable(typeof(GetBlockInfoResult))]
[JsonSerializable(typeof(GetBlockHeaderStateResult))]
[JsonSerializable(typeof(GetProducerScheduleResult))]
[JsonSerializable(typeof(GetFinalizerInfoResult))]
[JsonSerializable(typeof(GetProducersRequest))]
[JsonSerializable(typeof(GetProducersResult))]
[JsonSerializable(typeof(GetTableRowsRequest))]
[JsonSerializable(typeof(GetTableRowsResult<ProducerRowJson>))]
[JsonSerializable(typeof(GetTableRowsResult<JsonElement>))]
[JsonSerializable(typeof(GetTableRowsResult<FinalizerKeyRowJson>))]
[JsonSerializable(typeof(GetTableRowsResult<FinalizerRowJson>))]
[JsonSerializable(typeof(GetAccountRequest))]
[JsonSerializable(typeof(GetAccountResult))]
[JsonSerializable(typeof(GetRawAbiRequest))]
[JsonSerializable(typeof(GetRawAbiResult))]
[JsonSerializable(typeof(GetAbiRequest))]
[JsonSerializable(typeof(GetAbiResult))]
[JsonSerializable(typeof(GetRequiredKeysRequest))]
[JsonSerializable(typeof(GetRequiredKeysResult))]
[JsonSerializable(typeof(PackedTransaction))]
[JsonSerializable(typeof(SendTransaction2Request))]
[JsonSerializable(typeof(PushTransactionResult))]
[JsonSerializable(typeof(ChainErrorBody))]
// Read only through custom converters, so not reachable from the roots above:
[JsonSerializable(typeof(BlockPackedTransaction))]
[JsonSerializable(typeof(SigningAuthority))]
public sealed partial class ChainJsonContext : JsonSerializerContext;
