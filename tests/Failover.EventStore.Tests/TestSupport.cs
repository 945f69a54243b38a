using System.Text;
using System.Text.Json.Serialization;
using System.Diagnostics;
using Failover.EventStore.Projections;
using Microsoft.Extensions.Time.Testing;

namespace Failover.EventStore.Tests;

/// <summary>What a test asks of the store it opens.</summary>
public sealed record StoreSettings(TimeProvider Clock, int ReadPageSize = 1000, int SubscriptionBufferSize = 1000, double PollIntervalSeconds = 1,
    double GapTimeoutSeconds = 30, double ReconnectDelaySeconds = 0.05);

/// <summary>
/// A fake clock that reports every wait armed on it (a timer: <c>Task.Delay</c>, <c>WaitAsync</c> with a timeout), so a
/// test sees which wait the code under test is in and advances time exactly when something waits — no real sleeps.
/// </summary>
public sealed class TestClock() : FakeTimeProvider(StartTime)
{
    public static readonly DateTimeOffset StartTime = new(2026, 1, 2, 3, 4, 5, 123, 456, TimeSpan.Zero);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Queue<TimeSpan> _armed = new();
    private TaskCompletionSource _wasArmed = NewSignal();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            TaskCompletionSource wasArmed;
            lock (_lock)
            {
                _armed.Enqueue(dueTime);
                (wasArmed, _wasArmed) = (_wasArmed, NewSignal());
            }

            wasArmed.SetResult();
        }

        return timer;
    }

    /// <summary>The duration of the next wait armed since the last one taken (in the order armed); fails after a bounded real-time wait.</summary>
    public async Task<TimeSpan> NextWaitAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var (armed, wasArmed) = TakeArmed();
            if (armed is { } wait)
            {
                return wait;
            }

            try
            {
                await wasArmed.WaitAsync(Patience - deadline.Elapsed);
            }
            catch (Exception e) when (e is TimeoutException or ArgumentOutOfRangeException)
            {
                throw new TimeoutException($"Nothing armed a wait on the clock within {Patience}.");
            }
        }
    }

    /// <summary>Forgets the waits armed so far, so <see cref="NextWaitAsync"/> reports only later ones.</summary>
    public void ForgetWaits()
    {
        lock (_lock)
        {
            _armed.Clear();
        }
    }

    /// <summary>Whenever something waits on this clock, moves time on by that wait, until <paramref name="task"/> completes.</summary>
    public async Task AdvanceUntilAsync(Task task)
    {
        var deadline = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            Assert.True(deadline.Elapsed < Patience, $"The awaited step did not happen within {Patience}.");
            var (armed, wasArmed) = TakeArmed();
            if (armed is { } wait)
            {
                Advance(wait);
            }
            else
            {
                await Task.WhenAny(task, wasArmed).WaitAsync(Patience);
            }
        }
    }

    private (TimeSpan? Armed, Task WasArmed) TakeArmed()
    {
        lock (_lock)
        {
            return (_armed.TryDequeue(out var wait) ? wait : null, _wasArmed.Task);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Deterministic event ids and small JSON events.</summary>
internal sealed class EventFactory
{
    private int _next;

    public Guid NextId() => new(Interlocked.Increment(ref _next), 0x4641, 0x494c, 0, 0, 0, 0, 0, 0, 0, 1);

    public EventData Event(string json = "{\"n\":1}", string type = "thing-happened.v1", EventMetadata? metadata = null) =>
        new(NextId(), type, Encoding.UTF8.GetBytes(json), metadata);

    public EventData[] Events(int count) => [.. Enumerable.Range(0, count).Select(i => Event($"{{\"n\":{i}}}"))];
}

internal static class AsyncEnumerableExtensions
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source, CancellationToken cancellationToken = default)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(cancellationToken))
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Takes the first <paramref name="count"/> items, failing after a bounded wait.</summary>
    public static async Task<List<T>> TakeAsync<T>(this IAsyncEnumerable<T> source, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var list = new List<T>();
        try
        {
            await foreach (var item in source.WithCancellation(cts.Token))
            {
                list.Add(item);
                if (list.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"Received {list.Count} of {count} items within {timeout}.");
        }

        return list;
    }
}

public sealed record Counter(long Count);

[JsonSerializable(typeof(Counter))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>Counts events per stream and in total; can fail once after handling a given position (a crash before commit).</summary>
internal sealed class CountingProjection(string name = "counting") : IProjection
{
    public string Name => name;

    public long? FailOnceAfterHandling { get; set; }

    public async ValueTask ApplyAsync(RecordedEvent recorded, IDocumentSession documents, CancellationToken cancellationToken)
    {
        await Increment(documents, "total", cancellationToken);
        await Increment(documents, "stream:" + recorded.Stream, cancellationToken);
        if (recorded.Position == FailOnceAfterHandling)
        {
            FailOnceAfterHandling = null;
            throw new InvalidOperationException($"simulated crash after handling position {recorded.Position}");
        }
    }

    private static async ValueTask Increment(IDocumentSession documents, string id, CancellationToken cancellationToken)
    {
        var counter = await documents.LoadAsync(id, TestJsonContext.Default.Counter, cancellationToken) ?? new Counter(0);
        documents.Store(id, counter with { Count = counter.Count + 1 }, TestJsonContext.Default.Counter);
    }
}
