using System.Text.Json;
using System.Text.Json.Serialization;
using Failover.Antelope.Chain.Wire;

namespace Failover.Antelope.Chain;

/// <summary>
/// The <c>block_signing_authority</c> variant, which has one alternative (<c>block_signing_authority_v0</c>).
/// nodeos renders it two ways: as an fc <c>std::variant</c> <c>[0, {…}]</c> in native structs (producer schedules)
/// and as an ABI variant <c>["block_signing_authority_v0", {…}]</c> in contract tables. Both are accepted on read;
/// the subclass decides which one is written.
/// </summary>
public abstract class SigningAuthorityVariantConverter : JsonConverter<SigningAuthority>
{
    public const string AbiTypeName = "block_signing_authority_v0";

    public override SigningAuthority Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        NodeosJson.Expect(ref reader, JsonTokenType.StartArray, "a block_signing_authority variant [0, {…}] or [\"block_signing_authority_v0\", {…}]");
        if (!reader.Read())
        {
            throw new JsonException("a block_signing_authority variant ended early");
        }

        var isV0 = reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetInt32(out var index) && index == 0,
            JsonTokenType.String => reader.ValueTextEquals(AbiTypeName),
            _ => false,
        };
        if (!isV0)
        {
            throw new JsonException($"unknown block_signing_authority alternative {NodeosJson.Describe(ref reader)} (only 0 / \"{AbiTypeName}\" exists)");
        }

        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.StartObject, "the block_signing_authority_v0 object");
        var authority = NodeosJson.ReadValue<SigningAuthority>(ref reader, options);
        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.EndArray, "the end of the variant array");
        return authority;
    }

    public override void Write(Utf8JsonWriter writer, SigningAuthority value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        WriteTag(writer);
        JsonSerializer.Serialize(writer, value, NodeosJson.TypeInfo<SigningAuthority>(options));
        writer.WriteEndArray();
    }

    private protected abstract void WriteTag(Utf8JsonWriter writer);
}

/// <summary>Writes the fc form <c>[0, {…}]</c> (native structs: producer schedules, block header state).</summary>
public sealed class FcSigningAuthorityConverter : SigningAuthorityVariantConverter
{
    private protected override void WriteTag(Utf8JsonWriter writer) => writer.WriteNumberValue(0);
}

/// <summary>Writes the ABI form <c>["block_signing_authority_v0", {…}]</c> (contract tables and actions).</summary>
public sealed class AbiSigningAuthorityConverter : SigningAuthorityVariantConverter
{
    private protected override void WriteTag(Utf8JsonWriter writer) => writer.WriteStringValue(AbiTypeName);
}

/// <summary>A header extension as a pair <c>[id, "hex"]</c>.</summary>
public sealed class HeaderExtensionConverter : JsonConverter<HeaderExtensionJson>
{
    public override HeaderExtensionJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        NodeosJson.Expect(ref reader, JsonTokenType.StartArray, "an extension pair [id, \"hex\"]");
        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.Number, "an extension id");
        if (!reader.TryGetUInt16(out var type))
        {
            throw new JsonException($"extension id {NodeosJson.Describe(ref reader)} is not a uint16");
        }

        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.String, "the extension data as hex");
        var data = NodeosJson.StringValue(ref reader);
        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.EndArray, "the end of the extension pair");
        return new HeaderExtensionJson(type, data);
    }

    public override void Write(Utf8JsonWriter writer, HeaderExtensionJson value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Type);
        writer.WriteStringValue(value.Data);
        writer.WriteEndArray();
    }
}

/// <summary>A legacy block header state's producer → block number pair <c>["name", 123]</c>.</summary>
public sealed class ProducerBlockNumberConverter : JsonConverter<ProducerBlockNumber>
{
    public override ProducerBlockNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        NodeosJson.Expect(ref reader, JsonTokenType.StartArray, "a producer/block pair [\"name\", number]");
        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.String, "a producer name");
        var producer = NodeosJson.StringValue(ref reader);
        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.Number, "a block number");
        if (!reader.TryGetUInt32(out var blockNum))
        {
            throw new JsonException($"block number {NodeosJson.Describe(ref reader)} is not a uint32");
        }

        NodeosJson.ReadAndExpect(ref reader, JsonTokenType.EndArray, "the end of the producer/block pair");
        return new ProducerBlockNumber(producer, blockNum);
    }

    public override void Write(Utf8JsonWriter writer, ProducerBlockNumber value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.Producer);
        writer.WriteNumberValue(value.BlockNum);
        writer.WriteEndArray();
    }
}

/// <summary>
/// A block's <c>trx</c>: the transaction id as a string (deferred transactions) or the full packed transaction object.
/// </summary>
public sealed class BlockTrxConverter : JsonConverter<BlockTrx>
{
    public override BlockTrx Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new BlockTrx(NodeosJson.StringValue(ref reader));
            case JsonTokenType.StartObject:
                var packed = NodeosJson.ReadValue<BlockPackedTransaction>(ref reader, options);
                return new BlockTrx(packed.Id, packed);
            default:
                throw new JsonException($"expected a transaction id or a packed transaction object, got {NodeosJson.Describe(ref reader)}");
        }
    }

    public override void Write(Utf8JsonWriter writer, BlockTrx value, JsonSerializerOptions options)
    {
        if (value.Packed is null)
        {
            writer.WriteStringValue(value.Id);
        }
        else
        {
            JsonSerializer.Serialize(writer, value.Packed, NodeosJson.TypeInfo<BlockPackedTransaction>(options));
        }
    }
}
