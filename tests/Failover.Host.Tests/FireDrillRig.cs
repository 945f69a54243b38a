using System.Threading.Channels;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Transactions;
using Failover.Host.Demo;
using Failover.Simulator;
using Failover.Simulator.Http;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Host.Tests;

/// <summary>
/// A fire drill against the in-process simulator on a fake clock: no socket, no sleep. The clock moves one poll
/// interval each time the drill waits for its next poll, so the drill sees every block as it would in real time.
/// </summary>
internal sealed class FireDrillRig
{
    private static readonly TimeSpan PollWaitLimit = TimeSpan.FromSeconds(10);
    private readonly PollWatchingClock _clock = new(TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs));
    private readonly List<PackedTransaction> _pushes = [];

    public FireDrillRig(ConsensusMode mode)
    {
        Simulator = new ChainSimulator(new SimulationOptions { Consensus = mode, Seed = "drill" }, _clock);
        Plan = DrillPlan.ForSimulation(Simulator.Roster);
    }

    public ChainSimulator Simulator { get; }

    public DrillPlan Plan { get; set; }

    /// <summary>The drill's fault injection: by default it really takes the simulator's node down.</summary>
    public IFaultInjector? Faults { get; set; }

    public List<DrillEvent> Timeline { get; } = [];

    /// <summary>The bodies of every push_transaction the drill sent.</summary>
    public IReadOnlyList<PackedTransaction> Pushes => _pushes;

    public async Task<DrillOutcome> RunAsync()
    {
        using var http = new HttpClient(new PushRecorder(new InProcessChainHandler(Simulator, _clock), _pushes));
        var chain = new ChainApiClient(http, new ChainApiOptions { BaseAddress = new Uri("http://simulator/"), TimeProvider = _clock });
        var drill = new FireDrill(chain, _clock, Faults ?? new SimulatorFaults(Simulator), Plan, Timeline.Add);
        var run = drill.RunAsync(CancellationToken.None);
        while (!run.IsCompleted)
        {
            using var limit = new CancellationTokenSource(PollWaitLimit);
            var armed = _clock.NextPollAsync(limit.Token).AsTask();
            if (await Task.WhenAny(run, armed) == run)
            {
                break;
            }

            await armed;
            _clock.Advance(Plan.PollInterval);
        }

        return await run;
    }

    /// <summary>A fake clock that reports each timer armed for the drill's poll interval.</summary>
    private sealed class PollWatchingClock(TimeSpan pollInterval) : FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
        private readonly Channel<bool> _polls = Channel.CreateUnbounded<bool>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime == pollInterval)
            {
                _polls.Writer.TryWrite(true);
            }

            return timer;
        }

        public ValueTask<bool> NextPollAsync(CancellationToken cancellationToken) => _polls.Reader.ReadAsync(cancellationToken);
    }

    /// <summary>Passes every request on and keeps the body of each push_transaction.</summary>
    private sealed class PushRecorder(HttpMessageHandler inner, List<PackedTransaction> bodies) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/push_transaction", StringComparison.Ordinal))
            {
                var body = await request.Content!.ReadAsStringAsync(cancellationToken);
                lock (bodies)
                {
                    bodies.Add(System.Text.Json.JsonSerializer.Deserialize<PackedTransaction>(body)!);
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
