namespace Failover.EventStore.Tests;

/// <summary>
/// Log compaction (issue 18.6, <see cref="ILogCompaction"/>): deleting old events of given types from a range of
/// positions, exactly as many as the compactor counted, and the compacted-through mark below which subscriptions skip
/// missing positions instead of waiting for them. Time-dependent cases run on the fake clock, as in the paging tests.
/// </summary>
public abstract partial class EventStoreAcceptanceTests
{
    private const string Observed = "block-seen.v1";
    private const string Decided = "round-closed.v1";
    private const string Forked = "fork-seen.v1";

    private ILogCompaction Compaction => (ILogCompaction)Store;

    [Fact]
    public async Task Compacting_deletes_exactly_the_events_of_the_given_types_in_the_range_and_nothing_else()
    {
        var log = await AppendTypesAsync(Observed, Decided, Observed, Forked, Observed, Decided, Forked, Observed, Observed, Decided);

        await Compaction.CompactAsync(3, 8, [Observed, Forked], expectedCount: 5);

        List<long> kept = [1, 2, 6, 9, 10]; // 1 and 9 are observations outside the range; 2, 6 and 10 another type
        var remaining = await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync();
        Assert.Equal(kept, remaining.Select(e => e.Position));
        Assert.Equal(log.Where(e => kept.Contains(e.Position)).Select(Fingerprint), remaining.Select(Fingerprint));
        Assert.Equal(10, await Store.ReadHeadPositionAsync());
        Assert.Equal(8, await Compaction.ReadCompactedThroughAsync());
    }

    [Fact]
    public async Task A_compaction_whose_count_does_not_match_deletes_nothing_moves_no_mark_and_says_how_many_matched()
    {
        var log = await AppendTypesAsync(Observed, Decided, Observed, Observed, Decided, Observed);

        var tooMany = await Assert.ThrowsAsync<CompactionMismatchException>(() => Compaction.CompactAsync(1, 4, [Observed], expectedCount: 4));
        var tooFew = await Assert.ThrowsAsync<CompactionMismatchException>(() => Compaction.CompactAsync(1, 4, [Observed], expectedCount: 2));

        Assert.Equal((1L, 4L, 4L, 3L), (tooMany.FromPosition, tooMany.ToPosition, tooMany.ExpectedCount, tooMany.ActualCount));
        Assert.Equal((2L, 3L), (tooFew.ExpectedCount, tooFew.ActualCount));
        Assert.Equal([Observed], tooMany.Types);
        Assert.Contains("positions 1–4 expected 4 event(s) of type(s) block-seen.v1 but 3 matched", tooMany.Message);
        Assert.Contains("nothing was deleted", tooMany.Message);
        Assert.Equal(log.Select(Fingerprint), (await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync()).Select(Fingerprint));
        Assert.Equal(0, await Compaction.ReadCompactedThroughAsync());
    }

    [Fact]
    public async Task The_compacted_through_mark_starts_at_0_rises_with_each_compaction_and_never_falls()
    {
        await AppendTypesAsync(Observed, Observed, Observed, Decided, Observed, Decided, Decided, Decided, Observed, Decided);
        var marks = new List<long> { await Compaction.ReadCompactedThroughAsync() };

        await Compaction.CompactAsync(2, 4, [Observed], expectedCount: 2);
        marks.Add(await Compaction.ReadCompactedThroughAsync());
        await Compaction.CompactAsync(1, 1, [Observed], expectedCount: 1); // a range below the mark: deletes, lowers nothing
        marks.Add(await Compaction.ReadCompactedThroughAsync());
        await Compaction.CompactAsync(5, 6, [Observed], expectedCount: 1);
        marks.Add(await Compaction.ReadCompactedThroughAsync());
        await Compaction.CompactAsync(2, 6, [Observed], expectedCount: 0); // again, all deleted already: a no-op
        marks.Add(await Compaction.ReadCompactedThroughAsync());
        await Compaction.CompactAsync(7, 8, [Observed], expectedCount: 0); // nothing of the type there: the mark still rises
        marks.Add(await Compaction.ReadCompactedThroughAsync());

        Assert.Equal([0L, 4, 4, 6, 6, 8], marks);
        Assert.Equal([4L, 6, 7, 8, 9, 10], (await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync()).Select(e => e.Position));
        var other = (ILogCompaction)await OpenAsync(new StoreSettings(Clock));
        Assert.Equal(8, await other.ReadCompactedThroughAsync()); // kept in the database, not in the store object
    }

    [Fact]
    public async Task Compaction_keeps_the_stream_metadata_and_a_later_append_continues_the_compacted_streams_versions_and_the_chain()
    {
        var chain = new ChainStreamWriter(Store, ChainId, "eu-1");
        await chain.ObserveAsync(ChainStreamWriter.Blocks(10, 14));
        Clock.Advance(TimeSpan.FromMinutes(5));
        await Store.AppendToStreamAsync("rounds", ExpectedVersion.NoStream, [_events.Event(type: Decided)]);
        var before = await Store.GetStreamMetadataAsync(chain.Stream);

        await Compaction.CompactAsync(1, 5, [Observed], expectedCount: 5);
        var after = await Store.GetStreamMetadataAsync(chain.Stream);
        var emptied = await ReadChainAsync();
        await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendToStreamAsync(chain.Stream, ExpectedVersion.NoStream, [chain.Observation(15)]));
        var next = await Store.AppendToStreamAsync(chain.Stream, ExpectedVersion.Exact(4), [chain.Observation(15), chain.Observation(16)]);

        Assert.Equal(new StreamMetadata(chain.Stream, TestClock.StartTime, 4), before);
        Assert.Equal(before, after);
        Assert.Empty(emptied);
        Assert.Equal(new AppendResult(6, 8), next);
        Assert.Equal([5L, 6], (await ReadChainAsync()).Select(e => e.Version));
        var tail = await Store.ReadAllAsync(6).ToListAsync();
        Assert.Equal([6L, 7, 8], tail.Select(e => e.Position));
        Assert.Equal(CanonicalEvent.ComputeHash(tail[0].Hash.Span, tail[1]), tail[1].Hash.ToArray()); // chained from the head as before
        Assert.Equal(6, (await Store.GetStreamMetadataAsync(chain.Stream))!.LastVersion);
    }

    [Fact]
    public async Task A_catch_up_subscription_skips_compacted_holes_at_once_and_delivers_the_rest_in_order_then_live_events()
    {
        // Holes at the very start, across page boundaries, and longer than a page (6–10); a hole would wait half an hour.
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 3, SubscriptionBufferSize: 2, PollIntervalSeconds: 3600,
            ReconnectDelaySeconds: 1800, GapTimeoutSeconds: 30));
        await AppendTypesAsync(Observed, Decided, Observed, Observed, Decided, Observed, Observed, Observed, Observed, Observed,
            Decided, Observed, Decided, Decided);
        await Compaction.CompactAsync(1, 12, [Observed], expectedCount: 9);
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();

        var history = await TakeMessagesAsync(subscription, 6);
        var firstWait = await Clock.NextWaitAsync();
        await Store.AppendToStreamAsync("live", ExpectedVersion.Any, [_events.Event(type: Observed), _events.Event(type: Decided)]);
        var live = await TakeMessagesAsync(subscription, 3);
        await using var fromInsideAHole = subscriber.SubscribeAsync(3).GetAsyncEnumerator();
        var resumed = await TakeMessagesAsync(fromInsideAHole, 7);

        Assert.Equal(["E2", "E5", "E11", "E13", "E14", "C14"], history);
        Assert.Equal(TimeSpan.FromHours(1), firstWait); // caught up and polling: never waited in a hole
        Assert.Equal(["E15", "E16", "C16"], live);
        Assert.Equal(["E5", "E11", "E13", "E14", "E15", "E16", "C16"], resumed);
        Assert.Equal(TestClock.StartTime, Clock.GetUtcNow()); // no time passed: nothing was waited out
    }

    [Fact]
    public async Task A_hole_above_the_compacted_through_mark_is_still_waited_for_and_fails_the_subscription_at_the_gap_timeout()
    {
        // As the gap-timeout test in the paging tests: looks are triggered by appends, the timed waits are long.
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 2, PollIntervalSeconds: 7200, ReconnectDelaySeconds: 3600, GapTimeoutSeconds: 30));
        await AppendTypesAsync(Decided, Observed, Observed, Decided, Decided, Decided);
        await Compaction.CompactAsync(2, 3, [Observed], expectedCount: 2);
        await ExecuteRawAsync("DELETE FROM events WHERE position = @position", ("@position", 5L)); // damage above the mark
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["E1", "E4"], await TakeMessagesAsync(subscription, 2));
        var next = subscription.MoveNextAsync().AsTask();
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // the hole at 5 was seen at the start time

        Clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        await Store.AppendToStreamAsync("wake", ExpectedVersion.Any, [_events.Event()]);
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // one tick before the timeout: waits on
        Assert.False(next.IsCompleted);

        Clock.Advance(TimeSpan.FromTicks(1));
        await Store.AppendToStreamAsync("wake", ExpectedVersion.Any, [_events.Event()]);
        var error = await Assert.ThrowsAsync<MissingPositionException>(() => next.WaitAsync(Patience));

        Assert.Equal(5, error.Position);
        Assert.Equal(3, await Compaction.ReadCompactedThroughAsync());
    }

    [Fact]
    public async Task Compactions_racing_each_other_and_appends_keep_the_highest_mark_and_appends_stay_dense()
    {
        await AppendTypesAsync([.. Enumerable.Range(1, 40).Select(p => p % 2 == 1 ? Observed : Decided)]);
        var appender = await OpenAsync(new StoreSettings(Clock));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Nine compactions of 1–4, 5–8, …, 33–36 in no set order, while another store appends 20 events at the head.
        var compactions = Enumerable.Range(0, 9).Reverse().Select(i => Task.Run(async () =>
        {
            await start.Task;
            await Compaction.CompactAsync(4 * i + 1, 4 * i + 4, [Observed], expectedCount: 2);
        }));
        var appends = Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < 20; i++)
            {
                await appender.AppendToStreamAsync("live", ExpectedVersion.Any, [_events.Event(type: Observed)]);
            }
        });
        start.SetResult();
        await Task.WhenAll([.. compactions, appends]).WaitAsync(Patience);

        Assert.Equal(36, await Compaction.ReadCompactedThroughAsync());
        var log = await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync();
        Assert.Equal([.. Enumerable.Range(1, 18).Select(i => 2L * i), .. Positions(37, 60)], log.Select(e => e.Position));
        Assert.Equal(Enumerable.Range(0, 20).Select(v => (long)v), log.Where(e => e.Stream == "live").Select(e => e.Version));
        Assert.Equal(60, await Store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task Compaction_arguments_are_checked_and_the_head_is_never_compacted()
    {
        var log = await AppendTypesAsync(Observed, Observed, Observed);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Compaction.CompactAsync(0, 1, [Observed], 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Compaction.CompactAsync(2, 1, [Observed], 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Compaction.CompactAsync(1, 1, [Observed], -1));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Compaction.CompactAsync(1, 1, null!, 1));
        var noTypes = await Assert.ThrowsAsync<ArgumentException>(() => Compaction.CompactAsync(1, 1, [], 1));
        var badType = await Assert.ThrowsAsync<ArgumentException>(() => Compaction.CompactAsync(1, 1, ["BlockSeen"], 1));
        var atHead = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Compaction.CompactAsync(1, 3, [Observed], 3));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Compaction.CompactAsync(2, 9, [Observed], 2));

        Assert.Contains("at least one event type", noTypes.Message);
        Assert.Contains("'BlockSeen' is not an event type name", badType.Message);
        Assert.Contains("below the head of the log (position 3)", atHead.Message);
        Assert.Equal(log.Select(Fingerprint), (await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync()).Select(Fingerprint));
        Assert.Equal(0, await Compaction.ReadCompactedThroughAsync());
        await Compaction.CompactAsync(1, 2, [Observed, Observed], 2); // a type named twice counts once
        Assert.Equal([3L], (await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync()).Select(e => e.Position));
    }

    [Fact]
    public async Task A_retry_of_an_append_whose_events_were_compacted_is_not_recognised_as_a_retry()
    {
        var chain = new ChainStreamWriter(Store, ChainId, "eu-1");
        EventData[] batch = [.. ChainStreamWriter.Blocks(10, 12).Select(chain.Observation)];
        await Store.AppendToStreamAsync(chain.Stream, ExpectedVersion.NoStream, batch);
        await Store.AppendToStreamAsync("rounds", ExpectedVersion.NoStream, [_events.Event(type: Decided)]);
        await Compaction.CompactAsync(1, 3, [Observed], expectedCount: 3);

        // Its ids are forgotten: with the expected version it was appended with, the stream has moved on ...
        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendToStreamAsync(chain.Stream, ExpectedVersion.NoStream, batch));
        // ... and with no expectation it is appended again, as new events after the head.
        var again = await Store.AppendToStreamAsync(chain.Stream, ExpectedVersion.Any, batch);

        Assert.Equal((long?)2, stale.ActualVersion);
        Assert.Equal(new AppendResult(5, 7), again);
        Assert.Equal(batch.Select(e => e.EventId), (await ReadChainAsync()).Select(e => e.EventId));
    }

    [Fact]
    public async Task A_store_from_before_compaction_migrates_with_a_mark_of_0_and_then_compacts()
    {
        var log = await AppendTypesAsync(Observed, Decided, Observed, Decided);
        await RevertToSchemaBeforeCompactionAsync();

        var migrated = (ILogCompaction)await OpenAsync(new StoreSettings(Clock));
        var markAfterMigration = await migrated.ReadCompactedThroughAsync();
        await migrated.CompactAsync(1, 3, [Observed], expectedCount: 2);

        Assert.Equal(0, markAfterMigration);
        Assert.Equal(3, await migrated.ReadCompactedThroughAsync());
        Assert.Equal([Fingerprint(log[1]), Fingerprint(log[3])], (await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync()).Select(Fingerprint));
    }

    /// <summary>An event's position, id and hash (which covers everything else it holds), to compare events read twice.</summary>
    private static string Fingerprint(RecordedEvent e) => $"{e.Position}:{e.EventId}:{Convert.ToHexStringLower(e.Hash.Span)}";

    /// <summary>Appends one event of each type in order, each to its type's stream; returns the log.</summary>
    private async Task<List<RecordedEvent>> AppendTypesAsync(params string[] types)
    {
        foreach (var type in types)
        {
            await Store.AppendToStreamAsync("s-" + type, ExpectedVersion.Any, [_events.Event(type: type)]);
        }

        return await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync();
    }
}
