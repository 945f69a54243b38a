using System.Text.Json;

namespace Failover.EventStore.Tests;

/// <summary>
/// Re-observation: one stream per chain, appended with the observer's expected version; deterministic event ids; a lost
/// race is a wrong expected version (re-read, append the rest), a lost acknowledgement a no-op retry, a reused id a conflict.
/// </summary>
public abstract partial class EventStoreAcceptanceTests
{
    private const string ChainId = "aca376f2";

    [Fact]
    public async Task An_observer_that_restarts_re_reads_its_stream_and_appends_only_the_new_blocks_once()
    {
        await new ChainStreamWriter(Store, ChainId, "eu-1").ObserveAsync(ChainStreamWriter.Blocks(10, 12));

        var restarted = new ChainStreamWriter(Store, ChainId, "eu-1");
        await restarted.ReadAsync();
        var (foldedVersion, foldedBlocks) = (restarted.Version, restarted.Seen.ToList());
        var result = await restarted.ObserveAsync(ChainStreamWriter.Blocks(10, 15));

        Assert.Equal(2, foldedVersion);
        Assert.Equal(ChainStreamWriter.Blocks(10, 12), foldedBlocks);
        Assert.Equal(new AppendResult(5, 6), result);
        Assert.Equal(ChainStreamWriter.Blocks(10, 15), await StoredBlocksAsync());
        Assert.Equal([0L, 1, 2, 3, 4, 5], (await ReadChainAsync()).Select(e => e.Version));
        Assert.Equal(6, await Store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task Of_two_observers_expecting_the_same_version_one_wins_and_the_other_re_reads_and_appends_only_the_rest()
    {
        var east = new ChainStreamWriter(Store, ChainId, "eu-1");
        var west = new ChainStreamWriter(Store, ChainId, "us-1");
        await east.ObserveAsync(ChainStreamWriter.Blocks(10, 12));
        await west.ReadAsync();

        await east.ObserveAsync(ChainStreamWriter.Blocks(13, 15));
        var lost = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendToStreamAsync(
            west.Stream, west.Expected, [.. ChainStreamWriter.Blocks(13, 16).Select(west.Observation)]));
        await west.ReadAsync();
        var rest = await west.ObserveAsync(ChainStreamWriter.Blocks(13, 16));

        Assert.Equal((ExpectedVersion.Exact(2), (long?)5), (lost.Expected, lost.ActualVersion));
        Assert.Equal(new AppendResult(6, 7), rest);
        var chain = await ReadChainAsync();
        Assert.Equal(ChainStreamWriter.Blocks(10, 16), await StoredBlocksAsync());
        Assert.Equal([.. Enumerable.Repeat("eu-1", 6), "us-1"], chain.Select(e => e.Metadata.ObserverId));
    }

    [Fact]
    public async Task Observers_racing_round_after_round_store_every_block_once_and_exactly_one_loses_each_round()
    {
        const int rounds = 10;
        var east = new ChainStreamWriter(await OpenAsync(new StoreSettings(Clock)), ChainId, "eu-1");
        var west = new ChainStreamWriter(await OpenAsync(new StoreSettings(Clock)), ChainId, "us-1");

        for (var round = 0; round < rounds; round++)
        {
            // Both saw the same chain so far and observe the same new blocks: both append with the same expected version.
            var blocks = ChainStreamWriter.Blocks(1, 3 * (round + 1)).ToList();
            using var start = new ManualResetEventSlim();
            var racing = new[] { east, west }.Select(o => Task.Run(async () =>
            {
                start.Wait();
                await o.ObserveAsync(blocks);
            })).ToList();
            start.Set();
            await Task.WhenAll(racing).WaitAsync(Patience);
        }

        Assert.Equal(rounds, east.LostRaces + west.LostRaces);
        Assert.Equal(ChainStreamWriter.Blocks(1, 3 * rounds), await StoredBlocksAsync());
        Assert.Equal(Enumerable.Range(0, 3 * rounds).Select(v => (long)v), (await ReadChainAsync()).Select(e => e.Version));
        Assert.Equal(new ChainVerification(true, 3 * rounds, null), await Store.VerifyHashChainAsync());
    }

    [Fact]
    public async Task A_retry_whose_first_acknowledgement_was_lost_is_a_no_op_returning_the_original_result()
    {
        var east = new ChainStreamWriter(Store, ChainId, "eu-1");
        await east.ObserveAsync(ChainStreamWriter.Blocks(10, 12));
        EventData[] batch = [.. ChainStreamWriter.Blocks(13, 15).Select(east.Observation)];
        var original = await Store.AppendToStreamAsync(east.Stream, ExpectedVersion.Exact(2), batch);

        var retried = await Store.AppendToStreamAsync(east.Stream, ExpectedVersion.Exact(2), batch);
        await new ChainStreamWriter(Store, ChainId, "us-1").ObserveAsync(ChainStreamWriter.Blocks(10, 16));
        var retriedAfterTheStreamMovedOn = await Store.AppendToStreamAsync(east.Stream, ExpectedVersion.Exact(2), batch);

        Assert.Equal(new AppendResult(5, 6), original);
        Assert.Equal((original, original), (retried, retriedAfterTheStreamMovedOn));
        Assert.Equal(ChainStreamWriter.Blocks(10, 16), await StoredBlocksAsync());
        Assert.Equal(7, await Store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task A_batch_overlapping_stored_ids_with_a_stale_expected_version_is_a_wrong_expected_version_not_an_id_conflict()
    {
        var east = new ChainStreamWriter(Store, ChainId, "eu-1");
        await east.ObserveAsync(ChainStreamWriter.Blocks(10, 15));
        var west = new ChainStreamWriter(Store, ChainId, "us-1");

        // Stored ids with another observer's metadata, the same ids plus a new one, and a part of an earlier append.
        EventData[][] stale =
        [
            [.. ChainStreamWriter.Blocks(13, 16).Select(west.Observation)],
            [.. ChainStreamWriter.Blocks(13, 16).Select(east.Observation)],
            [.. ChainStreamWriter.Blocks(14, 15).Select(east.Observation)],
        ];
        var errors = new List<WrongExpectedVersionException>();
        foreach (var batch in stale)
        {
            errors.Add(await Assert.ThrowsAsync<WrongExpectedVersionException>(
                () => Store.AppendToStreamAsync(east.Stream, ExpectedVersion.Exact(2), batch)));
        }

        Assert.All(errors, e => Assert.Equal((long?)5, e.ActualVersion));
        Assert.Equal(6, await Store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task An_event_id_reused_under_an_expected_version_that_holds_is_still_an_id_conflict()
    {
        var east = new ChainStreamWriter(Store, ChainId, "eu-1");
        await east.ObserveAsync(ChainStreamWriter.Blocks(10, 15));
        var west = new ChainStreamWriter(Store, ChainId, "us-1");

        var overlapping = await Assert.ThrowsAsync<EventIdConflictException>(() => Store.AppendToStreamAsync(
            east.Stream, ExpectedVersion.Exact(5), [west.Observation(15), west.Observation(16)]));
        var elsewhere = await Assert.ThrowsAsync<EventIdConflictException>(() => Store.AppendToStreamAsync(
            "chain-other", ExpectedVersion.NoStream, [east.Observation(13)]));

        Assert.Equal([ChainStreamWriter.BlockEventId(ChainId, 15)], overlapping.EventIds);
        Assert.Contains("mixes stored and new event ids", overlapping.Message);
        Assert.Equal(ChainStreamWriter.BlockEventId(ChainId, 13), elsewhere.EventId);
        Assert.Contains($"in stream 'chain-{ChainId}'", elsewhere.Message);
        Assert.Equal(6, await Store.ReadHeadPositionAsync());
    }

    private async Task<List<RecordedEvent>> ReadChainAsync() =>
        await Store.ReadStreamAsync("chain-" + ChainId, Direction.Forwards, StreamVersion.Start, int.MaxValue).ToListAsync();

    /// <summary>The blocks the chain stream holds, in stream order; checks each event's id is its block's.</summary>
    private async Task<List<long>> StoredBlocksAsync()
    {
        var stored = await ReadChainAsync();
        List<long> blocks = [.. stored.Select(e => JsonSerializer.Deserialize(e.Payload.Span, ObservationJsonContext.Default.BlockSeen)!.Block)];
        Assert.Equal(blocks.Select(b => ChainStreamWriter.BlockEventId(ChainId, b)), stored.Select(e => e.EventId));
        return blocks;
    }
}
