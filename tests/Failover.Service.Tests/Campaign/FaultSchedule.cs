using System.Globalization;
using System.Text;
using Failover.Simulator;

namespace Failover.Service.Tests.Campaign;

/// <summary>What a fault does (issue 17.1); each is applied at <see cref="Fault.At"/> and undone <see cref="Fault.For"/> later.</summary>
internal enum FaultKind
{
    /// <summary>A data center's producing node goes down.</summary>
    Outage,

    /// <summary>A data center's node goes down and up every <see cref="Fault.Variant"/> seconds.</summary>
    Flapping,

    /// <summary>A data center's node lands only <see cref="Fault.Variant"/> blocks of each window.</summary>
    Degraded,

    /// <summary>The network splits into two sides (<see cref="Fault.Side"/> against the rest).</summary>
    Partition,

    /// <summary>An API node's head stops while it keeps answering.</summary>
    ApiStall,

    /// <summary>An API node answers with errors (500, 503, a nodeos error, malformed JSON) or its calls time out or are refused.</summary>
    ApiErrors,

    /// <summary>An API node lies: a stale head, an inflated LIB, another chain's id, truncated bodies.</summary>
    ApiLie,

    /// <summary>Savanna: quorum certificates stop forming, the LIB stops.</summary>
    FinalityStall,

    /// <summary>Every push is refused with one of nodeos's errors (<see cref="FaultSchedule.PushRefusals"/>).</summary>
    PushRefusal,

    /// <summary>An operator pauses automation for a while, asks for a switch, or re-arms.</summary>
    Operator,

    /// <summary>The service dies and starts again from its store <see cref="Fault.For"/> later.</summary>
    Crash,

    /// <summary>The service dies at its next push, after appending the request and before the push leaves.</summary>
    CrashBeforePush,
}

/// <summary>One fault of a run: what, from when (since the run began), for how long, on what.</summary>
/// <param name="Target">A data center (dc1, dc2) or an API node (api1, api2), or empty.</param>
/// <param name="Variant">Which form of the fault (its meaning depends on <paramref name="Kind"/>).</param>
/// <param name="Side">A partition's second side: producers, our nodes (failover.bp/dcN) and API nodes.</param>
internal sealed record Fault(FaultKind Kind, TimeSpan At, TimeSpan For, string Target, int Variant, IReadOnlyList<string> Side)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{At.TotalSeconds,6:0} s for {For.TotalSeconds,4:0} s  {Kind} {Target} variant {Variant}{(Side.Count > 0 ? " side [" + string.Join(' ', Side) + "]" : "")}");
}

/// <summary>
/// A run of the fault campaign, drawn from its seed alone: the same seed always gives the same schedule (and, the rig
/// being deterministic, the same run), so a failing seed replays by itself.
/// </summary>
internal sealed record FaultSchedule(int Seed, ConsensusMode Consensus, TimeSpan Length, IReadOnlyList<Fault> Faults)
{
    /// <summary>nodeos's refusals of a push, by class: not applied (retried), lost answer, rejected (left to an operator).</summary>
    public static readonly IReadOnlyList<string> PushRefusals =
    [
        "error.busy_503.json",
        "error.internal_500.json",
        "error.push_transaction.duplicate_500.json",
        "error.push_transaction.eosio_assert_500.json",
        "error.push_transaction.expired_500.json",
        "error.push_transaction.invalid_ref_block_500.json",
        "error.push_transaction.unsatisfied_authorization_500.json",
    ];

    private static readonly FaultKind[] Kinds = Enum.GetValues<FaultKind>();

    public static FaultSchedule Draw(int seed, TimeSpan length)
    {
        var random = new Random(seed);
        var consensus = seed % 2 == 0 ? ConsensusMode.Savanna : ConsensusMode.Legacy;
        var count = random.Next(3, 9);
        var faults = new List<Fault>();
        for (var i = 0; i < count; i++)
        {
            var kind = Kinds[random.Next(Kinds.Length)];
            if (kind == FaultKind.FinalityStall && consensus == ConsensusMode.Legacy)
            {
                kind = FaultKind.Outage;
            }

            var at = TimeSpan.FromSeconds(random.Next(30, (int)length.TotalSeconds - 30));
            faults.Add(kind switch
            {
                FaultKind.Outage => new Fault(kind, at, Seconds(random, 20, 300), DataCenter(random), 0, []),
                FaultKind.Flapping => new Fault(kind, at, Seconds(random, 60, 240), DataCenter(random), random.Next(3, 20), []),
                FaultKind.Degraded => new Fault(kind, at, Seconds(random, 120, 480), DataCenter(random), random.Next(1, 11), []),
                FaultKind.Partition => new Fault(kind, at, Seconds(random, 20, 240), "", 0, Side(random)),
                FaultKind.ApiStall => new Fault(kind, at, Seconds(random, 10, 120), Api(random), 0, []),
                FaultKind.ApiErrors => new Fault(kind, at, Seconds(random, 10, 120), Api(random), random.Next(7), []),
                FaultKind.ApiLie => new Fault(kind, at, Seconds(random, 10, 120), Api(random), random.Next(4), []),
                FaultKind.FinalityStall => new Fault(kind, at, Seconds(random, 10, 90), "", 0, []),
                FaultKind.PushRefusal => new Fault(kind, at, Seconds(random, 30, 300), "", random.Next(PushRefusals.Count), []),
                FaultKind.Operator => new Fault(kind, at, Seconds(random, 30, 180), DataCenter(random), random.Next(3), []),
                FaultKind.Crash => new Fault(kind, at, Seconds(random, 1, 60), "", 0, []),
                _ => new Fault(kind, at, Seconds(random, 60, 600), "", random.Next(1, 30), []),
            });
        }

        return new FaultSchedule(seed, consensus, length, [.. faults.OrderBy(f => f.At)]);
    }

    private static TimeSpan Seconds(Random random, int min, int max) => TimeSpan.FromSeconds(random.Next(min, max + 1));

    private static string DataCenter(Random random) => random.Next(2) == 0 ? "dc1" : "dc2";

    private static string Api(Random random) => random.Next(2) == 0 ? "api1" : "api2";

    /// <summary>A partition's second side: some of the other producers, and each of our nodes and API nodes with even odds.</summary>
    private static string[] Side(Random random)
    {
        var others = Enumerable.Range(0, 20).Select(i => "prod." + (char)('a' + i)).Where(_ => random.Next(4) == 0);
        string[] ours = ["failover.bp/dc1", "failover.bp/dc2", "api1", "api2"];
        return [.. others, .. ours.Where(_ => random.Next(2) == 0)];
    }

    public override string ToString()
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"seed {Seed}: {Consensus}, {Length.TotalMinutes:0} min, {Faults.Count} faults"));
        foreach (var fault in Faults)
        {
            text.Append('\n').Append("  ").Append(fault);
        }

        return text.ToString();
    }
}
