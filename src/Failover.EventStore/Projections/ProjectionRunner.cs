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

    /// <summary>Catches up, then applies new events as they are appended, until cancelled.</summary>
    public Task RunAsync(IProjection projection, CancellationToken cancellationToken) =>
        RunAsync(projection, new ProjectionProgress(), cancellationToken);

    /// <summary>
    /// Catches up, then applies new events as they are appended, until cancelled; reports to <paramref name="progress"/>
    /// what it committed and when it caught up. Live events commit together up to the batch size, or as soon as the
    /// subscription has delivered everything stored.
    /// </summary>
    public async Task RunAsync(IProjection projection, ProjectionProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(progress);
        progress.Started();
        try
        {
            var checkpoint = await CatchUpAsync(projection, cancellationToken).ConfigureAwait(false);
            progress.Committed(checkpoint);
            var pending = new List<RecordedEvent>();
            await foreach (var message in _events.SubscribeAsync(checkpoint, cancellationToken).ConfigureAwait(false))
            {
                if (message is EventAppeared appeared)
                {
                    progress.Behind();
                    pending.Add(appeared.Event);
                    if (pending.Count < _batchSize)
                    {
                        continue;
                    }
                }

                if (pending.Count > 0)
                {
                    checkpoint = await _projections.CommitAsync(projection, pending.ToAsyncEnumerable(), checkpoint, cancellationToken)
                        .ConfigureAwait(false);
                    pending.Clear();
                    progress.Committed(checkpoint);
                }

                if (message is CaughtUp caughtUp)
                {
                    progress.ReachedHead(caughtUp.Position);
                }
            }
        }
        catch (Exception e)
        {
            progress.Ended(e);
            throw;
        }
    }
}
