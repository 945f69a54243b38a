using Failover.Simulator.Chain;
using Failover.Simulator.Contract;

namespace Failover.Simulator.Network;

/// <summary>One side of the network: the producer nodes and API nodes that reach each other, and the branch they build.</summary>
public sealed class NetworkSide
{
    internal NetworkSide(int index, ChainState state, IEnumerable<string> producerNodes, IEnumerable<string> apiNodes)
    {
        Index = index;
        State = state;
        ProducerNodes = new HashSet<string>(producerNodes, StringComparer.Ordinal);
        ApiNodes = new HashSet<string>(apiNodes, StringComparer.Ordinal);
    }

    public int Index { get; }

    public ChainState State { get; internal set; }

    /// <summary>Node ids (<c>producer/dc</c>).</summary>
    public IReadOnlySet<string> ProducerNodes { get; }

    public IReadOnlySet<string> ApiNodes { get; }
}

/// <summary>What healing a partition did: each side's head before, and the branch every side follows now.</summary>
public sealed record HealOutcome(int WinningSide, IReadOnlyList<SideSwitch> Switches);

/// <summary>
/// A side that dropped its branch for the winner's (fork switch), with the heads before and after, and how many of
/// its transactions were applied again on the winning branch.
/// </summary>
public sealed record SideSwitch(int Side, uint FromHeadNum, string FromHeadId, uint ToHeadNum, string ToHeadId, int RequeuedTransactions);

/// <summary>
/// Which nodes reach which: one side when healthy; a partition splits producer nodes and API nodes into sides,
/// each continuing from the current branch on its own. Healing keeps the best branch by the fork database's order
/// (<see cref="BestBranchFirst"/>), and every other side switches to it, re-applying its orphaned transactions there.
/// </summary>
public sealed class NetworkTopology
{
    private readonly Roster _roster;
    private List<NetworkSide> _sides;

    public NetworkTopology(Roster roster, ChainState genesis)
    {
        _roster = roster ?? throw new ArgumentNullException(nameof(roster));
        _sides = [new NetworkSide(0, genesis, roster.Nodes.Select(n => n.Id), roster.Options.ApiNodes)];
    }

    public IReadOnlyList<NetworkSide> Sides => _sides;

    public bool IsPartitioned => _sides.Count > 1;

    public NetworkSide SideOfApiNode(string apiNode) =>
        _sides.FirstOrDefault(s => s.ApiNodes.Contains(apiNode)) ?? throw new ArgumentException($"Unknown API node '{apiNode}'. Known: {string.Join(", ", _roster.Options.ApiNodes)}.", nameof(apiNode));

    public NetworkSide SideOfProducerNode(string nodeId) => _sides.First(s => s.ProducerNodes.Contains(nodeId));

    /// <summary>
    /// Splits the network. Each group lists producers (all their nodes), <c>producer/dc</c> nodes and API nodes;
    /// anything not listed joins the first group.
    /// </summary>
    public void Partition(IReadOnlyList<IReadOnlyCollection<string>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (IsPartitioned)
        {
            throw new InvalidOperationException("The network is already partitioned; heal it before partitioning again.");
        }

        if (groups.Count < 2)
        {
            throw new ArgumentException("A partition needs at least two sides.", nameof(groups));
        }

        var state = _sides[0].State;
        var placed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var side = 0; side < groups.Count; side++)
        {
            foreach (var member in groups[side])
            {
                foreach (var id in Resolve(member))
                {
                    if (!placed.TryAdd(id, side) && placed[id] != side)
                    {
                        throw new ArgumentException($"'{id}' is listed on two sides of the partition.", nameof(groups));
                    }
                }
            }
        }

        int SideOf(string id) => placed.TryGetValue(id, out var side) ? side : 0;
        _sides = [.. Enumerable.Range(0, groups.Count).Select(side => new NetworkSide(
            side,
            state,
            _roster.Nodes.Select(n => n.Id).Where(id => SideOf(id) == side),
            _roster.Options.ApiNodes.Where(id => SideOf(id) == side)))];
    }

    public HealOutcome Heal(DateTimeOffset now)
    {
        if (!IsPartitioned)
        {
            return new HealOutcome(0, []);
        }

        var winner = BestBranchFirst(_sides).First();
        var merged = winner.State;
        var switches = new List<SideSwitch>();
        foreach (var loser in _sides.Where(s => s != winner))
        {
            var (state, requeued) = ForkSwitch.Requeue(merged, loser.State, now);
            merged = state;
            if (loser.State.Head.Id != winner.State.Head.Id)
            {
                switches.Add(new SideSwitch(loser.Index, loser.State.Head.Number, loser.State.Head.Id.ToString(), winner.State.Head.Number, winner.State.Head.Id.ToString(), requeued));
            }
        }

        _sides = [new NetworkSide(0, merged, _roster.Nodes.Select(n => n.Id), _roster.Options.ApiNodes)];
        return new HealOutcome(winner.Index, switches);
    }

    /// <summary>
    /// The fork database's <c>by_best_branch</c> order of heads (SPRING fork_database.cpp): under Savanna
    /// (<c>by_best_branch_if_t</c>) the latest timestamp of the block the head's QC claim names, then the latest head
    /// timestamp, then the greater id; under legacy (<c>by_best_branch_legacy_t</c>) the highest
    /// dpos_irreversible_blocknum, then the highest block number, then the greater id.
    /// </summary>
    private static IOrderedEnumerable<NetworkSide> BestBranchFirst(List<NetworkSide> sides)
    {
        var ordered = sides[0].State.Mode == ConsensusMode.Savanna
            ? sides.OrderByDescending(s => s.State.BlockByNumber(s.State.Head.Finality!.QcClaimBlockNum)!.Slot).ThenByDescending(s => s.State.Head.Slot)
            : sides.OrderByDescending(s => s.State.Dpos.Irreversible).ThenByDescending(s => s.State.Head.Number);
        return ordered.ThenByDescending(s => s.State.Head.Id.ToString(), StringComparer.Ordinal);
    }

    private List<string> Resolve(string member)
    {
        if (_roster.Options.ApiNodes.Contains(member))
        {
            return [member];
        }

        if (_roster.FindNode(member) is { } node)
        {
            return [node.Id];
        }

        var nodes = _roster.Nodes.Where(n => n.Producer.ToString() == member).Select(n => n.Id).ToList();
        return nodes.Count > 0
            ? nodes
            : throw new ArgumentException($"'{member}' is neither a producer, a producer node (producer/dc) nor an API node.", nameof(member));
    }
}
