using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Service.Tests;
using Failover.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Failover.BlocksLost.Benchmarks;

/// <summary>The systems compared.</summary>
internal static class Systems
{
    /// <summary>The service as <c>failover run</c> configures it: early detection on (FinalizerSilence 3 s).</summary>
    public const string Default = "default";

    /// <summary>The service with early detection off: an incident needs 12 missed blocks.</summary>
    public const string Reactive = "reactive";

    /// <summary>
    /// The most-used public EOS failover script's scheme: poll every 126 s, rotate after two polls in a row without
    /// <c>unpaid_blocks</c> growth — sending the service's own transaction (with <c>actfinkey</c> on Savanna, so that it
    /// can succeed there; the script itself sends <c>regproducer</c> alone).
    /// </summary>
    public const string Naive = "naive";

    /// <summary>Pushes the rotation at the instant of the outage: the floor.</summary>
    public const string Oracle = "oracle";

    /// <summary>Legacy only: the default service plus the optional early detection from the data centers' own nodes (<c>NodeSilence</c> 18 s).</summary>
    public const string Probes = "probes";

    public static IReadOnlyList<string> All { get; } = [Default, Reactive, Naive, Oracle, Probes];

    public static IEnumerable<string> For(ConsensusMode mode) => mode == ConsensusMode.Legacy ? All : All.Where(s => s != Probes);
}

/// <summary>When dc1 dies: 12k + 2 slots before our window (k = 0…20), i.e. every 12-slot offset of a 21-producer round.</summary>
internal static class OutageMoments
{
    public static IReadOnlyList<uint> All { get; } = [.. Enumerable.Range(0, 21).Select(k => (uint)(12 * k) + 2)];
}

internal sealed record RunSpec(ConsensusMode Mode, int Seed, uint SlotsBeforeOurWindow, string System)
{
    public double SecondsBeforeOurWindow => SlotsBeforeOurWindow * BlockTimestamp.SlotMs / 1000.0;
}

/// <param name="Lost">Our scheduled slots from the outage to the first block of ours after it (dc2's).</param>
/// <param name="OutageToPush">From the outage to the first push of the rotation (null: never pushed within the limit).</param>
internal sealed record RunResult(RunSpec Spec, int Lost, TimeSpan? OutageToPush);

/// <summary>
/// One run: the same seeded chain for every system, watched for a few minutes, then dc1 goes down the given number of
/// slots before our window; the run ends at the first block of ours after the outage (dc1 is down, so it is dc2's).
/// </summary>
internal static class BlocksLostRun
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs);

    public static async Task<RunResult> RunAsync(RunSpec spec) => spec.System switch
    {
        Systems.Default or Systems.Reactive or Systems.Probes => await ServiceAsync(spec),
        _ => Bare(spec),
    };

    private static RigOptions Options(RunSpec spec) => new()
    {
        Consensus = spec.Mode,
        Seed = $"blocks-lost-{spec.Seed}",
        History = TimeSpan.FromMinutes(spec.Mode == ConsensusMode.Legacy ? 6 : 5),
        ServiceDefaultPolicy = spec.System is Systems.Default or Systems.Probes,
        Configure = spec.System == Systems.Probes
            ? s => s with
            {
                Policy = s.Policy with { NodeSilence = TimeSpan.FromSeconds(18) },
                DataCenters = [.. s.DataCenters.Select(d => d with { Endpoint = new Uri($"http://simulator/node/{s.Producer}/{d.Name}") })],
            }
            : null,
    };

    private static TimeSpan Limit(RunSpec spec) => TimeSpan.FromMinutes(spec.Mode == ConsensusMode.Legacy ? 25 : 10);

    private static async Task<RunResult> ServiceAsync(RunSpec spec)
    {
        await using var rig = await ServiceRig.StartAsync(Options(spec));
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync((int)spec.SlotsBeforeOurWindow);
        var (outageSlot, outageAt, schedule) = Outage(rig.Simulator);
        await rig.RunUntilAsync(() => OursAfter(rig.Simulator, outageSlot) is not null, Limit(spec), "a block of ours after the outage");
        var push = rig.RecordedPushes.Count > 0 ? rig.RecordedPushes[0].At - outageAt : (TimeSpan?)null;
        return new RunResult(spec, Lost(schedule, rig.Simulator.Roster.OurProducer, outageSlot, OursAfter(rig.Simulator, outageSlot)!.Value), push);
    }

    /// <summary>The naive observer and the oracle need no service: they act on the simulator directly.</summary>
    private static RunResult Bare(RunSpec spec)
    {
        var options = Options(spec);
        var clock = new FakeTimeProvider(ServiceRig.Start);
        var simulator = new ChainSimulator(
            new SimulationOptions { Consensus = options.Consensus, Seed = options.Seed, ApiNodes = options.ApiNodes, GenesisTime = ServiceRig.Start - options.History },
            clock);
        void StepChain()
        {
            clock.Advance(Step);
            simulator.Advance();
        }

        StepChain();
        var ours = simulator.Roster.OurProducer;
        while (!(simulator.View().ActiveSchedule is var s && s.ProducerForSlot(simulator.View().Head.Slot + spec.SlotsBeforeOurWindow).Producer == ours
                 && s.ProducerForSlot(simulator.View().Head.Slot).Producer != ours))
        {
            StepChain();
        }

        var (outageSlot, outageAt, schedule) = Outage(simulator);
        TimeSpan? pushedAfter = null;
        var naive = spec.System == Systems.Naive ? new NaivePoller(simulator, clock.GetUtcNow(), spec.Seed) : null;
        for (var elapsed = TimeSpan.Zero; OursAfter(simulator, outageSlot) is null; elapsed += Step)
        {
            if (elapsed > Limit(spec))
            {
                throw new InvalidOperationException($"{spec}: no block of ours within {Limit(spec)} of the outage");
            }

            if (pushedAfter is null && (spec.System == Systems.Oracle || naive!.WantsRotation(clock.GetUtcNow())))
            {
                simulator.Push(Rotation(simulator, spec.Mode));
                pushedAfter = clock.GetUtcNow() - outageAt;
            }

            StepChain();
        }

        return new RunResult(spec, Lost(schedule, ours, outageSlot, OursAfter(simulator, outageSlot)!.Value), pushedAfter);
    }

    /// <summary>dc1 goes down now: the next slot is the first it cannot produce.</summary>
    private static (uint Slot, DateTimeOffset At, ProducerSchedule Schedule) Outage(ChainSimulator simulator)
    {
        var view = simulator.View();
        var node = simulator.Roster.NodesOf(simulator.Roster.OurProducer).First();
        simulator.SetNodeDown(node.Id, true);
        return (view.Head.Slot + 1, BlockTimestamp.FromSlot(view.Head.Slot), view.ActiveSchedule);
    }

    /// <summary>The slot of our first block at or after <paramref name="slot"/>, if there is one yet.</summary>
    private static uint? OursAfter(ChainSimulator simulator, uint slot)
    {
        var blocks = simulator.View().Blocks;
        uint? first = null;
        for (var i = blocks.Count - 1; i >= 0 && blocks[i].Slot >= slot; i--)
        {
            first = blocks[i].Producer == simulator.Roster.OurProducer ? blocks[i].Slot : first;
        }

        return first;
    }

    /// <summary>
    /// Our slots from the outage to our first block after it. A key rotation does not change the order of the producers,
    /// so the schedule at the outage says which slots were ours throughout.
    /// </summary>
    private static int Lost(ProducerSchedule schedule, Name ours, uint from, uint firstOurs)
    {
        var lost = 0;
        for (var slot = from; slot < firstOurs; slot++)
        {
            lost += schedule.ProducerForSlot(slot).Producer == ours ? 1 : 0;
        }

        return lost;
    }

    /// <summary>
    /// What the service sends: <c>regproducer</c> with dc2's key (keeping the row's url and location), and on Savanna
    /// <c>actfinkey</c> with dc2's finalizer key, signed with the failover permission, TaPoS on the LIB.
    /// </summary>
    private static PackedTransaction Rotation(ChainSimulator simulator, ConsensusMode mode)
    {
        var roster = simulator.Roster;
        var state = simulator.View();
        var dc2 = roster.NodesOf(roster.OurProducer).Skip(1).First();
        var row = state.Contract.Producers[roster.OurProducer];
        var level = new PermissionLevel(roster.OurProducer, Roster.FailoverPermission);
        List<ChainAction> actions = [SystemActions.ToAction(new RegProducer(roster.OurProducer, dc2.SigningKey.PublicKey, row.Url, row.Location), level)];
        if (mode == ConsensusMode.Savanna)
        {
            actions.Add(SystemActions.ToAction(new ActFinKey(roster.OurProducer, dc2.FinalizerKey!), level));
        }

        var expiration = DateTimeOffset.FromUnixTimeSeconds(state.Head.Timestamp.ToUnixTimeSeconds()) + TimeSpan.FromMinutes(5);
        var key = roster.Accounts.Single(a => a.Account == roster.OurProducer).Permissions[Roster.FailoverPermission];
        return TransactionSigner.Sign(Transaction.Create(state.LastIrreversibleBlock.Id, expiration, actions), state.ChainId, [key]);
    }

    /// <summary>
    /// The public script's loop: every 126 s it reads our <c>unpaid_blocks</c>; two polls in a row without growth and it
    /// rotates. Its phase against the round is the seed's (it was started at some moment before the outage).
    /// </summary>
    private sealed class NaivePoller
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(126);
        private readonly ChainSimulator _simulator;
        private DateTimeOffset _next;
        private uint _last;
        private int _flat;

        /// <summary>
        /// Its next poll falls at a seeded phase after the outage; the poll before fell a round earlier, and read what the
        /// table held then: today's value less our blocks since.
        /// </summary>
        public NaivePoller(ChainSimulator simulator, DateTimeOffset outageAt, int seed)
        {
            _simulator = simulator;
            _next = outageAt + TimeSpan.FromMilliseconds(new Random(seed).Next(0, 252) * BlockTimestamp.SlotMs);
            var previous = _next - Interval;
            _last = Unpaid(simulator) - (uint)simulator.View().Blocks.Count(b => b.Timestamp > previous && b.Producer == simulator.Roster.OurProducer);
        }

        public bool WantsRotation(DateTimeOffset now)
        {
            if (now < _next)
            {
                return false;
            }

            _next += Interval;
            var unpaid = Unpaid(_simulator);
            _flat = unpaid <= _last ? _flat + 1 : 0;
            _last = unpaid;
            return _flat >= 2;
        }

        private static uint Unpaid(ChainSimulator simulator) => simulator.View().Contract.Producers[simulator.Roster.OurProducer].UnpaidBlocks;
    }
}
