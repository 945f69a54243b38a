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
}

/// <summary>A projection's checkpoint was not where its runner left it: two runners process the same projection.</summary>
public sealed class CheckpointConflictException : Exception
{
    public CheckpointConflictException(string projection, long expected, long actual)
        : base($"Projection '{projection}' expected its checkpoint at {expected} but it is at {actual}; is another runner processing it?")
    {
    }
}
