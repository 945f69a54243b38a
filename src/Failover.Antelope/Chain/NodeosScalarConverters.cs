using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Failover.Antelope.Chain;

/// <summary>
/// nodeos writes a 64-bit integer as a JSON string when its magnitude exceeds 0xFFFFFFFF (fc's
/// <c>stringify_large_ints_and_doubles</c>) and as a bare number otherwise; both forms are accepted on read.
/// </summary>
public abstract class Nodeos64BitIntegerConverter<T>(string typeName) : JsonConverter<T>
    where T : struct, IBinaryInteger<T>
{
    private static readonly T Limit = T.CreateTruncating(uint.MaxValue);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.Number => NodeosJson.RawText(ref reader),
            JsonTokenType.String => NodeosJson.StringValue(ref reader),
            _ => null,
        };
        if (text is not null && T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new JsonException($"expected {typeName} (number or decimal string), got {NodeosJson.Describe(ref reader)}");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        var large = T.IsNegative(value) ? value < T.Zero - Limit : value > Limit;
        if (large)
        {
            writer.WriteStringValue(value.ToString(null, CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNumberValue(long.CreateTruncating(value));
        }
    }
}

/// <summary>uint64 members (e.g. <c>total_cpu_weight</c>) in nodeos's encoding.</summary>
public sealed class NodeosUInt64Converter() : Nodeos64BitIntegerConverter<ulong>("an unsigned 64-bit integer");

/// <summary>int64 members (e.g. <c>cpu_weight</c>, <c>ram_quota</c>) in nodeos's encoding.</summary>
public sealed class NodeosInt64Converter() : Nodeos64BitIntegerConverter<long>("a signed 64-bit integer");

/// <summary>
/// ABI <c>float64</c> as nodeos writes it: a string in fixed notation with 17 fractional digits
/// (<c>"2.00000000000000000"</c>). Read from a string or a number.
/// </summary>
public sealed class NodeosDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String
            && double.TryParse(NodeosJson.StringValue(ref reader), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            && double.IsFinite(parsed))
        {
            return parsed;
        }

        throw new JsonException($"expected a float64 (number or decimal string), got {NodeosJson.Describe(ref reader)}");
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("F17", CultureInfo.InvariantCulture));
}

/// <summary>
/// An ABI <c>bool</c> (packed as uint8, so nodeos writes <c>0</c>/<c>1</c>, e.g. producers' <c>is_active</c>).
/// Reads 0/1 and true/false; writes 0/1.
/// </summary>
public sealed class AbiBoolConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NodeosJson.ReadBool(ref reader);

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value ? 1 : 0);
}

/// <summary>A native C++ <c>bool</c> (e.g. <c>privileged</c>, <c>is_strong_qc</c>): reads 0/1 and true/false; writes true/false.</summary>
public sealed class NodeosBoolConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NodeosJson.ReadBool(ref reader);

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) =>
        writer.WriteBooleanValue(value);
}

/// <summary>
/// <c>time_point</c> and <c>block_timestamp_type</c>: written <c>yyyy-MM-ddTHH:mm:ss.fff</c> in UTC without a zone
/// designator, as nodeos does. Read with or without <c>Z</c> and with up to 7 fractional digits; always UTC.
/// </summary>
public sealed class TimePointConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NodeosJson.ReadTime(ref reader, "time_point");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture));
}

/// <summary><c>time_point_sec</c> (a transaction's <c>expiration</c>): written <c>yyyy-MM-ddTHH:mm:ss</c>, read leniently.</summary>
public sealed class TimePointSecConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NodeosJson.ReadTime(ref reader, "time_point_sec");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
}

/// <summary>
/// A transaction's <c>compression</c> inside a block: nodeos writes the enum name (<c>"none"</c>, <c>"zlib"</c>)
/// and accepts the numbers 0 and 1, which are read here as those names.
/// </summary>
public sealed class CompressionNameConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return NodeosJson.StringValue(ref reader);
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) && number is 0 or 1)
        {
            return number == 0 ? "none" : "zlib";
        }

        throw new JsonException($"expected a compression (\"none\", \"zlib\", 0 or 1), got {NodeosJson.Describe(ref reader)}");
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

/// <summary>Reading helpers shared by the nodeos converters.</summary>
internal static class NodeosJson
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    public static string StringValue(ref Utf8JsonReader reader) => reader.GetString() ?? string.Empty;

    public static bool ReadBool(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Number when reader.TryGetInt32(out var number) && number is 0 or 1 => number == 1,
        _ => throw new JsonException($"expected a bool (true, false, 0 or 1), got {Describe(ref reader)}"),
    };

    public static DateTimeOffset ReadTime(ref Utf8JsonReader reader, string typeName)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = StringValue(ref reader);
            var local = text.EndsWith('Z') ? text[..^1] : text;
            if (DateTimeOffset.TryParseExact(local, TimeFormats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return parsed;
            }
        }

        throw new JsonException($"expected a {typeName} (\"yyyy-MM-ddTHH:mm:ss[.fff]\"), got {Describe(ref reader)}");
    }

    /// <summary>The current token exactly as it appears in the input (a string keeps its escapes).</summary>
    public static string RawText(ref Utf8JsonReader reader) =>
        System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

    /// <summary>A short description of the current token for error messages (values cut to 40 characters).</summary>
    public static string Describe(ref Utf8JsonReader reader)
    {
        var text = RawText(ref reader);
        if (text.Length > 40)
        {
            text = text[..40] + "…";
        }

        return reader.TokenType switch
        {
            JsonTokenType.String => $"string \"{text}\"",
            JsonTokenType.Number => $"number {text}",
            _ => reader.TokenType.ToString(),
        };
    }

    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) =>
        (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    /// <summary>Reads a nested value through the context's own metadata (used by converters of composite values).</summary>
    public static T ReadValue<T>(ref Utf8JsonReader reader, JsonSerializerOptions options)
        where T : class =>
        JsonSerializer.Deserialize(ref reader, TypeInfo<T>(options))
        ?? throw new JsonException($"expected a {typeof(T).Name} object, got null");

    public static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, string what)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"expected {what}, got {Describe(ref reader)}");
        }
    }

    public static void ReadAndExpect(ref Utf8JsonReader reader, JsonTokenType expected, string what)
    {
        if (!reader.Read())
        {
            throw new JsonException($"expected {what}, got the end of the input");
        }

        Expect(ref reader, expected, what);
    }
}
