namespace Failover.EventStore.Projections;

/// <summary>
/// A read model fed from the global log. Its document changes and its checkpoint commit in one transaction, so each
/// event takes effect exactly once even if the process dies between handling and checkpointing.
/// </summary>
public interface IProjection
{
    /// <summary>Stable name; keys the checkpoint and the documents.</summary>
    string Name { get; }

    /// <summary>Applies one event through the unit of work; must not append to the store.</summary>
    ValueTask ApplyAsync(RecordedEvent recorded, IDocumentSession documents, CancellationToken cancellationToken);
}

/// <summary>The adapter side of projections: checkpoints and JSON documents kept in the event store's database.</summary>
public interface IProjectionStore
{
    /// <summary>The last position the projection committed (0: none).</summary>
    Task<long> ReadCheckpointAsync(string projection, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: applies <paramref name="events"/> to the projection's documents and moves its checkpoint from
    /// <paramref name="expectedCheckpoint"/> to the last event's position; returns that position (or the expected
    /// checkpoint if there were no events). Nothing is kept if the projection throws.
    /// </summary>
    /// <exception cref="CheckpointConflictException">Another runner moved the checkpoint.</exception>
    Task<long> CommitAsync(
        IProjection projection, IAsyncEnumerable<RecordedEvent> events, long expectedCheckpoint, CancellationToken cancellationToken = default);

    /// <summary>Deletes the projection's documents and checkpoint in one transaction.</summary>
    Task ResetAsync(string projection, CancellationToken cancellationToken = default);

    /// <summary>A committed document, or null.</summary>
    Task<byte[]?> ReadDocumentAsync(string projection, string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Committed documents whose ids lie in [<paramref name="fromId"/>, <paramref name="toId"/>] in byte order of their
    /// UTF-8 ids, at most <paramref name="limit"/>, ascending or descending — e.g. rounds newest first. Ids made of a
    /// prefix and a fixed-width number list in numeric order.
    /// </summary>
    Task<IReadOnlyList<ProjectionDocument>> ReadDocumentsAsync(
        string projection, string fromId, string toId, int limit, bool descending, CancellationToken cancellationToken = default);
}

/// <summary>A read-model document as committed: its id and its UTF-8 JSON body.</summary>
public sealed record ProjectionDocument(string Id, byte[] Body);

/// <summary>A projection's checkpoint was not where its runner left it: two runners process the same projection.</summary>
public sealed class CheckpointConflictException : Exception
{
    public CheckpointConflictException(string projection, long expected, long actual)
        : base($"Projection '{projection}' expected its checkpoint at {expected} but it is at {actual}; is another runner processing it?")
    {
    }
}
