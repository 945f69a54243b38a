using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization.Metadata;
using Failover.Antelope.Chain;

namespace Failover.Antelope.Tests.Chain;

/// <summary>
/// A recorded or constructed nodeos exchange from <c>Fixtures/</c>:
/// <c>{"_source", "_note", "_http_status", ["request"], "response"}</c>.
/// </summary>
internal sealed record ChainFixture(string Name, int? HttpStatus, JsonElement? Request, JsonElement? Response)
{
    public static string DirectoryPath { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static IReadOnlyList<string> AllNames { get; } =
        [.. Directory.EnumerateFiles(DirectoryPath, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public JsonElement ResponseJson => Response ?? throw new InvalidOperationException($"{Name} has no response");

    public JsonElement RequestJson => Request ?? throw new InvalidOperationException($"{Name} has no request");

    public string ResponseText => ResponseJson.GetRawText();

    public static ChainFixture Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DirectoryPath, name)));
        var root = document.RootElement.Clone();
        return new ChainFixture(
            name,
            root.TryGetProperty("_http_status", out var status) && status.ValueKind == JsonValueKind.Number ? status.GetInt32() : null,
            Member(root, "request"),
            Member(root, "response"));
    }

    public static JsonElement Raw(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(DirectoryPath, name)));
        return document.RootElement.Clone();
    }

    private static JsonElement? Member(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}

internal static partial class JsonRoundTrip
{
    /// <summary>
    /// Reads <paramref name="json"/> into the record and writes it back; the output must equal the input member by
    /// member, in the same key order, with numbers in the same textual form (keys starting with <c>_</c> that the record does not know are researcher notes).
    /// </summary>
    public static T Check<T>(JsonElement json, JsonTypeInfo<T> type)
    {
        var value = json.Deserialize(type);
        Assert.NotNull(value);
        var written = JsonSerializer.SerializeToElement(value, type);
        AssertSame(json, written, "$");
        return value;
    }

    public static void AssertSame(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            Assert.Fail($"{path}: expected {expected.ValueKind} {Cut(expected)}, written {actual.ValueKind} {Cut(actual)}");
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedMembers = expected.EnumerateObject().Where(p => !IsResearcherNote(p.Name, actual)).ToList();
                var actualMembers = actual.EnumerateObject().ToList();
                var expectedNames = string.Join(",", expectedMembers.Select(p => p.Name));
                var actualNames = string.Join(",", actualMembers.Select(p => p.Name));
                if (expectedNames != actualNames)
                {
                    Assert.Fail($"{path}: expected keys [{expectedNames}], written [{actualNames}]");
                }

                for (var i = 0; i < expectedMembers.Count; i++)
                {
                    AssertSame(expectedMembers[i].Value, actualMembers[i].Value, $"{path}.{expectedMembers[i].Name}");
                }

                break;
            case JsonValueKind.Array:
                var expectedItems = expected.EnumerateArray().ToList();
                var actualItems = actual.EnumerateArray().ToList();
                if (expectedItems.Count != actualItems.Count)
                {
                    Assert.Fail($"{path}: expected {expectedItems.Count} items, written {actualItems.Count}");
                }

                for (var i = 0; i < expectedItems.Count; i++)
                {
                    AssertSame(expectedItems[i], actualItems[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.String:
                if (expected.GetString() != actual.GetString() && !SameFloat64(expected.GetString()!, actual.GetString()!))
                {
                    Assert.Fail($"{path}: expected {expected.GetRawText()}, written {actual.GetRawText()}");
                }

                break;
            default:
                if (expected.GetRawText() != actual.GetRawText())
                {
                    Assert.Fail($"{path}: expected {expected.GetRawText()}, written {actual.GetRawText()}");
                }

                break;
        }
    }

    /// <summary>A key a researcher added to a recorded response (e.g. <c>_transactions_truncated_from</c>).</summary>
    private static bool IsResearcherNote(string name, JsonElement actual) =>
        name.StartsWith('_') && !actual.TryGetProperty(name, out _);

    /// <summary>
    /// A float64 string (17 fractional digits) whose digits are not those of the nearest double — constructed fixtures
    /// hold such invented values — is written back as that double's exact digits, as nodeos would print it.
    /// </summary>
    private static bool SameFloat64(string expected, string actual) =>
        Float64Text().IsMatch(expected) && Float64Text().IsMatch(actual)
        && double.Parse(expected, CultureInfo.InvariantCulture) == double.Parse(actual, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^-?\d+\.\d{17}$")]
    private static partial Regex Float64Text();

    private static string Cut(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length > 60 ? text[..60] + "…" : text;
    }
}

internal static class ChainJson
{
    public static ChainJsonContext Json => ChainJsonContext.Default;

    public static T Read<T>(string json, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(json, type) ?? throw new InvalidOperationException("null");

    public static string Write<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);
}
