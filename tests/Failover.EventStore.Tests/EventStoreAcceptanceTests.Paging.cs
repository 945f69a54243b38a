namespace Failover.EventStore.Tests;

/// <summary>
/// Paged reads and subscriptions across page boundaries, catch-up signals, gaps and the subscription's waits, all on the
/// store's fake clock: <see cref="TestClock"/> reports each wait the reader arms, so which wait it is in is observed, not
/// guessed, and time moves only when the test moves it.
/// </summary>
public abstract partial class EventStoreAcceptanceTests
{
    private const int SmallPage = 3;

    // ---- reads in pages ----

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(2)]
    public async Task Reading_all_in_small_pages_returns_every_position_once_in_order(int count)
    {
        var reader = await OpenAsync(new StoreSettings(Clock, ReadPageSize: SmallPage));
        await AppendSinglesAsync(count);

        var all = await reader.ReadAllAsync(GlobalPosition.Start).ToListAsync();

        Assert.Equal(Positions(1, count), all.Select(e => e.Position));
    }

    [Theory]
    [InlineData(1, 2, 1, 2)]      // fewer than a page
    [InlineData(1, 3, 1, 3)]      // exactly a page
    [InlineData(2, 5, 2, 6)]      // more than a page, from inside the first
    [InlineData(5, 100, 5, 10)]   // from the middle of a page to the end of the log
    [InlineData(4, 6, 4, 9)]      // two whole pages from a page boundary
    [InlineData(0, 4, 1, 4)]      // position 0 reads from the first event
    [InlineData(10, 5, 10, 10)]   // the last event alone
    public async Task Reading_all_from_a_position_with_a_maximum_count_returns_exactly_that_slice_across_pages(
        long from, long maxCount, long first, long last)
    {
        var reader = await OpenAsync(new StoreSettings(Clock, ReadPageSize: SmallPage));
        await AppendSinglesAsync(10);

        var slice = await reader.ReadAllAsync(from, maxCount).ToListAsync();

        Assert.Equal(Positions(first, last), slice.Select(e => e.Position));
    }

    [Fact]
    public async Task Reading_past_the_head_or_zero_events_returns_nothing()
    {
        await AppendSinglesAsync(3);

        Assert.Empty(await Store.ReadAllAsync(4).ToListAsync());
        Assert.Empty(await Store.ReadAllAsync(1, 0).ToListAsync());
    }

    [Fact]
    public async Task Reads_and_subscriptions_reject_negative_positions_versions_counts_and_bad_stream_names()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadAllAsync(-1).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadAllAsync(1, -1).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadStreamAsync("s", Direction.Forwards, -1, 10).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadStreamAsync("s", Direction.Forwards, 0, -1).ToListAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadStreamAsync("a\u0000b", Direction.Forwards, 0, 10).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SubscribeAsync(-1).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SubscribeToAllAsync(-1).ToListAsync());
    }

    [Fact]
    public async Task Opening_a_store_with_a_read_page_size_of_zero_is_rejected_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => OpenAsync(new StoreSettings(Clock, ReadPageSize: 0)));

        Assert.Equal("ReadPageSize", error.ParamName);
    }

    // ---- subscriptions: pages and catching up ----

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public async Task A_subscription_delivers_every_position_once_across_pages_then_says_it_caught_up_once(int stored)
    {
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: SmallPage, SubscriptionBufferSize: 2, PollIntervalSeconds: 3600));
        await AppendSinglesAsync(stored);
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();

        var history = await TakeMessagesAsync(subscription, stored + 1);
        await Store.AppendToStreamAsync("live", ExpectedVersion.Any, _events.Events(5));
        var live = await TakeMessagesAsync(subscription, 6);

        Assert.Equal([.. Positions(1, stored).Select(p => "E" + p), "C" + stored], history);
        Assert.Equal([.. Positions(stored + 1, stored + 5).Select(p => "E" + p), "C" + (stored + 5)], live);
    }

    [Fact]
    public async Task A_subscription_from_a_checkpoint_inside_a_page_starts_right_after_it()
    {
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: SmallPage));
        await AppendSinglesAsync(10);
        await using var subscription = subscriber.SubscribeAsync(4).GetAsyncEnumerator();

        Assert.Equal(["E5", "E6", "E7", "E8", "E9", "E10", "C10"], await TakeMessagesAsync(subscription, 7));
    }

    [Fact]
    public async Task A_subscription_with_nothing_to_replay_says_at_once_that_it_caught_up_at_its_checkpoint()
    {
        await using var empty = Store.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["C0"], await TakeMessagesAsync(empty, 1));

        await AppendSinglesAsync(4);
        await using var atHead = Store.SubscribeAsync(4).GetAsyncEnumerator();
        Assert.Equal(["C4"], await TakeMessagesAsync(atHead, 1));
        await Store.AppendToStreamAsync("live", ExpectedVersion.Any, [_events.Event()]);
        Assert.Equal(["E5", "C5"], await TakeMessagesAsync(atHead, 2));
    }

    [Fact]
    public async Task A_caught_up_subscription_polls_quietly_and_says_caught_up_again_only_after_new_events()
    {
        var subscriber = await OpenAsync(new StoreSettings(Clock, PollIntervalSeconds: 3600));
        await AppendSinglesAsync(2);
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["E1", "E2", "C2"], await TakeMessagesAsync(subscription, 3));

        var next = subscription.MoveNextAsync().AsTask();
        for (var poll = 0; poll < 3; poll++)
        {
            Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync());
            Clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // three polls found nothing and told nothing
        Assert.False(next.IsCompleted);
        await Store.AppendToStreamAsync("live", ExpectedVersion.Any, [_events.Event()]);
        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal("E3", Describe(subscription.Current));
        Assert.Equal(["C3"], await TakeMessagesAsync(subscription, 1));
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // after a wake-up it waits again, it does not spin
    }

    [Fact]
    public async Task The_event_only_subscription_is_the_events_of_the_subscription_without_its_catch_up_signals()
    {
        await AppendSinglesAsync(3);
        var events = Store.SubscribeToAllAsync(GlobalPosition.Start).TakeAsync(4, Patience);

        await Store.AppendToStreamAsync("live", ExpectedVersion.Any, [_events.Event()]);

        Assert.Equal([1L, 2, 3, 4], (await events).Select(e => e.Position));
    }

    // ---- gaps and waits ----

    [Fact]
    public async Task While_a_gap_is_open_the_subscription_looks_again_after_the_reconnect_delay_and_once_caught_up_after_the_poll_interval()
    {
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 2, PollIntervalSeconds: 3600, ReconnectDelaySeconds: 7, GapTimeoutSeconds: 30));
        await AppendSinglesAsync(5);
        await ExecuteRawAsync("UPDATE events SET position = -2 WHERE position = 2"); // a commit not visible yet
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["E1"], await TakeMessagesAsync(subscription, 1));
        var next = subscription.MoveNextAsync().AsTask();

        var waitsWhileOpen = new List<TimeSpan>();
        for (var look = 0; look < 3; look++) // looks again at 7, 14 and 21 s: still open, not yet timed out
        {
            waitsWhileOpen.Add(await Clock.NextWaitAsync());
            Clock.Advance(TimeSpan.FromSeconds(7));
        }

        waitsWhileOpen.Add(await Clock.NextWaitAsync());
        Assert.False(next.IsCompleted);
        await ExecuteRawAsync("UPDATE events SET position = 2 WHERE position = -2"); // the commit becomes visible; no wake-up
        Clock.Advance(TimeSpan.FromSeconds(7)); // the look at 28 s finds it

        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(7), 4), waitsWhileOpen);
        Assert.Equal(["E2", "E3", "E4", "E5", "C5"], [Describe(subscription.Current), .. await TakeMessagesAsync(subscription, 4)]);
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync());
    }

    [Fact]
    public async Task A_missing_position_is_waited_for_until_just_before_the_gap_timeout_and_fails_the_subscription_at_it_naming_the_position()
    {
        // Looks are triggered by appends (wake-ups), so they happen exactly when the test says; the timed wait is long.
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 2, PollIntervalSeconds: 7200, ReconnectDelaySeconds: 3600, GapTimeoutSeconds: 30));
        await AppendSinglesAsync(5);
        await ExecuteRawAsync("DELETE FROM events WHERE position = @position", ("@position", 2L));
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["E1"], await TakeMessagesAsync(subscription, 1));
        var next = subscription.MoveNextAsync().AsTask();
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // the hole at 2 was seen at the start time

        Clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        await Store.AppendToStreamAsync("wake", ExpectedVersion.Any, [_events.Event()]);
        Assert.Equal(TimeSpan.FromHours(1), await Clock.NextWaitAsync()); // looked again one tick before the timeout: waits on
        Assert.False(next.IsCompleted);

        Clock.Advance(TimeSpan.FromTicks(1));
        await Store.AppendToStreamAsync("wake", ExpectedVersion.Any, [_events.Event()]);
        var error = await Assert.ThrowsAsync<MissingPositionException>(() => next.WaitAsync(Patience));

        Assert.Equal(2, error.Position);
        Assert.Contains("position 2", error.Message);
    }

    [Fact]
    public async Task A_subscription_waits_out_a_gap_that_closes_before_the_timeout_and_skips_nothing_when_the_next_opens()
    {
        var subscriber = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 2, PollIntervalSeconds: 3600, ReconnectDelaySeconds: 20, GapTimeoutSeconds: 30));
        await AppendSinglesAsync(5);
        await ExecuteRawAsync("UPDATE events SET position = -2 WHERE position = 2");
        await ExecuteRawAsync("UPDATE events SET position = -4 WHERE position = 4");
        await using var subscription = subscriber.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
        Assert.Equal(["E1"], await TakeMessagesAsync(subscription, 1));
        var next = subscription.MoveNextAsync().AsTask();

        // The hole at 2 opens at 0 s and closes by the look at 20 s; the hole at 4 is first seen then, so the look at
        // 40 s is 20 s into it, not 40 s: it is still waited for, and filled by the look at 60 s.
        Assert.Equal(TimeSpan.FromSeconds(20), await Clock.NextWaitAsync());
        await ExecuteRawAsync("UPDATE events SET position = 2 WHERE position = -2");
        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal(["E2", "E3"], [Describe(subscription.Current), .. await TakeMessagesAsync(subscription, 1)]);
        next = subscription.MoveNextAsync().AsTask();
        Assert.Equal(TimeSpan.FromSeconds(20), await Clock.NextWaitAsync());
        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(20), await Clock.NextWaitAsync());
        Assert.False(next.IsCompleted);
        await ExecuteRawAsync("UPDATE events SET position = 4 WHERE position = -4");
        Clock.Advance(TimeSpan.FromSeconds(20));

        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal(["E4", "E5", "C5"], [Describe(subscription.Current), .. await TakeMessagesAsync(subscription, 2)]);
    }

    // ---- callers' contexts ----

    [Fact]
    public async Task Reads_appends_and_subscriptions_never_resume_on_the_callers_synchronization_context()
    {
        var reader = await OpenAsync(new StoreSettings(Clock, ReadPageSize: 2));
        var context = new CountingSynchronizationContext();
        var received = new List<string>();

        // A caller that blocks on the store from a single-threaded context (sync-over-async on a UI thread): had the
        // store resumed on that context, the blocked caller would never run the continuation.
        await Task.Factory.StartNew(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            try
            {
                Block(Store.AppendToStreamAsync("ctx", ExpectedVersion.NoStream, _events.Events(5)));
                Drain(reader.ReadStreamAsync("ctx", Direction.Forwards, StreamVersion.Start, 10));
                Drain(reader.ReadAllAsync(GlobalPosition.Start));
                Block(reader.GetStreamMetadataAsync("ctx"));
                Block(reader.ReadHeadPositionAsync());
                var subscription = reader.SubscribeAsync(GlobalPosition.Start).GetAsyncEnumerator();
                while (received.Count < 6 && Block(subscription.MoveNextAsync().AsTask()))
                {
                    received.Add(Describe(subscription.Current));
                }

                Block(subscription.DisposeAsync().AsTask());
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(null);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(Patience);

        Assert.Equal(["E1", "E2", "E3", "E4", "E5", "C5"], received);
        Assert.Equal(0, context.Posted);
    }

    private static T Block<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Block(Task task) => task.GetAwaiter().GetResult();

    private static void Drain<T>(IAsyncEnumerable<T> items)
    {
        var enumerator = items.GetAsyncEnumerator();
        while (Block(enumerator.MoveNextAsync().AsTask()))
        {
        }

        Block(enumerator.DisposeAsync().AsTask());
    }

    /// <summary>Counts what is posted to it and runs it on the thread pool, so a test can see that nothing was.</summary>
    private sealed class CountingSynchronizationContext : SynchronizationContext
    {
        private int _posted;

        public int Posted => Volatile.Read(ref _posted);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posted);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("The store must not send to its caller's context.");
    }

    private async Task AppendSinglesAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Store.AppendToStreamAsync($"s-{i % 2}", ExpectedVersion.Any, [_events.Event()]);
        }
    }

    private static IEnumerable<long> Positions(long first, long last) => Enumerable.Range((int)first, (int)(last - first + 1)).Select(p => (long)p);

    /// <summary>A message in short: <c>E7</c> for the event at position 7, <c>C7</c> for caught up at 7.</summary>
    protected static string Describe(SubscriptionMessage message) => message switch
    {
        EventAppeared appeared => "E" + appeared.Event.Position,
        CaughtUp caughtUp => "C" + caughtUp.Position,
        _ => throw new ArgumentOutOfRangeException(nameof(message), message, "not a subscription message"),
    };

    protected static async Task<List<string>> TakeMessagesAsync(IAsyncEnumerator<SubscriptionMessage> subscription, int count)
    {
        var taken = new List<string>();
        for (var i = 0; i < count; i++)
        {
            Assert.True(await subscription.MoveNextAsync().AsTask().WaitAsync(Patience), $"the subscription ended after {taken.Count} messages");
            taken.Add(Describe(subscription.Current));
        }

        return taken;
    }
}
