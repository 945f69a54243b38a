namespace Failover.EventStore.Projections;

/// <summary>Feeds projections from the log: catch up in batches, rebuild from position 0, or run live.</summary>
public sealed class ProjectionRunner
{
    private readonly IEventStore _events;
    private readonly IProjectionStore _projections;
    private readonly int _batchSize;

    /// <param name="batchSize">Events per transaction while catching up or rebuilding.</param>
    public ProjectionRunner(IEventStore events, IProjectionStore projections, int batchSize = 5000)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(projections);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        (_events, _projections, _batchSize) = (events, projections, batchSize);
    }

    /// <summary>Applies every event after the projection's checkpoint, one transaction per batch; returns the new checkpoint.</summary>
    public async Task<long> CatchUpAsync(IProjection projection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projection);
        var checkpoint = await _projections.ReadCheckpointAsync(projection.Name, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            // Events stream from the log straight into the transaction: a batch is never held in memory as a whole.
            var batch = _events.ReadAllAsync(checkpoint + 1, _batchSize, cancellationToken);
            var next = await _projections.CommitAsync(projection, batch, checkpoint, cancellationToken).ConfigureAwait(false);
            if (next == checkpoint)
            {
                return checkpoint;
            }

            checkpoint = next;
        }
    }

    /// <summary>Clears the projection's documents and checkpoint, then replays the whole log into it.</summary>
    public async Task<long> RebuildAsync(IProjection projection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projection);
        await _projections.ResetAsync(projection.Name, cancellationToken).ConfigureAwait(false);
        return await CatchUpAsync(projection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Catches up, then applies new events as they are appended, one transaction each, until cancelled.</summary>
    public async Task RunAsync(IProjection projection, CancellationToken cancellationToken)
    {
        var checkpoint = await CatchUpAsync(projection, cancellationToken).ConfigureAwait(false);
        await foreach (var e in _events.SubscribeToAllAsync(checkpoint, cancellationToken).ConfigureAwait(false))
        {
            checkpoint = await _projections.CommitAsync(projection, new[] { e }.ToAsyncEnumerable(), checkpoint, cancellationToken).ConfigureAwait(false);
        }
    }
}
