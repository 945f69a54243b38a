using System.Text;
using System.Text.RegularExpressions;
using Failover.Host.Commands;

namespace Failover.Host.Tests;

/// <summary>
/// The console of a long-running command under test: collects what it prints and lets the test wait (bounded, in real
/// time) for the first line matching a pattern, e.g. the URL a server listens on.
/// </summary>
internal sealed class DemoConsole : IDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);
    private readonly WatchedWriter _out = new();
    private readonly StringWriter _error = new();

    public CliConsole Console => new(TextReader.Null, _out, _error);

    public string Out => _out.Text;

    public string Error => _error.ToString();

    /// <summary>
    /// The first printed line matching <paramref name="pattern"/>, once it is printed; if it is not printed within
    /// <paramref name="limit"/> (default one minute), a timeout that shows what was printed instead.
    /// </summary>
    public async Task<Match> LineAsync(Regex pattern, TimeSpan? limit = null)
    {
        var wait = limit ?? WaitLimit;
        try
        {
            return await _out.WaitForAsync(pattern).WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line matching {pattern} within {wait.TotalSeconds} s; printed:\n{Out}\nerrors:\n{Error}");
        }
    }

    public void Dispose()
    {
        _out.Dispose();
        _error.Dispose();
    }

    private sealed class WatchedWriter : TextWriter
    {
        private readonly Lock _gate = new();
        private readonly StringBuilder _text = new();
        private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                _text.Append(value);
                if (value == '\n')
                {
                    Notify();
                }
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public Task<Match> WaitForAsync(Regex pattern)
        {
            lock (_gate)
            {
                var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((pattern, found));
                Notify();
                return found.Task;
            }
        }

        private void Notify()
        {
            var text = _text.ToString();
            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Pattern.Match(text) is { Success: true } match)
                {
                    waiter.Found.TrySetResult(match);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
