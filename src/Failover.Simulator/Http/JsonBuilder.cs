using System.Text.Json;
using Failover.Antelope.SystemContract;

namespace Failover.Simulator.Http;

/// <summary>Builds the raw JSON parts of wire records (variants, decoded action data, traces).</summary>
internal static class JsonBuilder
{
    public static void WriteAuthority(Utf8JsonWriter writer, BlockSigningAuthority authority)
    {
        writer.WriteStartObject();
        writer.WriteNumber("threshold", authority.Threshold);
        writer.WriteStartArray("keys");
        foreach (var key in authority.Keys)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key.Key.ToLegacyString());
            writer.WriteNumber("weight", key.Weight);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static JsonElement Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
