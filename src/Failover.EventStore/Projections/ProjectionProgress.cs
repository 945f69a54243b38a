namespace Failover.EventStore.Projections;

/// <summary>
/// How far a running projection has got, for health checks ("projections caught up"), start-up ordering and
/// read-your-writes. Updated by <see cref="ProjectionRunner.RunAsync(IProjection, ProjectionProgress, CancellationToken)"/>;
/// safe to read from any thread.
/// </summary>
public sealed class ProjectionProgress
{
    private readonly TaskCompletionSource<long> _firstCaughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(long Position, TaskCompletionSource Reached)> _waiters = [];
    private readonly Lock _lock = new();
    private long _checkpoint;
    private bool _isCaughtUp;
    private Exception? _ended;

    /// <summary>The last position the projection committed (0: none).</summary>
    public long Checkpoint
    {
        get
        {
            lock (_lock)
            {
                return _checkpoint;
            }
        }
    }

    /// <summary>
    /// True when the projection has committed every event the log held when its subscription last reached the head;
    /// false before its first catch-up, while it holds delivered events not committed yet, and after the run ended.
    /// </summary>
    public bool IsCaughtUp
    {
        get
        {
            lock (_lock)
            {
                return _isCaughtUp;
            }
        }
    }

    /// <summary>
    /// Completes with the checkpoint the first time the projection catches up (history replayed, now live); fails with
    /// the run's error, or is cancelled, if the run ends before.
    /// </summary>
    public Task<long> CaughtUp => _firstCaughtUp.Task;

    /// <summary>
    /// Completes once the projection has committed <paramref name="position"/> (e.g. the position of an append whose
    /// effect a query must see); fails if the run ends before.
    /// </summary>
    public Task WaitForCheckpointAsync(long position, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        lock (_lock)
        {
            if (_checkpoint >= position)
            {
                return Task.CompletedTask;
            }

            if (_ended is not null)
            {
                return Task.FromException(new InvalidOperationException(
                    $"The projection stopped at position {_checkpoint}, before {position}.", _ended));
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((position, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    internal void Committed(long checkpoint)
    {
        List<TaskCompletionSource> reached;
        lock (_lock)
        {
            _checkpoint = checkpoint;
            reached = [.. _waiters.Where(w => w.Position <= checkpoint).Select(w => w.Reached)];
            _waiters.RemoveAll(w => w.Position <= checkpoint);
        }

        foreach (var waiter in reached)
        {
            waiter.TrySetResult();
        }
    }

    internal void Behind()
    {
        lock (_lock)
        {
            _isCaughtUp = false;
        }
    }

    internal void ReachedHead(long position)
    {
        lock (_lock)
        {
            // Everything up to the head was committed before the runner acted on the subscription's word.
            _isCaughtUp = _checkpoint >= position;
            if (!_isCaughtUp)
            {
                return;
            }
        }

        _firstCaughtUp.TrySetResult(position);
    }

    internal void Ended(Exception error)
    {
        List<TaskCompletionSource> waiting;
        lock (_lock)
        {
            (_isCaughtUp, _ended) = (false, error);
            waiting = [.. _waiters.Select(w => w.Reached)];
            _waiters.Clear();
        }

        if (error is OperationCanceledException cancelled)
        {
            _firstCaughtUp.TrySetCanceled(cancelled.CancellationToken);
        }
        else
        {
            _firstCaughtUp.TrySetException(error);
        }

        foreach (var waiter in waiting)
        {
            waiter.TrySetException(new InvalidOperationException("The projection stopped before reaching the awaited position.", error));
        }
    }
}
