namespace Failover.EventStore;

/// <summary>
/// The event store port, shaped like EventStoreDB's client. Stream versions start at 0; global positions are dense and
/// start at 1, so a checkpoint of 0 means "nothing processed yet".
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>
    /// Appends events to a stream in one transaction. Re-appending exactly an earlier append (same ids in the same
    /// order, same stream, type, metadata and payload) is a no-op returning the original result, whatever the expected
    /// version. Otherwise the expected version is checked before the ids: a writer that lost a race gets
    /// <see cref="WrongExpectedVersionException"/> even when the winner stored some of the same ids, re-reads, and
    /// appends what is still new.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">
    /// The stream is not at the expected version (and the batch is not exactly an earlier append).
    /// </exception>
    /// <exception cref="EventIdConflictException">
    /// The expected version holds but an event id is already stored: with different content, or the batch mixes stored
    /// and new ids, or is only part of an earlier append.
    /// </exception>
    Task<AppendResult> AppendToStreamAsync(
        string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default);

    /// <summary>Reads a stream from a version (inclusive) forwards or backwards; an unknown stream reads as empty.</summary>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string stream, Direction direction, long fromVersion, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Reads the global log from a position (inclusive), in position order.</summary>
    IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        long fromPosition, long maxCount = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every event after <paramref name="checkpoint"/>: first the stored ones (catch-up), then new ones as they are
    /// appended (live), each position exactly once and in order, as <see cref="EventAppeared"/>; and
    /// <see cref="CaughtUp"/> each time the reader has delivered everything stored when it looked (after delivering
    /// events, and once at the start when there is nothing to replay). A slow consumer holds the reader back (bounded
    /// buffer). Positions deleted by compaction (at or below the compacted-through mark, <see cref="ILogCompaction"/>)
    /// are skipped at once; any other missing position is waited for.
    /// </summary>
    /// <exception cref="MissingPositionException">A position stayed missing past the gap timeout (a damaged log).</exception>
    IAsyncEnumerable<SubscriptionMessage> SubscribeAsync(long checkpoint, CancellationToken cancellationToken = default);

    /// <summary>The events of <see cref="SubscribeAsync"/> alone, for consumers that need not know when they caught up.</summary>
    /// <exception cref="MissingPositionException">A position stayed missing past the gap timeout (a damaged log).</exception>
    IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long checkpoint, CancellationToken cancellationToken = default);

    /// <summary>The stream's creation time and last version, or null if it does not exist.</summary>
    Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default);

    /// <summary>The position of the last event in the log (0 if empty).</summary>
    Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default);
}
