namespace Failover.Testing;

/// <summary>
/// A service's own loop (e.g. the process manager's <c>RunAsync</c>) run in the background by a test — the real loop,
/// not a test-only copy of it — with waits that surface the loop's failure instead of hanging on it.
/// </summary>
public sealed class BackgroundLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private bool _disposed;

    public BackgroundLoop(Func<CancellationToken, Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = Task.Run(() => run(_stop.Token));
    }

    /// <summary>
    /// Waits for <paramref name="reached"/> (e.g. "the loop has handled position N"). Throws what ended the loop if it
    /// ended first. A watchdog, not a synchronisation: a loop that has neither got there nor ended after a minute of
    /// real time waits for a fake clock that does not move while the test awaits it.
    /// </summary>
    public async Task WaitAsync(Task reached, string what)
    {
        ArgumentNullException.ThrowIfNull(reached);
        Task first;
        try
        {
            first = await Task.WhenAny(reached, _run).WaitAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"Still waiting for {what} after a minute of real time: the loop waits for the fake clock, which does not move while the test awaits it.", e);
        }

        if (first == reached)
        {
            await reached.ConfigureAwait(false);
            return;
        }

        await _run.ConfigureAwait(false);
        throw new InvalidOperationException($"The loop ended before {what}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Stopped, or it had failed already: the test saw that failure through WaitAsync.
        }

        _stop.Dispose();
    }
}
