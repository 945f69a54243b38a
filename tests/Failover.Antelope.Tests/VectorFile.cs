using System.Text.Json;

namespace Failover.Antelope.Tests;

/// <summary>The reference vectors produced with eosjs 22.1.0 and @wharfkit/antelope 1.2.0 (copied from shared/antelope/vectors).</summary>
internal static class VectorFile
{
    private static readonly Dictionary<string, JsonElement> Cache = [];

    public static JsonElement Load(string fileName)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(fileName, out var root))
            {
                var path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                root = document.RootElement.Clone();
                Cache[fileName] = root;
            }

            return root;
        }
    }

    public static IEnumerable<JsonElement> Items(string fileName, string arrayName) =>
        Load(fileName).GetProperty(arrayName).EnumerateArray();

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static TheoryData<int> Indexes(string fileName, string arrayName) =>
        [.. Enumerable.Range(0, Load(fileName).GetProperty(arrayName).GetArrayLength())];

    public static JsonElement Item(string fileName, string arrayName, int index) =>
        Load(fileName).GetProperty(arrayName)[index];

    /// <summary>keys.json key <paramref name="index"/> (1-based, as the vectors number them).</summary>
    public static JsonElement Key(int index) =>
        Items("keys.json", "keys").Single(k => k.GetProperty("index").GetInt32() == index);
}
