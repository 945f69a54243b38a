using System.Text.Json.Nodes;

namespace Failover.Api.Tests;

/// <summary>One server-sent event item.</summary>
public sealed record SseItem(string Event, string? Id, string Data)
{
    public JsonNode Json => JsonNode.Parse(Data)!;
}

/// <summary>Reads /api/stream as a client does: line by line, an item at each blank line.</summary>
public sealed class SseReader(Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body);

    /// <summary>The next item (bounded wait in real time: the stream is fed by appends the test makes).</summary>
    public async Task<SseItem> NextAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? name = null, id = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(limit.Token) ?? throw new EndOfStreamException("the stream ended");
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return new SseItem(name ?? "message", id, string.Join('\n', data));
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (field, value) = colon < 0 ? (line, string.Empty) : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "event":
                    name = value;
                    break;
                case "id":
                    id = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
            }
        }
    }

    /// <summary>Items up to and including the first that satisfies <paramref name="last"/>.</summary>
    public async Task<List<SseItem>> UntilAsync(Func<SseItem, bool> last)
    {
        var items = new List<SseItem>();
        while (true)
        {
            var item = await NextAsync();
            items.Add(item);
            if (last(item))
            {
                return items;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
