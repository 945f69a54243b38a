using System.Text.Json;

namespace Failover.Testing;

/// <summary>
/// The reference vectors produced with eosjs 22.1.0 and @wharfkit/antelope 1.2.0 (copies of shared/antelope/vectors,
/// see its HOW.md), read from the test output directory.
/// </summary>
public static class ReferenceVectors
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

    public static JsonElement Item(string fileName, string arrayName, int index) =>
        Load(fileName).GetProperty(arrayName)[index];

    public static IEnumerable<int> Indexes(string fileName, string arrayName) =>
        Enumerable.Range(0, Load(fileName).GetProperty(arrayName).GetArrayLength());

    /// <summary>keys.json key <paramref name="index"/> (1-based, as the vectors number them).</summary>
    public static JsonElement Key(int index) =>
        Items("keys.json", "keys").Single(k => k.GetProperty("index").GetInt32() == index);

    public static string Text(this JsonElement element, string property) =>
        element.GetProperty(property).GetString()
        ?? throw new InvalidOperationException($"Vector property '{property}' is null.");
}
