using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Failover.EventStore;

/// <summary>What the adapters share: paging through the log, catch-up-then-live subscriptions and compaction's checks.</summary>
public abstract class EventStoreBase : IEventStore, ILogCompaction
{
    private readonly EventStoreOptions _options;

    private protected EventStoreBase(EventStoreOptions options)
    {
        options.Validate();
        _options = options;
    }

    public abstract Task<AppendResult> AppendToStreamAsync(
        string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default);

    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string stream, Direction direction, long fromVersion, int maxCount, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StreamName.Validate(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(fromVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var events = await QueryEventsAsync(EventRows.ReadStreamSql(direction), cancellationToken, stream, fromVersion, maxCount)
            .ConfigureAwait(false);
        foreach (var e in events)
        {
            yield return e;
        }
    }

    public abstract Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default);

    public abstract Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();

    public Task CompactAsync(
        long fromPosition, long toPosition, IReadOnlyCollection<string> types, long expectedCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromPosition, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(toPosition, fromPosition);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedCount);
        if (types.Count == 0)
        {
            throw new ArgumentException("A compaction needs at least one event type.", nameof(types));
        }

        foreach (var type in types)
        {
            if (!EventTypeName.IsValid(type))
            {
                throw new ArgumentException($"'{type}' is not an event type name (e.g. 'block-produced.v1'): it matches no event.", nameof(types));
            }
        }

        return CompactCoreAsync(fromPosition, toPosition, [.. types.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            expectedCount, cancellationToken);
    }

    public abstract Task<long> ReadCompactedThroughAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="CompactAsync"/> with valid arguments (distinct types): in one write transaction, refuses a
    /// <paramref name="toPosition"/> at or past the head (<see cref="ThrowIfHeadCompacted"/>), deletes, checks the count
    /// (<see cref="CompactionMismatchException"/>, rolled back) and raises the mark.
    /// </summary>
    private protected abstract Task CompactCoreAsync(
        long fromPosition, long toPosition, string[] types, long expectedCount, CancellationToken cancellationToken);

    /// <summary>
    /// Appends chain from the last stored event and number after it: were the head deleted, the next append would reuse
    /// its position. And a position is compacted only once it and everything before it are visible to every reader (the
    /// head was read committed), so a subscription never skips a commit that is still to become visible.
    /// </summary>
    private protected static void ThrowIfHeadCompacted(long toPosition, long head)
    {
        if (toPosition >= head)
        {
            throw new ArgumentOutOfRangeException(nameof(toPosition), toPosition,
                $"A compaction must end below the head of the log (position {head}): the head is never compacted.");
        }
    }

    /// <summary>Runs a query selecting <see cref="EventRows.Columns"/>, binding the values to $1, $2, ….</summary>
    private protected abstract Task<IReadOnlyList<RecordedEvent>> QueryEventsAsync(
        string sql, CancellationToken cancellationToken, params object[] parameters);

    /// <summary>Up to <paramref name="maxCount"/> events from <paramref name="fromPosition"/> (inclusive), in order.</summary>
    private Task<IReadOnlyList<RecordedEvent>> ReadAllPageAsync(long fromPosition, int maxCount, CancellationToken cancellationToken) =>
        QueryEventsAsync(EventRows.ReadAllPageSql, cancellationToken, fromPosition, maxCount);

    /// <summary>Opens what wakes a live subscription when events may have been appended.</summary>
    private protected abstract Task<IAppendListener> ListenAsync(CancellationToken cancellationToken);

    /// <summary>Failures a subscription survives by reconnecting and resuming after its last delivered position.</summary>
    private protected virtual bool IsTransient(Exception exception) => false;

    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        long fromPosition, long maxCount = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var next = Math.Max(fromPosition, 1);
        var remaining = maxCount;
        while (remaining > 0)
        {
            var wanted = (int)Math.Min(remaining, _options.ReadPageSize);
            var page = await ReadAllPageAsync(next, wanted, cancellationToken).ConfigureAwait(false);
            foreach (var e in page)
            {
                yield return e;
            }

            if (page.Count < wanted)
            {
                yield break;
            }

            next = page[^1].Position + 1;
            remaining -= page.Count;
        }
    }

    public async IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(
        long checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in SubscribeAsync(checkpoint, cancellationToken).ConfigureAwait(false))
        {
            if (message is EventAppeared appeared)
            {
                yield return appeared.Event;
            }
        }
    }

    public async IAsyncEnumerable<SubscriptionMessage> SubscribeAsync(
        long checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkpoint);
        var buffer = Channel.CreateBounded<SubscriptionMessage>(_options.SubscriptionBufferSize); // a full buffer makes the reader wait
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Run(() => FillAsync(checkpoint, buffer.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var message in buffer.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return message;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads pages after the last delivered position into the buffer and says when it reached the head; waits for a
    /// wake-up or poll when caught up, skips positions deleted by compaction (at or below the compacted-through mark),
    /// and fails with <see cref="MissingPositionException"/> when a position above the mark stays missing past the gap
    /// timeout.
    /// </summary>
    private async Task FillAsync(long checkpoint, ChannelWriter<SubscriptionMessage> buffer, CancellationToken cancellationToken)
    {
        var clock = _options.TimeProvider;
        var next = checkpoint + 1;
        long? caughtUpAt = null;
        long compactedThrough = 0; // the compacted-through mark as last read
        (long Position, long Since)? gap = null;
        IAppendListener? listener = null;
        try
        {
            while (true)
            {
                try
                {
                    listener ??= await ListenAsync(cancellationToken).ConfigureAwait(false);
                    listener.Arm();
                    var page = await ReadAllPageAsync(next, _options.ReadPageSize, cancellationToken).ConfigureAwait(false);
                    var contiguous = true;
                    foreach (var e in page)
                    {
                        // Positions are dense: a hole was deleted by compaction (at or below the mark: it never comes back,
                        // skip it at once) or is a commit not yet visible (above the mark: wait rather than skip it).
                        while (e.Position != next && contiguous)
                        {
                            if (next <= compactedThrough)
                            {
                                next = Math.Min(e.Position, compactedThrough + 1);
                            }
                            else
                            {
                                // The mark only rises: it is read again only for a hole above what it was.
                                var mark = await ReadCompactedThroughAsync(cancellationToken).ConfigureAwait(false);
                                contiguous = mark >= next;
                                compactedThrough = Math.Max(compactedThrough, mark);
                            }
                        }

                        if (!contiguous)
                        {
                            break;
                        }

                        await buffer.WriteAsync(new EventAppeared(e), cancellationToken).ConfigureAwait(false);
                        next++;
                    }

                    if (contiguous && page.Count == _options.ReadPageSize)
                    {
                        continue;
                    }

                    if (contiguous)
                    {
                        if (caughtUpAt != next - 1)
                        {
                            caughtUpAt = next - 1;
                            await buffer.WriteAsync(new CaughtUp(next - 1), cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else if (gap?.Position != next) // a hole that closed is never seen at the same position again
                    {
                        gap = (next, clock.GetTimestamp());
                    }
                    else if (clock.GetElapsedTime(gap.Value.Since) >= _options.GapTimeout)
                    {
                        throw new MissingPositionException(next, _options.GapTimeout);
                    }

                    // Caught up: wait for a wake-up, polling now and then. A hole: look again soon, it is about to fill.
                    await listener.WaitAsync(contiguous ? _options.PollInterval : _options.ReconnectDelay, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsTransient(e))
                {
                    if (listener is not null)
                    {
                        await listener.DisposeAsync().ConfigureAwait(false);
                        listener = null;
                    }

                    await Task.Delay(_options.ReconnectDelay, clock, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            // Once cancelled, the consumer has stopped reading (or was cancelled itself): there is nobody to tell.
            if (!cancellationToken.IsCancellationRequested)
            {
                buffer.TryComplete(e);
            }
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Wakes a live subscription when new events may have been committed.</summary>
internal interface IAppendListener : IAsyncDisposable
{
    /// <summary>Called before each read, so a commit after the read is never missed by the next wait.</summary>
    void Arm();

    /// <summary>Returns when an append may have happened since <see cref="Arm"/>, or after <paramref name="timeout"/>.</summary>
    Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>A pulse that completes the current waiters' task and starts a new one.</summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource _next = NewSource();

    public Task Current => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed class InProcessListener(AppendSignal signal, TimeProvider clock) : IAppendListener
{
    private Task _armed = signal.Current;

    public void Arm() => _armed = signal.Current;

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _armed.WaitAsync(timeout, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Polling: look again even without a wake-up.
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
