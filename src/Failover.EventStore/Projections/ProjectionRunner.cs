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

    /// <summary>
    /// Applies every event after the projection's checkpoint, one transaction per batch; returns the new checkpoint.
    /// The next batch is read while the current one is applied and committed.
    /// </summary>
    public async Task<long> CatchUpAsync(IProjection projection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projection);
        var checkpoint = await _projections.ReadCheckpointAsync(projection.Name, cancellationToken).ConfigureAwait(false);
        var reading = ReadBatchAsync(checkpoint + 1, cancellationToken);
        try
        {
            while (true)
            {
                var batch = await reading.ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    return checkpoint;
                }

                reading = ReadBatchAsync(batch[^1].Position + 1, cancellationToken);
                checkpoint = await _projections.CommitAsync(projection, batch, checkpoint, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // A failed commit leaves a read in flight; let it finish so nothing outlives the call.
            await reading.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
    }

    private Task<List<RecordedEvent>> ReadBatchAsync(long fromPosition, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var batch = new List<RecordedEvent>(_batchSize);
            await foreach (var e in _events.ReadAllAsync(fromPosition, _batchSize, cancellationToken).ConfigureAwait(false))
            {
                batch.Add(e);
            }

            return batch;
        }, cancellationToken);

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
            checkpoint = await _projections.CommitAsync(projection, [e], checkpoint, cancellationToken).ConfigureAwait(false);
        }
    }
}
