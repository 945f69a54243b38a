namespace Failover.EventStore;

/// <summary>
/// How far a follower of the log (a subscriber that folds and acts on what it reads) has got: the last position it
/// finished with, and a wait for a later one — for read-your-writes, readiness and tests that drive the real loop.
/// Safe to use from any thread.
/// </summary>
public sealed class LogProgress
{
    private readonly Lock _lock = new();
    private readonly List<(long Position, TaskCompletionSource Reached)> _waiters = [];
    private long _position;

    /// <summary>The last position the follower finished with (0: none).</summary>
    public long Position
    {
        get
        {
            lock (_lock)
            {
                return _position;
            }
        }
    }

    /// <summary>Completes once the follower has finished with every event up to <paramref name="position"/>.</summary>
    public Task WaitForPositionAsync(long position, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_position >= position)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((position, reached));
            return reached.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The follower has finished with every event up to <paramref name="position"/>.</summary>
    public void Reached(long position)
    {
        List<TaskCompletionSource> reached;
        lock (_lock)
        {
            _position = Math.Max(_position, position);
            reached = [.. _waiters.Where(w => w.Position <= _position).Select(w => w.Reached)];
            _waiters.RemoveAll(w => w.Position <= _position);
        }

        foreach (var waiter in reached)
        {
            waiter.TrySetResult();
        }
    }
}
