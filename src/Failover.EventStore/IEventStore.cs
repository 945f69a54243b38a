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
    /// version.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">The stream is not at the expected version.</exception>
    /// <exception cref="EventIdConflictException">
    /// An event id is stored with different content, or the batch mixes stored and new ids, or is only part of an earlier append.
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
    /// appended (live), each position exactly once and in order. A slow consumer holds the reader back (bounded buffer).
    /// </summary>
    /// <exception cref="MissingPositionException">A position stayed missing past the gap timeout (a damaged log).</exception>
    IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long checkpoint, CancellationToken cancellationToken = default);

    /// <summary>The stream's creation time and last version, or null if it does not exist.</summary>
    Task<StreamMetadata?> GetStreamMetadataAsync(string stream, CancellationToken cancellationToken = default);

    /// <summary>The position of the last event in the log (0 if empty).</summary>
    Task<long> ReadHeadPositionAsync(CancellationToken cancellationToken = default);
}
