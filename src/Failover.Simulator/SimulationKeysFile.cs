using System.Text.Json;

namespace Failover.Simulator;

/// <summary>
/// Writes the simulation's test keys for drills and external clients:
/// <c>{"accounts": {"&lt;account&gt;": {"&lt;permission&gt;": ["PVT_K1_…"]}}, "nodes": {"&lt;producer&gt;/&lt;dc&gt;": {"signing": "PVT_K1_…", "finalizer": "PUB_BLS_…"|null}}}</c>.
/// These are simulation keys derived from the seed, never real ones.
/// </summary>
public static class SimulationKeysFile
{
    public static void Write(Roster roster, Stream output)
    {
        ArgumentNullException.ThrowIfNull(roster);
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartObject("accounts");
        foreach (var account in roster.Accounts)
        {
            writer.WriteStartObject(account.Account.ToString());
            foreach (var (permission, key) in account.Permissions)
            {
                writer.WriteStartArray(permission.ToString());
                writer.WriteStringValue(key.ExportPvtK1());
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteStartObject("nodes");
        foreach (var node in roster.Nodes)
        {
            writer.WriteStartObject(node.Id);
            writer.WriteString("signing", node.SigningKey.ExportPvtK1());
            if (node.FinalizerKey is null)
            {
                writer.WriteNull("finalizer");
            }
            else
            {
                writer.WriteString("finalizer", node.FinalizerKey);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
