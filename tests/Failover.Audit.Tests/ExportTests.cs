using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Failover.Audit.Tests;

/// <summary><c>failover audit export</c>: what it writes is what the log holds.</summary>
[Collection(DemoStoreFixture.Name)]
public sealed class ExportTests(DemoStore demo)
{
    [Fact]
    public async Task Events_as_csv_hold_every_event_with_its_hash_and_payload()
    {
        var events = await new Tamper(demo.DatabasePath).EventsAsync();

        var run = await Audit.RunAsync("export", "--store", demo.Location, "--format", "csv", "--what", "events");

        Assert.True(run.ExitCode == 0, run.Error);
        var rows = Csv(run.Out);
        Assert.Equal(["position", "stream", "version", "event_id", "type", "recorded_at", "observer_id", "causation_id", "correlation_id", "hash", "payload"], rows[0]);
        Assert.Equal(events.Count, rows.Count - 1);
        foreach (var (row, e) in rows.Skip(1).Zip(events))
        {
            Assert.Equal(e.Position.ToString(), row[0]);
            Assert.Equal(e.Type, row[4]);
            Assert.Equal(Convert.ToHexStringLower(e.Hash.Span), row[9]);
            Assert.Equal(Encoding.UTF8.GetString(e.Payload.Span), row[10]);
        }
    }

    [Fact]
    public async Task Events_as_json_hold_every_payload_as_json()
    {
        var events = await new Tamper(demo.DatabasePath).EventsAsync();

        var run = await Audit.RunAsync("export", "--store", demo.Location, "--json");

        var rows = JsonNode.Parse(run.Out)!.AsArray();
        Assert.Equal(events.Count, rows.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(events[^1].Payload.Span), rows[^1]!["payload"]));
        Assert.Equal(events[^1].EventId.ToString(), rows[^1]!["event_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Decisions_and_rounds_go_to_a_file_with_a_report()
    {
        var decisionsFile = Path.Combine(demo.DataDirectory, "..", "decisions.json");
        var roundsFile = Path.Combine(demo.DataDirectory, "..", "rounds.csv");

        var decisions = await Audit.RunAsync("export", "--store", demo.Location, "--what", "decisions", "--format", "json", "--out", decisionsFile);
        var rounds = await Audit.RunAsync("export", "--store", demo.Location, "--what", "rounds", "--out", roundsFile, "--json");
        var replay = JsonDocument.Parse((await Audit.RunAsync("replay", "--store", demo.Location, "--json")).Out).RootElement;

        Assert.True(decisions.ExitCode == 0, decisions.Error);
        Assert.Contains("Exported 1 decisions as json to", decisions.Out, StringComparison.Ordinal);
        var decision = JsonNode.Parse(File.ReadAllText(decisionsFile))!.AsArray().Single()!;
        Assert.Equal("trigger", decision["outcome"]!.GetValue<string>());
        Assert.Equal("dc2", decision["target_data_center"]!.GetValue<string>());
        Assert.True(decision["rerun_agrees"]!.GetValue<bool>());
        var triggered = (Domain.Events.FailoverTriggered)Domain.Events.EventCatalogue.Deserialize("failover-triggered.v1",
            (await new Tamper(demo.DatabasePath).FirstAsync("failover-triggered.v1")).Payload.Span);
        Assert.Equal(triggered.Evidence.Incident!.ConsecutiveMissed, decision["consecutive_missed"]!.GetValue<int>());
        Assert.Equal(triggered.Evidence.Chain.HeadBlockNum, decision["head_block_num"]!.GetValue<uint>());
        var report = JsonDocument.Parse(rounds.Out).RootElement;
        var roundRows = Csv(File.ReadAllText(roundsFile));
        Assert.Equal(replay.GetProperty("rounds").GetArrayLength(), report.GetProperty("rows").GetInt32());
        Assert.Equal(report.GetProperty("rows").GetInt32(), roundRows.Count - 1);
        Assert.Contains(roundRows, r => r[14] == "missed-all");
        Assert.False(File.Exists(roundsFile + ".partial"));
    }

    [Fact]
    public async Task Bad_export_options_are_listed_together()
    {
        var run = await Audit.RunAsync("export", "--store", "mysql:db", "--format", "xml", "--what", "blocks");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--store 'mysql:db' is neither sqlite:PATH nor postgres:CONNECTION STRING", run.Error, StringComparison.Ordinal);
        Assert.Contains("--format must be csv or json, got 'xml'", run.Error, StringComparison.Ordinal);
        Assert.Contains("--what must be events, decisions or rounds, got 'blocks'", run.Error, StringComparison.Ordinal);
    }

    /// <summary>RFC 4180 rows.</summary>
    private static List<List<string>> Csv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
