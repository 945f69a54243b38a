using System.Text.Json.Nodes;

namespace Failover.Audit.Verification;

/// <summary>Where a recorded JSON document and a re-derived one differ, as JSON paths with both values.</summary>
public static class JsonDifferences
{
    /// <summary>
    /// Every leaf where <paramref name="recorded"/> and <paramref name="derived"/> differ (at most <paramref name="limit"/>),
    /// e.g. <c>chain.head_block_num: recorded 7, the log gives 8</c>; <paramref name="source"/> names where the second
    /// value comes from, <paramref name="root"/> names the whole document when it differs as a whole.
    /// </summary>
    public static IReadOnlyList<string> Between(JsonNode? recorded, JsonNode? derived, string source, string root, int limit = 12)
    {
        var found = new List<string>();
        Compare(string.Empty, recorded, derived, found, source, root, limit);
        return found;
    }

    private static void Compare(string path, JsonNode? recorded, JsonNode? derived, List<string> found, string source, string root, int limit)
    {
        if (found.Count >= limit || JsonNode.DeepEquals(recorded, derived))
        {
            return;
        }

        switch (recorded, derived)
        {
            case (JsonObject x, JsonObject y):
                foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)))
                {
                    Compare(Join(path, key), x[key], y[key], found, source, root, limit);
                }

                break;
            case (JsonArray x, JsonArray y) when x.Count == y.Count:
                for (var i = 0; i < x.Count; i++)
                {
                    Compare($"{path}[{i}]", x[i], y[i], found, source, root, limit);
                }

                break;
            default:
                found.Add($"{(path.Length == 0 ? root : path)}: recorded {Show(recorded)}, {source} {Show(derived)}");
                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 160 ? text : text[..157] + "...";
    }
}
