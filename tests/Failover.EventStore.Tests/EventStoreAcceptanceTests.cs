using System.Diagnostics;
using System.Text;
using Failover.EventStore.Projections;

namespace Failover.EventStore.Tests;

/// <summary>
/// The behaviour every adapter must have. Each adapter's fixture derives from this class and gives every test its own
/// empty database (a file or a schema), so tests run in parallel without interference.
/// </summary>
public abstract partial class EventStoreAcceptanceTests : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<IEventStore> _opened = [];
    private readonly EventFactory _events = new();

    protected TestClock Clock { get; } = new();

    protected IEventStore Store { get; private set; } = null!;

    private IProjectionStore Projections => (IProjectionStore)Store;

    /// <summary>Opens a store over this test's database; every call opens the same database.</summary>
    protected abstract Task<IEventStore> OpenStoreAsync(StoreSettings settings);

    /// <summary>Runs SQL on this test's database behind the store's back; returns the rows affected.</summary>
    protected abstract Task<int> ExecuteRawAsync(string sql, params (string Name, object Value)[] parameters);

    /// <summary>Arguments that make the crash writer append to this test's database.</summary>
    protected abstract IReadOnlyList<string> CrashWriterArguments { get; }

    /// <summary>Turns this test's database back into what the build before compaction left: its schema without the compaction migration.</summary>
    protected abstract Task RevertToSchemaBeforeCompactionAsync();

    protected virtual Task DeleteDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await OpenAsync(new StoreSettings(Clock));

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        await DeleteDatabaseAsync();
    }

    private async Task<IEventStore> OpenAsync(StoreSettings settings)
    {
        var store = await OpenStoreAsync(settings);
        _opened.Add(store);
        return store;
    }

    // ---- expected version ----

    [Fact]
    public async Task The_first_append_to_a_new_stream_gets_version_0_and_position_1()
    {
        var result = await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, [_events.Event()]);

        Assert.Equal(new AppendResult(0, 1), result);
    }

    [Fact]
    public async Task Appending_with_no_stream_expected_to_an_existing_stream_is_rejected_naming_stream_expected_and_actual()
    {
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, _events.Events(2));

        var error = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, [_events.Event()]));

        Assert.Equal(("order-1", ExpectedVersion.NoStream, (long?)1), (error.Stream, error.Expected, error.ActualVersion));
        Assert.Contains("'order-1'", error.Message);
        Assert.Contains("no stream", error.Message);
        Assert.Contains("version 1", error.Message);
    }

    [Fact]
    public async Task Appending_with_the_exact_current_version_continues_the_stream()
    {
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, _events.Events(3));

        var result = await Store.AppendToStreamAsync("order-1", ExpectedVersion.Exact(2), _events.Events(2));

        Assert.Equal(new AppendResult(4, 5), result);
    }

    [Fact]
    public async Task Appending_with_a_stale_expected_version_is_rejected_and_writes_nothing()
    {
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, _events.Events(3));

        var error = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.Exact(1), [_events.Event()]));

        Assert.Equal((long?)2, error.ActualVersion);
        Assert.Equal(3, await Store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task Appending_with_an_exact_version_to_a_missing_stream_is_rejected()
    {
        var error = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendToStreamAsync("order-9", ExpectedVersion.Exact(0), [_events.Event()]));

        Assert.Null(error.ActualVersion);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task Appending_with_stream_exists_needs_an_existing_stream()
    {
        await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.StreamExists, [_events.Event()]));
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, [_events.Event()]);

        var result = await Store.AppendToStreamAsync("order-1", ExpectedVersion.StreamExists, [_events.Event()]);

        Assert.Equal(1, result.NextExpectedVersion);
    }

    [Fact]
    public async Task Appending_with_any_succeeds_whatever_the_stream_state()
    {
        var first = await Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [_events.Event()]);
        var second = await Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [_events.Event()]);

        Assert.Equal((0, 1), (first.NextExpectedVersion, second.NextExpectedVersion));
    }

    [Fact]
    public async Task An_empty_append_or_a_bad_stream_name_is_rejected_with_a_reason()
    {
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendToStreamAsync("s", ExpectedVersion.Any, []));
        var control = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendToStreamAsync("a\u0000b", ExpectedVersion.Any, [_events.Event()]));
        var twice = _events.Event();
        var duplicate = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendToStreamAsync("s", ExpectedVersion.Any, [twice, twice]));

        Assert.Contains("at least one event", empty.Message);
        Assert.Contains("control character", control.Message);
        Assert.Contains("appears twice", duplicate.Message);
    }

    // ---- idempotency ----

    [Fact]
    public async Task Re_appending_the_same_events_is_a_no_op_returning_the_original_result()
    {
        var batch = _events.Events(3);
        var original = await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, batch);
        await Store.AppendToStreamAsync("order-2", ExpectedVersion.NoStream, [_events.Event()]);

        var retried = await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, batch);

        Assert.Equal(original, retried);
        Assert.Equal(4, await Store.ReadHeadPositionAsync());
        Assert.Equal(3, (await Store.ReadStreamAsync("order-1", Direction.Forwards, 0, 100).ToListAsync()).Count);
    }

    [Fact]
    public async Task Re_appending_an_event_id_with_a_different_payload_is_rejected()
    {
        var original = _events.Event("{\"amount\":1}");
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [original]);
        var forged = new EventData(original.EventId, original.Type, Encoding.UTF8.GetBytes("{\"amount\":2}"));

        var error = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [forged]));

        Assert.Equal(original.EventId, error.EventId);
        Assert.Contains("different payload", error.Message);
    }

    [Fact]
    public async Task Re_appending_an_event_id_with_a_different_type_or_stream_is_rejected()
    {
        var original = _events.Event();
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [original]);
        var otherType = new EventData(original.EventId, "thing-undone.v1", original.Payload);

        var typeError = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [otherType]));
        var streamError = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendToStreamAsync("order-2", ExpectedVersion.Any, [original]));

        Assert.Contains("thing-happened.v1", typeError.Message);
        Assert.Contains("'order-1'", streamError.Message);
    }

    [Fact]
    public async Task A_batch_mixing_stored_and_new_event_ids_is_rejected_and_writes_nothing()
    {
        var stored = _events.Event();
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [stored]);

        await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [stored, _events.Event()]));

        Assert.Equal(1, await Store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task Re_appending_part_of_a_stored_batch_under_a_version_that_holds_is_rejected_naming_the_ids_another_append_stored()
    {
        var batch = _events.Events(3);
        var original = await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, batch);

        var prefix = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, batch[..2]));
        var suffix = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.Exact(2), batch[1..]));
        await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, batch[..2]));

        Assert.Equal([batch[0].EventId, batch[1].EventId], prefix.EventIds);
        Assert.Equal([batch[1].EventId, batch[2].EventId], suffix.EventIds);
        Assert.Contains("another append (positions 1–3)", prefix.Message);
        Assert.Equal(original, await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, batch));
        Assert.Equal(3, await Store.ReadHeadPositionAsync());
    }

    [Fact]
    public async Task A_batch_mixing_stored_and_new_event_ids_names_the_stored_ones()
    {
        var stored = _events.Events(2);
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, stored);

        var error = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendToStreamAsync("order-1", ExpectedVersion.Any, [.. stored, _events.Event()]));

        Assert.Equal(stored.Select(e => e.EventId), error.EventIds);
        Assert.Contains("mixes stored and new event ids", error.Message);
    }

    // ---- concurrency ----

    [Fact]
    public async Task Of_concurrent_appenders_expecting_the_same_version_exactly_one_wins()
    {
        await Store.AppendToStreamAsync("race", ExpectedVersion.NoStream, [_events.Event()]);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var contenders = Enumerable.Range(0, 8).Select(async _ =>
        {
            var batch = _events.Events(2);
            await start.Task;
            try
            {
                await Store.AppendToStreamAsync("race", ExpectedVersion.Exact(0), batch);
                return true;
            }
            catch (WrongExpectedVersionException)
            {
                return false;
            }
        }).ToList();

        start.SetResult();
        var outcomes = await Task.WhenAll(contenders);

        Assert.Single(outcomes, won => won);
        Assert.Equal(2, (await Store.GetStreamMetadataAsync("race"))!.LastVersion);
    }

    [Fact]
    public async Task A_live_subscriber_sees_every_position_exactly_once_in_order_under_concurrent_appends()
    {
        const int writers = 4, appendsPerWriter = 25;
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 5, SubscriptionBufferSize: 3));
        var batches = Enumerable.Range(0, writers * appendsPerWriter).Select(i => _events.Events(1 + i % 3)).ToArray();
        var total = batches.Sum(b => b.Length);
        var received = subscriber.SubscribeToAllAsync(GlobalPosition.Start).TakeAsync(total, Patience);

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < appendsPerWriter; i++)
            {
                await Store.AppendToStreamAsync($"writer-{w}", ExpectedVersion.Any, batches[w * appendsPerWriter + i]);
            }
        })));

        Assert.Equal(Enumerable.Range(1, total).Select(p => (long)p), (await received).Select(e => e.Position));
    }

    // ---- reads ----

    [Fact]
    public async Task Reading_a_stream_forwards_and_backwards_honours_the_start_version_and_count()
    {
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, _events.Events(5));
        await Store.AppendToStreamAsync("order-2", ExpectedVersion.NoStream, _events.Events(2));

        var forwards = await Store.ReadStreamAsync("order-1", Direction.Forwards, 1, 3).ToListAsync();
        var backwards = await Store.ReadStreamAsync("order-1", Direction.Backwards, StreamVersion.End, 2).ToListAsync();

        Assert.Equal([1L, 2, 3], forwards.Select(e => e.Version));
        Assert.Equal([4L, 3], backwards.Select(e => e.Version));
        Assert.All(forwards.Concat(backwards), e => Assert.Equal("order-1", e.Stream));
    }

    [Fact]
    public async Task Reading_an_unknown_stream_returns_nothing_and_it_has_no_metadata()
    {
        Assert.Empty(await Store.ReadStreamAsync("nobody", Direction.Forwards, 0, 10).ToListAsync());
        Assert.Null(await Store.GetStreamMetadataAsync("nobody"));
    }

    [Fact]
    public async Task Reading_all_from_a_position_returns_the_log_in_dense_position_order()
    {
        for (var i = 0; i < 6; i++)
        {
            await Store.AppendToStreamAsync($"s-{i % 3}", ExpectedVersion.Any, _events.Events(2));
        }

        var all = await Store.ReadAllAsync(4).ToListAsync();
        var limited = await Store.ReadAllAsync(GlobalPosition.Start, 3).ToListAsync();

        Assert.Equal(Enumerable.Range(4, 9).Select(p => (long)p), all.Select(e => e.Position));
        Assert.Equal([1L, 2, 3], limited.Select(e => e.Position));
    }

    [Fact]
    public async Task A_recorded_event_carries_the_whole_envelope()
    {
        var metadata = new EventMetadata(Guid.Parse("11111111-2222-3333-4444-555555555555"),
            Guid.Parse("66666666-7777-8888-9999-aaaaaaaaaaaa"), "observer-eu-1");
        var sent = _events.Event("{\"block\":42}", "block-produced.v1", metadata);
        await Store.AppendToStreamAsync("chain-1", ExpectedVersion.NoStream, [sent]);

        var read = Assert.Single(await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync());

        Assert.Equal((1L, "chain-1", 0L, sent.EventId, "block-produced.v1", TestClock.StartTime, metadata),
            (read.Position, read.Stream, read.Version, read.EventId, read.Type, read.RecordedAt, read.Metadata));
        Assert.Equal("{\"block\":42}", Encoding.UTF8.GetString(read.Payload.Span));
        Assert.Equal(CanonicalEvent.ComputeHash(CanonicalEvent.GenesisHash.Span, read), read.Hash.ToArray());
    }

    [Fact]
    public async Task Stream_metadata_records_when_the_stream_was_created_and_its_last_version()
    {
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.NoStream, [_events.Event()]);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await Store.AppendToStreamAsync("order-1", ExpectedVersion.Exact(0), _events.Events(2));

        var metadata = await Store.GetStreamMetadataAsync("order-1");

        Assert.Equal(new StreamMetadata("order-1", TestClock.StartTime, 2), metadata);
    }

    [Fact]
    public async Task A_payload_larger_than_one_mebibyte_round_trips_byte_for_byte()
    {
        var payload = Encoding.UTF8.GetBytes("{\"blob\":\"" + new string('a', 1_100_000) + "\"}");
        var large = new EventData(_events.NextId(), "large-thing.v1", payload);
        await Store.AppendToStreamAsync("big", ExpectedVersion.NoStream, [large]);

        var read = Assert.Single(await Store.ReadStreamAsync("big", Direction.Forwards, 0, 1).ToListAsync());

        Assert.Equal(payload, read.Payload.ToArray());
        Assert.True((await Store.VerifyHashChainAsync()).IsIntact);
    }

    [Fact]
    public async Task Unicode_stream_names_and_payloads_round_trip()
    {
        const string stream = "производитель-🚀-生産者-é";
        const string json = "{\"name\":\"Ωμέγα 👩‍💻 日本語\"}";
        await Store.AppendToStreamAsync(stream, ExpectedVersion.NoStream, [_events.Event(json)]);

        var read = Assert.Single(await Store.ReadStreamAsync(stream, Direction.Forwards, 0, 10).ToListAsync());

        Assert.Equal((stream, json), (read.Stream, Encoding.UTF8.GetString(read.Payload.Span)));
        Assert.Equal(stream, (await Store.GetStreamMetadataAsync(stream))!.Stream);
        Assert.True((await Store.VerifyHashChainAsync()).IsIntact);
    }

    // ---- subscriptions ----

    [Fact]
    public async Task A_subscription_hands_over_from_catch_up_to_live_without_gaps_or_duplicates()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.AppendToStreamAsync("before", ExpectedVersion.Any, _events.Events(5));
        }

        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 7, SubscriptionBufferSize: 4));
        await using var subscription = subscriber.SubscribeToAllAsync(GlobalPosition.Start).GetAsyncEnumerator();
        var received = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await subscription.MoveNextAsync());
            received.Add(subscription.Current.Position);
        }

        var live = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await Store.AppendToStreamAsync("after", ExpectedVersion.Any, _events.Events(5));
            }
        });
        using var timeout = new CancellationTokenSource(Patience);
        while (received.Count < 100 && await subscription.MoveNextAsync().AsTask().WaitAsync(timeout.Token))
        {
            received.Add(subscription.Current.Position);
        }

        await live;
        Assert.Equal(Enumerable.Range(1, 100).Select(p => (long)p), received);
    }

    [Fact]
    public async Task A_live_subscription_polls_on_the_stores_clock()
    {
        var subscriber = await OpenAsync(new StoreSettings(Clock, PollIntervalSeconds: 3600));
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(2));
        await ExecuteRawAsync("UPDATE events SET position = -2 WHERE position = 2");
        await using var subscription = subscriber.SubscribeToAllAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.True(await subscription.MoveNextAsync().AsTask().WaitAsync(Patience));

        // Position 2 reappears without an append, so no wake-up: only the next poll (an hour on the store's clock) finds it.
        var next = subscription.MoveNextAsync().AsTask();
        await ExecuteRawAsync("UPDATE events SET position = 2 WHERE position = -2");
        await Clock.AdvanceUntilAsync(next);

        Assert.True(await next);
        Assert.Equal(2, subscription.Current.Position);
    }

    [Fact]
    public async Task A_subscription_from_a_checkpoint_starts_right_after_it()
    {
        await Store.AppendToStreamAsync("s", ExpectedVersion.Any, _events.Events(6));

        var received = await Store.SubscribeToAllAsync(4).TakeAsync(2, Patience);

        Assert.Equal([5L, 6], received.Select(e => e.Position));
    }

    [Fact]
    public async Task Cancelling_a_live_subscription_ends_it_with_an_operation_cancelled_error()
    {
        await Store.AppendToStreamAsync("s", ExpectedVersion.Any, [_events.Event()]);
        using var cancel = new CancellationTokenSource();
        var received = new List<long>();

        var reading = Task.Run(async () =>
        {
            await foreach (var e in Store.SubscribeToAllAsync(GlobalPosition.Start, cancel.Token))
            {
                received.Add(e.Position);
                await cancel.CancelAsync();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(Patience));
        Assert.Equal([1L], received);
    }

    [Fact]
    public async Task An_append_with_a_cancelled_token_writes_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.AppendToStreamAsync("s", ExpectedVersion.Any, [_events.Event()], cancelled.Token));

        Assert.Equal(0, await Store.ReadHeadPositionAsync());
    }

    // ---- hash chain ----

    [Fact]
    public async Task The_hash_chain_of_an_untouched_log_verifies_with_its_event_count()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(3));
        await Store.AppendToStreamAsync("b", ExpectedVersion.Any, _events.Events(4));

        var verification = await Store.VerifyHashChainAsync();

        Assert.Equal(new ChainVerification(true, 7, null), verification);
    }

    [Fact]
    public async Task Each_link_hashes_the_previous_hash_and_the_events_canonical_bytes()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(3));

        var log = await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync();

        Assert.Equal(System.Security.Cryptography.SHA256.HashData([.. new byte[32], .. CanonicalEvent.Encode(log[0])]), log[0].Hash.ToArray());
        Assert.Equal(System.Security.Cryptography.SHA256.HashData([.. log[1].Hash.Span, .. CanonicalEvent.Encode(log[2])]), log[2].Hash.ToArray());
    }

    [Fact]
    public async Task Editing_a_payload_behind_the_stores_back_is_caught_at_that_position()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.AppendToStreamAsync("a", ExpectedVersion.Any, [_events.Event()]);
        }

        var edited = await ExecuteRawAsync("UPDATE events SET payload = @payload WHERE position = @position",
            ("@payload", Encoding.UTF8.GetBytes("{\"n\":666}")), ("@position", 3L));
        var verification = await Store.VerifyHashChainAsync();

        Assert.Equal(1, edited);
        Assert.False(verification.IsIntact);
        Assert.Equal((3L, 2L), (verification.FirstBrokenLink!.Position, verification.EventCount));
        Assert.NotEqual(verification.FirstBrokenLink.ExpectedHash.ToArray(), verification.FirstBrokenLink.ActualHash.ToArray());
    }

    [Fact]
    public async Task Deleting_an_event_behind_the_stores_back_is_caught_as_a_missing_position()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(4));

        await ExecuteRawAsync("DELETE FROM events WHERE position = @position", ("@position", 2L));
        var verification = await Store.VerifyHashChainAsync();

        Assert.Equal(2, verification.FirstBrokenLink!.Position);
        Assert.Contains("missing", verification.FirstBrokenLink.Reason);
    }

    [Fact]
    public async Task Rewriting_an_event_and_its_hash_is_caught_at_the_next_link()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(4));
        var original = (await Store.ReadAllAsync(2, 1).ToListAsync())[0];
        var forged = original with { Payload = Encoding.UTF8.GetBytes("{\"n\":666}") };
        var forgedHash = CanonicalEvent.ComputeHash((await Store.ReadAllAsync(1, 1).ToListAsync())[0].Hash.Span, forged);

        await ExecuteRawAsync("UPDATE events SET payload = @payload, hash = @hash WHERE position = @position",
            ("@payload", forged.Payload.ToArray()), ("@hash", forgedHash), ("@position", 2L));

        Assert.Equal(3, (await Store.VerifyHashChainAsync()).FirstBrokenLink!.Position);
    }

    // ---- projections and checkpoints ----

    [Fact]
    public async Task A_projection_commits_its_documents_and_checkpoint_together()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(3));
        await Store.AppendToStreamAsync("b", ExpectedVersion.Any, _events.Events(2));
        var projection = new CountingProjection();

        var checkpoint = await new ProjectionRunner(Store, Projections, batchSize: 2).CatchUpAsync(projection);

        Assert.Equal(5, checkpoint);
        Assert.Equal(5, await Projections.ReadCheckpointAsync(projection.Name));
        Assert.Equal((5, 3, 2), (await CountAsync(projection, "total"), await CountAsync(projection, "stream:a"), await CountAsync(projection, "stream:b")));
    }

    [Fact]
    public async Task A_crash_between_handling_and_checkpointing_re_handles_the_event_exactly_once_in_effect()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(10));
        var projection = new CountingProjection { FailOnceAfterHandling = 5 };
        var runner = new ProjectionRunner(Store, Projections, batchSize: 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.CatchUpAsync(projection));
        var atCrash = (await Projections.ReadCheckpointAsync(projection.Name), await CountAsync(projection, "total"));
        var resumed = await runner.CatchUpAsync(projection);

        Assert.Equal((4L, 4L), atCrash);
        Assert.Equal(10, resumed);
        Assert.Equal(10, await CountAsync(projection, "total"));
    }

    [Fact]
    public async Task A_second_runner_with_a_stale_checkpoint_cannot_commit()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(4));
        var projection = new CountingProjection();
        var events = await Store.ReadAllAsync(GlobalPosition.Start).ToListAsync();
        await Projections.CommitAsync(projection, events[..2].ToAsyncEnumerable(), 0);

        await Assert.ThrowsAsync<CheckpointConflictException>(() => Projections.CommitAsync(projection, events[..2].ToAsyncEnumerable(), 0));
        await Assert.ThrowsAsync<CheckpointConflictException>(() => Projections.CommitAsync(projection, events[3..].ToAsyncEnumerable(), 3));

        Assert.Equal(2, await CountAsync(projection, "total"));
    }

    [Fact]
    public async Task Rebuilding_a_projection_clears_it_and_replays_the_log_from_position_0()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(7));
        var projection = new CountingProjection();
        var runner = new ProjectionRunner(Store, Projections, batchSize: 3);
        await runner.CatchUpAsync(projection);
        await Store.AppendToStreamAsync("b", ExpectedVersion.Any, _events.Events(2));

        var rebuilt = await runner.RebuildAsync(projection);

        Assert.Equal(9, rebuilt);
        Assert.Equal((9, 7, 2), (await CountAsync(projection, "total"), await CountAsync(projection, "stream:a"), await CountAsync(projection, "stream:b")));
    }

    [Fact]
    public async Task A_running_projection_applies_events_appended_while_it_runs()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(3));
        var projection = new CountingProjection();
        using var stop = new CancellationTokenSource();
        var progress = new ProjectionProgress();
        var running = new ProjectionRunner(Store, Projections).RunAsync(projection, progress, stop.Token);

        var appended = await Store.AppendToStreamAsync("b", ExpectedVersion.Any, _events.Events(2));
        await progress.WaitForCheckpointAsync(appended.Position).WaitAsync(Patience);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(5, await CountAsync(projection, "total"));
    }

    // ---- crash ----

    [Fact]
    public async Task A_writer_killed_mid_append_leaves_a_consistent_store_with_an_intact_chain()
    {
        await using (await OpenStoreAsync(new StoreSettings(TimeProvider.System)))
        {
            // Makes sure the schema exists before the writer starts.
        }

        var killedAt = await RunCrashWriterUntilAsync(minimumPosition: 150);
        var reopened = await OpenAsync(new StoreSettings(Clock));

        var log = await reopened.ReadAllAsync(GlobalPosition.Start).ToListAsync();
        Assert.True(log.Count >= killedAt, $"{log.Count} events after the writer reported position {killedAt}");
        Assert.Equal(Enumerable.Range(1, log.Count).Select(p => (long)p), log.Select(e => e.Position));
        foreach (var stream in log.GroupBy(e => e.Stream))
        {
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
            Assert.Equal(stream.Count() - 1, (await reopened.GetStreamMetadataAsync(stream.Key))!.LastVersion);
        }

        Assert.Equal(new ChainVerification(true, log.Count, null), await reopened.VerifyHashChainAsync());
        var next = await reopened.AppendToStreamAsync("crash-0", ExpectedVersion.Any, [_events.Event()]);
        Assert.Equal(log.Count + 1, next.Position);
    }

    [Fact]
    public async Task A_live_subscriber_sees_events_another_process_appends()
    {
        var subscriber = await OpenAsync(new StoreSettings(TimeProvider.System, PollIntervalSeconds: 0.05));
        var received = subscriber.SubscribeToAllAsync(GlobalPosition.Start).TakeAsync(60, Patience);

        await RunCrashWriterUntilAsync(minimumPosition: 60);

        Assert.Equal(Enumerable.Range(1, 60).Select(p => (long)p), (await received).Select(e => e.Position));
    }

    private async Task<long> RunCrashWriterUntilAsync(long minimumPosition)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Failover.EventStore.CrashWriter.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(writer);
        foreach (var argument in CrashWriterArguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        long position = 0;
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (position < minimumPosition)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                           ?? throw new InvalidOperationException("The crash writer exited early: " + await stderr);
                position = long.Parse(line["appended ".Length..]);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true); // SIGKILL on Unix: no finally blocks, no disposal, mid-append.
            await process.WaitForExitAsync();
        }

        return position;
    }

    private async Task<long> CountAsync(IProjection projection, string id)
    {
        var json = await Projections.ReadDocumentAsync(projection.Name, id);
        return json is null ? 0 : System.Text.Json.JsonSerializer.Deserialize(json, TestJsonContext.Default.Counter)!.Count;
    }
}
