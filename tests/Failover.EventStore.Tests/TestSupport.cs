using System.Text;
using System.Text.Json.Serialization;
using Failover.EventStore.Projections;
using Microsoft.Extensions.Time.Testing;

namespace Failover.EventStore.Tests;

/// <summary>What a test asks of the store it opens.</summary>
public sealed record StoreSettings(TimeProvider Clock, int ReadPageSize = 1000, int SubscriptionBufferSize = 1000, double PollIntervalSeconds = 1,
    double GapTimeoutSeconds = 30);

internal static class TestClock
{
    public static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, 123, 456, TimeSpan.Zero);

    public static FakeTimeProvider Create() => new(Start);
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
