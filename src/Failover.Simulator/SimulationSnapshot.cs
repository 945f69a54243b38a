using Failover.Simulator.Chain;
using Failover.Simulator.Network;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator;

/// <summary>
/// What <c>GET /sim/state</c> shows. Keys are public (signing keys as <c>PUB_K1_…</c>); secrets never appear.
/// <see cref="Now"/> and <see cref="Speed"/> (when the clock is sped up) let another process run on the same clock.
/// </summary>
public sealed record SimulationSnapshot(
    string Consensus,
    string ChainId,
    string Now,
    double? Speed,
    IReadOnlyList<SnapshotProducer> Producers,
    IReadOnlyList<SnapshotSide> Sides,
    IReadOnlyList<SnapshotApiNode> ApiNodes,
    SnapshotFaults Faults)
{
    internal static SimulationSnapshot Create(
        ChainSimulator simulator,
        NetworkTopology network,
        IReadOnlySet<string> downNodes,
        IReadOnlyDictionary<string, ChainState> stalledApiNodes,
        IReadOnlyDictionary<string, ApiFaults> apiFaults,
        bool finalityStalled,
        Func<ProducerNode, bool> productionPaused)
    {
        var roster = simulator.Roster;
        var main = network.Sides[0].State;
        var producers = roster.Producers.Select(p => new SnapshotProducer(
            p.ToString(),
            main.Contract.Producers.TryGetValue(p, out var row) ? row.ProducerKey.ToString() : null,
            main.Contract.ActiveFinalizerKey(p),
            [.. roster.NodesOf(p).Select(n => new SnapshotNode(
                n.DataCenter,
                n.Id,
                !downNodes.Contains(n.Id),
                network.SideOfProducerNode(n.Id).Index,
                n.SigningKey.PublicKey.ToString(),
                n.FinalizerKey,
                productionPaused(n)))])).ToList();
        var sides = network.Sides.Select(s => new SnapshotSide(
            s.Index,
            [.. s.ProducerNodes.Order(StringComparer.Ordinal)],
            [.. s.ApiNodes.Order(StringComparer.Ordinal)],
            s.State.Head.Number,
            s.State.Head.Id.ToString(),
            s.State.Head.Producer.ToString(),
            s.State.LastIrreversible,
            Schedule(s.State.ActiveSchedule),
            s.State.Pending is { } pending ? Schedule(pending.Schedule) : null,
            s.State.Proposed is { } proposed ? Schedule(proposed.Schedule) : null)).ToList();
        var apiNodes = simulator.Options.ApiNodes.Select(n => new SnapshotApiNode(
            n,
            network.SideOfApiNode(n).Index,
            stalledApiNodes.ContainsKey(n),
            apiFaults.GetValueOrDefault(n, ApiFaults.None))).ToList();
        var faults = new SnapshotFaults(
            [.. downNodes.Order(StringComparer.Ordinal)],
            network.IsPartitioned,
            finalityStalled,
            [.. stalledApiNodes.Keys.Order(StringComparer.Ordinal)]);
        return new SimulationSnapshot(
            simulator.Options.Consensus.ToString().ToLowerInvariant(),
            simulator.ChainId.ToString(),
            Antelope.BlockTimestamp.Format(simulator.Time.GetUtcNow()),
            simulator.Time is ScaledTimeProvider scaled ? scaled.Speed : null,
            producers,
            sides,
            apiNodes,
            faults);
    }

    private static SnapshotSchedule Schedule(ProducerSchedule schedule) => new(
        schedule.Version,
        [.. schedule.Producers.Select(p => new SnapshotScheduled(p.Producer.ToString(), [.. p.Authority.Keys.Select(k => k.Key.ToString()!)]))]);
}

public sealed record SnapshotProducer(string Name, string? RegisteredKey, string? ActiveFinalizerKey, IReadOnlyList<SnapshotNode> Nodes);

/// <summary><see cref="ProductionPaused"/>: the node would not produce now for lack of votes (Savanna's implicit pause).</summary>
public sealed record SnapshotNode(string DataCenter, string Id, bool Up, int Side, string SigningKey, string? FinalizerKey, bool ProductionPaused);

public sealed record SnapshotSide(
    int Index,
    IReadOnlyList<string> ProducerNodes,
    IReadOnlyList<string> ApiNodes,
    uint HeadBlockNum,
    string HeadBlockId,
    string HeadBlockProducer,
    uint LastIrreversibleBlockNum,
    SnapshotSchedule ActiveSchedule,
    SnapshotSchedule? PendingSchedule,
    SnapshotSchedule? ProposedSchedule);

public sealed record SnapshotSchedule(uint Version, IReadOnlyList<SnapshotScheduled> Producers);

public sealed record SnapshotScheduled(string Producer, IReadOnlyList<string> Keys);

public sealed record SnapshotApiNode(string Name, int Side, bool Stalled, ApiFaults Faults);

public sealed record SnapshotFaults(IReadOnlyList<string> DownNodes, bool Partitioned, bool FinalityStalled, IReadOnlyList<string> StalledApiNodes);
