using System.Text.Json;
using System.Text.Json.Serialization;
using Failover.Antelope.Chain;

namespace Failover.Antelope.Transactions;

/// <summary>
/// A signed transaction in nodeos's packed form: the body of <c>push_transaction</c> and <c>send_transaction</c>
/// (protocol.md §1.8). Hex strings are lower case; <see cref="Compression"/> 0 means none, 1 zlib.
/// </summary>
public sealed record PackedTransaction(
    [property: JsonPropertyName("signatures")] IReadOnlyList<string> Signatures,
    [property: JsonPropertyName("compression"), JsonConverter(typeof(PackedCompressionConverter))] int Compression,
    [property: JsonPropertyName("packed_context_free_data")] string PackedContextFreeData,
    [property: JsonPropertyName("packed_trx")] string PackedTrx);

/// <summary>
/// The <c>compression</c> of a push body as its number: nodeos accepts <c>0</c>, <c>1</c>, <c>"none"</c> and
/// <c>"zlib"</c> (protocol.md §1.8), so all four are read; the number is written, as Failover sends it.
/// </summary>
public sealed class PackedCompressionConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var code = reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var number) => number,
            JsonTokenType.String => reader.GetString() switch
            {
                "none" => 0,
                "zlib" => 1,
                _ => -1,
            },
            _ => -1,
        };
        return code is 0 or 1
            ? code
            : throw new JsonException($"expected a compression (0, 1, \"none\" or \"zlib\"), got {NodeosJson.Describe(ref reader)}");
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value);
}
