using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Failover.EventStore;
using Failover.Service.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Api;

/// <summary>
/// One subscription to the log, shared by every <c>/api/stream</c> client: a client costs a bounded buffer, never a
/// database connection (on PostgreSQL a subscription holds one to LISTEN). At most <see cref="ApiSettings.MaxStreams"/>
/// clients at once. A client that resumes (<c>Last-Event-ID</c>) reads what it missed with one paged read, then the
/// live events; a client too slow to keep its buffer from filling is let go (its stream ends; it resumes).
/// </summary>
public sealed partial class LogBroadcast(IEventStore store, FailoverSettings settings, ILogger<LogBroadcast> log) : BackgroundService
{
    /// <summary>Events a client may fall behind the log by before it is let go.</summary>
    public const int ClientBuffer = 1024;

    /// <summary>How far back a client may resume; older history is paged from <c>/api/events</c>.</summary>
    public const long MaxResume = 10_000;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly HashSet<Channel<RecordedEvent>> _clients = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _position;

    private IEventStore Store => store;

    /// <summary>Clients connected now.</summary>
    public int Clients
    {
        get
        {
            lock (_lock)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>The last position of the log the broadcast has seen (the head when it started, before any event).</summary>
    public async Task<long> PositionAsync(CancellationToken cancellationToken)
    {
        await _started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            return _position;
        }
    }

    /// <summary>A place for one client, or null when <see cref="ApiSettings.MaxStreams"/> are connected.</summary>
    public Subscriber? TryJoin()
    {
        var channel = Channel.CreateBounded<RecordedEvent>(new BoundedChannelOptions(ClientBuffer) { SingleReader = true, SingleWriter = true });
        lock (_lock)
        {
            if (_clients.Count >= settings.Api.MaxStreams)
            {
                return null;
            }

            _clients.Add(channel);
            return new Subscriber(this, channel, _position);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_started.Task.IsCompleted)
                {
                    var head = await store.ReadHeadPositionAsync(stoppingToken).ConfigureAwait(false);
                    lock (_lock)
                    {
                        _position = head;
                    }

                    _started.TrySetResult();
                }

                long from;
                lock (_lock)
                {
                    from = _position;
                }

                await foreach (var e in store.SubscribeToAllAsync(from, stoppingToken).ConfigureAwait(false))
                {
                    Publish(e);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The log could not be followed (the store is down): every client's stream ends, and resumes when it reconnects.
                Failed(log, e);
                EndAll(e);
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void Publish(RecordedEvent e)
    {
        lock (_lock)
        {
            _position = e.Position;
            foreach (var client in _clients.Where(c => !c.Writer.TryWrite(e)).ToList())
            {
                client.Writer.TryComplete(new InvalidOperationException($"the client fell {ClientBuffer} events behind the log"));
                _clients.Remove(client);
            }
        }
    }

    private void EndAll(Exception reason)
    {
        lock (_lock)
        {
            foreach (var client in _clients)
            {
                client.Writer.TryComplete(reason);
            }

            _clients.Clear();
        }
    }

    private void Leave(Channel<RecordedEvent> channel)
    {
        lock (_lock)
        {
            _clients.Remove(channel);
        }
    }

    /// <summary>One client's place: the events after a position, stored ones first, then live ones, each once, in order.</summary>
    public sealed class Subscriber : IDisposable
    {
        private readonly LogBroadcast _broadcast;
        private readonly Channel<RecordedEvent> _channel;

        internal Subscriber(LogBroadcast broadcast, Channel<RecordedEvent> channel, long joinedAt) =>
            (_broadcast, _channel, JoinedAt) = (broadcast, channel, joinedAt);

        /// <summary>The broadcast's position when the client joined: later events reach its buffer.</summary>
        public long JoinedAt { get; }

        public async IAsyncEnumerable<RecordedEvent> ReadAsync(long after, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var last = after;
            if (after < JoinedAt)
            {
                await foreach (var e in _broadcast.Store.ReadAllAsync(after + 1, JoinedAt - after, cancellationToken).ConfigureAwait(false))
                {
                    last = e.Position;
                    yield return e;
                }
            }

            await foreach (var e in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (e.Position > last)
                {
                    last = e.Position;
                    yield return e;
                }
            }
        }

        public void Dispose() => _broadcast.Leave(_channel);
    }

    [LoggerMessage(LogLevel.Warning, "The live stream could not follow the log; its clients were disconnected and it tries again.")]
    private static partial void Failed(ILogger logger, Exception exception);
}
