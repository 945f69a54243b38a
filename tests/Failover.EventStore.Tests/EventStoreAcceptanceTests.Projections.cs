using Failover.EventStore.Projections;

namespace Failover.EventStore.Tests;

/// <summary>A running projection says when it has caught up; projection work does not hold appends back.</summary>
public abstract partial class EventStoreAcceptanceTests
{
    [Fact]
    public async Task A_running_projection_reports_when_it_has_caught_up_and_each_checkpoint_it_commits()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(7));
        var projection = new CountingProjection();
        var progress = new ProjectionProgress();
        using var stop = new CancellationTokenSource();

        var running = new ProjectionRunner(Store, Projections, batchSize: 3).RunAsync(projection, progress, stop.Token);
        var caughtUpAt = await progress.CaughtUp.WaitAsync(Patience);
        var (checkpointThen, caughtUpThen, countThen) = (progress.Checkpoint, progress.IsCaughtUp, await CountAsync(projection, "total"));
        var appended = await Store.AppendToStreamAsync("b", ExpectedVersion.Any, _events.Events(4));
        await progress.WaitForCheckpointAsync(appended.Position).WaitAsync(Patience);
        var countLater = await CountAsync(projection, "total");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.Equal((7L, 7L, true, 7L), (caughtUpAt, checkpointThen, caughtUpThen, countThen));
        Assert.Equal(11, countLater);
        Assert.Equal(11, progress.Checkpoint);
        Assert.False(progress.IsCaughtUp); // the run ended
        await Assert.ThrowsAsync<InvalidOperationException>(() => progress.WaitForCheckpointAsync(12));
    }

    [Fact]
    public async Task A_running_projection_over_an_empty_log_is_caught_up_at_position_0()
    {
        var progress = new ProjectionProgress();
        using var stop = new CancellationTokenSource();

        var running = new ProjectionRunner(Store, Projections).RunAsync(new CountingProjection(), progress, stop.Token);

        Assert.Equal(0, await progress.CaughtUp.WaitAsync(Patience));
        Assert.True(progress.IsCaughtUp);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_failed_run_fails_whoever_waits_for_its_checkpoint_and_a_restart_with_the_same_progress_catches_up()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(3));
        var projection = new CountingProjection { FailOnceAfterHandling = 2 };
        var progress = new ProjectionProgress();
        var runner = new ProjectionRunner(Store, Projections);
        var waiting = progress.WaitForCheckpointAsync(3);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(projection, progress, CancellationToken.None).WaitAsync(Patience));
        var waitFailure = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting);
        var (checkpointAfterFailure, caughtUpAfterFailure) = (progress.Checkpoint, progress.IsCaughtUp);
        using var stop = new CancellationTokenSource();
        var restarted = runner.RunAsync(projection, progress, stop.Token);
        var caughtUpAt = await progress.CaughtUp.WaitAsync(Patience);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => restarted);

        Assert.Same(error, waitFailure.InnerException);
        Assert.Contains("before 3", waitFailure.Message);
        Assert.Equal((0L, false), (checkpointAfterFailure, caughtUpAfterFailure));
        Assert.Equal(3, caughtUpAt);
        Assert.Equal(3, await CountAsync(projection, "total"));
    }

    [Fact]
    public async Task An_append_completes_while_a_projection_is_applying_a_batch()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(6));
        var projection = new PausingProjection(pauseAt: 4);
        var catchingUp = new ProjectionRunner(Store, Projections, batchSize: 5).CatchUpAsync(projection);
        await projection.Paused.WaitAsync(Patience);

        var appended = await Store.AppendToStreamAsync("live", ExpectedVersion.Any, [_events.Event()]).WaitAsync(Patience);
        projection.Resume();

        Assert.Equal(7, appended.Position);
        Assert.Equal(7, await catchingUp.WaitAsync(Patience));
        Assert.Equal(7, await CountAsync(projection, "total"));
    }

    [Fact]
    public async Task A_runner_whose_batch_another_runner_committed_while_it_applied_it_cannot_commit_it()
    {
        await Store.AppendToStreamAsync("a", ExpectedVersion.Any, _events.Events(4));
        var slow = new PausingProjection(pauseAt: 2);
        var slowBatch = Projections.CommitAsync(slow, Store.ReadAllAsync(1, 4), 0);
        await slow.Paused.WaitAsync(Patience);

        var fast = await Projections.CommitAsync(new PausingProjection(pauseAt: 0), Store.ReadAllAsync(1, 4), 0).WaitAsync(Patience);
        slow.Resume();

        Assert.Equal(4, fast);
        await Assert.ThrowsAsync<CheckpointConflictException>(() => slowBatch.WaitAsync(Patience));
        Assert.Equal(4, await Projections.ReadCheckpointAsync(slow.Name));
        Assert.Equal(4, await CountAsync(slow, "total"));
    }

    /// <summary>Counts like <see cref="CountingProjection"/>, but stops inside <c>ApplyAsync</c> at one position until resumed.</summary>
    private sealed class PausingProjection(long pauseAt) : IProjection
    {
        private readonly CountingProjection _counting = new("pausing");
        private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => _counting.Name;

        public Task Paused => _paused.Task;

        public void Resume() => _resumed.SetResult();

        public async ValueTask ApplyAsync(RecordedEvent recorded, IDocumentSession documents, CancellationToken cancellationToken)
        {
            await _counting.ApplyAsync(recorded, documents, cancellationToken);
            if (recorded.Position == pauseAt)
            {
                _paused.SetResult();
                await _resumed.Task.WaitAsync(cancellationToken);
            }
        }
    }
}
