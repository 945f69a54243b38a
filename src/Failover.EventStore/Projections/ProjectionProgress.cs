namespace Failover.EventStore.Projections;

/// <summary>
/// How far a projection has got, for health checks ("projections caught up"), start-up ordering and read-your-writes.
/// Updated by <see cref="ProjectionRunner.RunAsync(IProjection, ProjectionProgress, CancellationToken)"/>; one instance
/// may follow a projection across runs (a supervisor restarting it after a failure). Safe to read from any thread.
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
    /// True while a run has committed every event the log held when its subscription last reached the head; false before
    /// the first catch-up, while delivered events wait to be committed, and when no run is going.
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
    /// Completes with the checkpoint the first time a run catches up (history replayed, now live). A failed run does not
    /// fail it, since the projection may be run again: wait for it with a timeout or a token.
    /// </summary>
    public Task<long> CaughtUp => _firstCaughtUp.Task;

    /// <summary>
    /// Completes once the projection has committed <paramref name="position"/> (e.g. the position of an append whose
    /// effect a query must see); fails if the run ends first, or has ended and was not started again.
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
                return Task.FromException(Stopped(position, _ended));
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((position, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    internal void Started()
    {
        lock (_lock)
        {
            _ended = null;
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
            // The runner commits what it holds before it acts on the subscription's word, so this holds; checked anyway.
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
        List<(long Position, TaskCompletionSource Reached)> waiting;
        lock (_lock)
        {
            (_isCaughtUp, _ended) = (false, error);
            waiting = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var (position, reached) in waiting)
        {
            reached.TrySetException(Stopped(position, error));
        }
    }

    private InvalidOperationException Stopped(long position, Exception error) =>
        new($"Projection run stopped at position {_checkpoint}, before {position}: {error.Message}", error);
}
