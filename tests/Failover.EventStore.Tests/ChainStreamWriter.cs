using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Failover.EventStore.Tests;

public sealed record BlockSeen(long Block);

[JsonSerializable(typeof(BlockSeen))]
internal sealed partial class ObservationJsonContext : JsonSerializerContext;

/// <summary>
/// An observer as the service runs one: the chain it has seen lives in one stream (<c>chain-&lt;id&gt;</c>), rebuilt by
/// folding the stream; it appends what is new with the version it last saw, and when another observer got there first
/// (<see cref="WrongExpectedVersionException"/>) it re-reads the tail, folds it and appends only what is still new.
/// Event ids are derived from the chain and the block, so every observer names a block's observation alike.
/// </summary>
internal sealed class ChainStreamWriter(IEventStore store, string chainId, string observerId)
{
    public string Stream => "chain-" + chainId;

    /// <summary>The version of the last event folded or appended; null while the stream does not exist.</summary>
    public long? Version { get; private set; }

    public SortedSet<long> Seen { get; } = [];

    /// <summary>How many appends another observer beat.</summary>
    public int LostRaces { get; private set; }

    /// <summary>Folds the events after <see cref="Version"/> (all of them at start-up).</summary>
    public async Task ReadAsync()
    {
        var from = Version is { } version ? version + 1 : StreamVersion.Start;
        await foreach (var e in store.ReadStreamAsync(Stream, Direction.Forwards, from, int.MaxValue))
        {
            Seen.Add(JsonSerializer.Deserialize(e.Payload.Span, ObservationJsonContext.Default.BlockSeen)!.Block);
            Version = e.Version;
        }
    }

    /// <summary>This observer's record of a block, as it would append it.</summary>
    public EventData Observation(long block) => new(
        BlockEventId(chainId, block), "block-seen.v1",
        JsonSerializer.SerializeToUtf8Bytes(new BlockSeen(block), ObservationJsonContext.Default.BlockSeen),
        new EventMetadata(ObserverId: observerId));

    public ExpectedVersion Expected => Version is { } version ? ExpectedVersion.Exact(version) : ExpectedVersion.NoStream;

    /// <summary>Appends the blocks not seen yet, in order; returns the append's result, or null if nothing was new.</summary>
    public async Task<AppendResult?> ObserveAsync(IEnumerable<long> blocks)
    {
        while (true)
        {
            List<long> fresh = [.. blocks.Where(b => !Seen.Contains(b)).Order()];
            if (fresh.Count == 0)
            {
                return null;
            }

            try
            {
                var result = await store.AppendToStreamAsync(Stream, Expected, [.. fresh.Select(Observation)]);
                Seen.UnionWith(fresh);
                Version = result.NextExpectedVersion;
                return result;
            }
            catch (WrongExpectedVersionException)
            {
                LostRaces++;
                await ReadAsync();
            }
        }
    }

    public static Guid BlockEventId(string chainId, long block) =>
        DeterministicEventId.Create(chainId, "block", block.ToString(CultureInfo.InvariantCulture));

    public static IEnumerable<long> Blocks(long first, long last) => Enumerable.Range((int)first, (int)(last - first + 1)).Select(b => (long)b);
}
