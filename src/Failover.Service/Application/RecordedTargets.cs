using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Service.Storage;

namespace Failover.Service.Application;

/// <summary>The data centers the log records for a producer: those of its latest decision's evidence (the configuration then).</summary>
/// <param name="Position">The global position of the decision they were read from.</param>
public sealed record RecordedDataCenters(IReadOnlyList<string> Names, long Position, DateTimeOffset DecidedAt);

/// <summary>
/// What the log knows of the producers and data centers an operator command may name, read from a bounded part of it
/// (a command run from a shell must not scan a year of blocks). Used by <c>failover automation|switch</c> to refuse a
/// mistyped producer or data center before anything is recorded; the service's own API takes both from its configuration.
/// </summary>
public static class RecordedTargets
{
    /// <summary>Events read at each end of the global log to find the chains it records.</summary>
    public const int LogWindow = 1000;

    /// <summary>
    /// The newest events of a chain stream read for the producers scheduled now: every slot of a round is a produced or a
    /// missed block naming its producer, and 2,000 events span several rounds of any schedule (at most 21 × 12 = 252 slots).
    /// </summary>
    public const int ChainWindow = 2000;

    /// <summary>The first events of a chain stream read: the observer records the schedule it finds first (version 0).</summary>
    public const int ChainStart = 16;

    private static readonly string ChainPrefix = Streams.Chain(string.Empty);

    /// <summary>
    /// Where the log shows <paramref name="producer"/>, or null if it does not: its process stream
    /// <c>failover-&lt;producer&gt;</c> exists (a decision or an operator command was recorded), or it is in a producer
    /// schedule the observer recorded in a <c>chain-&lt;id&gt;</c> stream — the first one (recorded as soon as the service
    /// observes the chain, so this works on a store the service has just started on) or among the producers of the newest
    /// <see cref="ChainWindow"/> blocks and missed slots.
    /// </summary>
    /// <param name="chainId">A chain the caller knows of (from the configuration), looked at besides those the log names.</param>
    public static async Task<string?> FindProducerAsync(IEventStore store, string producer, string? chainId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(producer);
        var process = Streams.Failover(producer);
        if (await store.GetStreamMetadataAsync(process, cancellationToken).ConfigureAwait(false) is { } metadata)
        {
            return $"its process stream {process} holds {metadata.LastVersion + 1} event(s)";
        }

        foreach (var chain in await ChainIdsAsync(store, chainId, cancellationToken).ConfigureAwait(false))
        {
            var stream = Streams.Chain(chain);
            if (await store.GetStreamMetadataAsync(stream, cancellationToken).ConfigureAwait(false) is not { } chainStream)
            {
                continue;
            }

            var first = store.ReadStreamAsync(stream, Direction.Forwards, StreamVersion.Start, ChainStart, cancellationToken);
            var newest = store.ReadStreamAsync(stream, Direction.Backwards, chainStream.LastVersion, ChainWindow, cancellationToken);
            foreach (var events in new[] { first, newest })
            {
                await foreach (var recorded in events.ConfigureAwait(false))
                {
                    if (Names(DomainEvents.TryDeserialize(recorded)).Contains(producer, StringComparer.Ordinal))
                    {
                        return $"it is a scheduled producer of the chain recorded in {stream}";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The data centers recorded with the latest decision (triggered or suppressed) in <paramref name="producer"/>'s
    /// process stream: the evidence of every decision lists every configured data center. Null when no decision is recorded.
    /// </summary>
    public static async Task<RecordedDataCenters?> DataCentersAsync(IEventStore store, string producer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(producer);
        var stream = Streams.Failover(producer);
        if (await store.GetStreamMetadataAsync(stream, cancellationToken).ConfigureAwait(false) is not { } metadata)
        {
            return null;
        }

        const int page = 500;
        for (var from = metadata.LastVersion; from >= 0; from -= page)
        {
            await foreach (var recorded in store.ReadStreamAsync(stream, Direction.Backwards, from, page, cancellationToken).ConfigureAwait(false))
            {
                switch (DomainEvents.TryDeserialize(recorded))
                {
                    case FailoverTriggered t:
                        return new RecordedDataCenters([.. t.Evidence.DataCenters.Select(d => d.Name)], recorded.Position, t.DecidedAt);
                    case FailoverSuppressed s:
                        return new RecordedDataCenters([.. s.Evidence.DataCenters.Select(d => d.Name)], recorded.Position, s.DecidedAt);
                }
            }
        }

        return null;
    }

    /// <summary>The chains the log records: the chain streams of the events at either end of the log.</summary>
    private static async Task<IReadOnlyList<string>> ChainIdsAsync(IEventStore store, string? configured, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        if (configured is not null)
        {
            ids.Add(configured);
        }

        var head = await store.ReadHeadPositionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var from in new[] { 1L, Math.Max(LogWindow + 1L, head - LogWindow + 1) })
        {
            if (from > head)
            {
                continue;
            }

            await foreach (var recorded in store.ReadAllAsync(from, LogWindow, cancellationToken).ConfigureAwait(false))
            {
                var chain = recorded.Stream.StartsWith(ChainPrefix, StringComparison.Ordinal) ? recorded.Stream[ChainPrefix.Length..] : null;
                if (chain is not null && !ids.Contains(chain, StringComparer.Ordinal))
                {
                    ids.Add(chain);
                }
            }
        }

        return ids;
    }

    /// <summary>The producers a chain event names as scheduled.</summary>
    private static IEnumerable<string> Names(object? e) => e switch
    {
        ProducerScheduleChanged s => s.Producers.Select(p => p.Producer),
        BlockProduced b => [b.Producer],
        BlockMissed m => [m.ScheduledProducer],
        _ => [],
    };
}
