using Failover.Antelope;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;
using Failover.Simulator.Consensus;
using Failover.Simulator.Contract;
using Failover.Simulator.Network;

namespace Failover.Simulator;

/// <summary>
/// A simulated Antelope producer network. Deterministic under its seed: time comes only from the
/// <see cref="TimeProvider"/>, and <see cref="Advance"/> produces every block whose slot has started.
/// Thread-safe; every public member catches up with the clock first.
/// </summary>
public sealed class ChainSimulator
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly NetworkTopology _network;
    private readonly HashSet<string> _downNodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lossyNodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChainState> _stalledApiNodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiFaults> _apiFaults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProductionPause> _pauses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProducerNode> _nodesByFinalizerKey;
    private bool _finalityStalled;
    private uint _nextSlot;

    public ChainSimulator(SimulationOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        Roster = new Roster(options);
        _nodesByFinalizerKey = Roster.Nodes.Where(n => n.FinalizerKey is not null).ToDictionary(n => n.FinalizerKey!, StringComparer.Ordinal);
        var genesisSlot = BlockTimestamp.ToSlot(options.GenesisTime ?? time.GetUtcNow());
        _network = new NetworkTopology(Roster, Genesis.Create(Roster, genesisSlot));
        _nextSlot = genesisSlot + 1;
    }

    public Roster Roster { get; }

    public SimulationOptions Options => Roster.Options;

    public Checksum256 ChainId => SeedDerivation.ChainId(Options.Seed);

    public TimeProvider Time => _time;

    /// <summary>The API node that answers <c>/v1/chain/*</c> without a node prefix.</summary>
    public string DefaultApiNode => Options.ApiNodes[0];

    /// <summary>Produces, on every side of the network, the blocks of all slots that have started by now.</summary>
    public void Advance()
    {
        lock (_gate)
        {
            var now = BlockTimestamp.ToSlot(_time.GetUtcNow());
            for (; _nextSlot <= now; _nextSlot++)
            {
                foreach (var side in _network.Sides)
                {
                    ProduceOn(side, _nextSlot);
                }
            }
        }
    }

    /// <summary>
    /// The branch a node serves: an API node's (frozen while the node is stalled), or a producer node's own
    /// (<c>producer/dc</c>: its side's branch; it cannot answer while it is down).
    /// </summary>
    public ChainState View(string? apiNode = null)
    {
        Advance();
        lock (_gate)
        {
            var node = apiNode ?? DefaultApiNode;
            var side = AnsweringSideOf(node);
            return _stalledApiNodes.TryGetValue(node, out var frozen) ? frozen : side.State;
        }
    }

    /// <summary>
    /// push_transaction through an API node or a producer node (<c>producer/dc</c>, while it is up): accepted into
    /// that node's side (a stalled API node accepts into its frozen view and relays nothing). Throws
    /// <see cref="ChainException"/> with nodeos's error.
    /// </summary>
    public AcceptedTransaction Push(PackedTransaction transaction, string? apiNode = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Advance();
        lock (_gate)
        {
            var node = apiNode ?? DefaultApiNode;
            var side = AnsweringSideOf(node);
            if (_stalledApiNodes.TryGetValue(node, out var frozen))
            {
                var (stalled, accepted) = TransactionProcessor.Accept(frozen, transaction, _time.GetUtcNow());
                _stalledApiNodes[node] = stalled;
                return accepted;
            }

            var (state, result) = TransactionProcessor.Accept(side.State, transaction, _time.GetUtcNow());
            side.State = state;
            return result;
        }
    }

    /// <summary>get_required_keys on an API node's view.</summary>
    public IReadOnlyList<PublicKey> RequiredKeys(IEnumerable<ChainAction> actions, IReadOnlyCollection<PublicKey> available, string? apiNode = null) =>
        Authorization.RequiredKeys(View(apiNode).Contract.Accounts, actions, available);

    /// <summary>Whether <paramref name="node"/> has a chain API: an API node, or a producer node (<c>producer/dc</c>).</summary>
    public bool HasChainApi(string node) => Options.ApiNodes.Contains(node) || Roster.FindNode(node) is not null;

    /// <summary>Whether a producer node (<c>producer/dc</c>) is down: it neither produces, votes, receives nor answers.</summary>
    public bool IsNodeDown(string nodeId)
    {
        lock (_gate)
        {
            var node = Roster.FindNode(nodeId) ?? throw UnknownProducerNode(nodeId);
            return _downNodes.Contains(node.Id);
        }
    }

    /// <summary>Takes a producer node (<c>producer/dc</c>) down or brings it back: a down node neither produces nor votes.</summary>
    public void SetNodeDown(string nodeId, bool down)
    {
        Advance();
        lock (_gate)
        {
            var node = Roster.FindNode(nodeId) ?? throw UnknownProducerNode(nodeId);
            if (down)
            {
                _downNodes.Add(node.Id);

                // Its vote clocks go with it: a restarted nodeos starts them afresh.
                _pauses.Remove(node.Id);
            }
            else
            {
                _downNodes.Remove(node.Id);
            }
        }
    }

    /// <summary>Splits the network (see <see cref="NetworkTopology.Partition"/>).</summary>
    public void Partition(IReadOnlyList<IReadOnlyCollection<string>> sides)
    {
        Advance();
        lock (_gate)
        {
            _network.Partition(sides);
        }
    }

    /// <summary>Reconnects all sides; the sides on the losing branches switch forks and re-apply their orphaned transactions.</summary>
    public HealOutcome Heal()
    {
        Advance();
        lock (_gate)
        {
            return _network.Heal(_time.GetUtcNow());
        }
    }

    /// <summary>Stalls an API node: its head stops where it is while it keeps answering.</summary>
    public void SetApiNodeStalled(string apiNode, bool stalled)
    {
        Advance();
        lock (_gate)
        {
            var side = _network.SideOfApiNode(apiNode);
            if (!stalled)
            {
                _stalledApiNodes.Remove(apiNode);
            }
            else if (!_stalledApiNodes.ContainsKey(apiNode))
            {
                _stalledApiNodes[apiNode] = side.State;
            }
        }
    }

    /// <summary>
    /// A degraded producer node: it lands only the first <paramref name="blocksPerWindow"/> blocks of each of its windows
    /// (the rest come too late and are lost, as behind bad latency) while it stays up, votes and answers; null restores it.
    /// </summary>
    public void SetNodeLossy(string nodeId, int? blocksPerWindow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blocksPerWindow ?? 0, nameof(blocksPerWindow));
        Advance();
        lock (_gate)
        {
            var node = Roster.FindNode(nodeId) ?? throw UnknownProducerNode(nodeId);
            if (blocksPerWindow is { } landed)
            {
                _lossyNodes[node.Id] = landed;
            }
            else
            {
                _lossyNodes.Remove(node.Id);
            }
        }
    }

    /// <summary>
    /// Stops (or resumes) quorum certificates everywhere: under Savanna the LIB stops advancing while the head goes on.
    /// The finalizers keep voting and the producers receive the votes, so none pauses for lack of votes; the votes
    /// just never aggregate into a QC (and <c>get_finalizer_info</c>'s last votes stay where they were).
    /// </summary>
    public void SetFinalityStalled(bool stalled)
    {
        Advance();
        lock (_gate)
        {
            _finalityStalled = stalled;
        }
    }

    /// <summary>
    /// Registers a finalizer key to <paramref name="producer"/> on every side of the network, as <c>regfinkey</c> would
    /// (<see cref="SystemContract.RegisterFinalizerKey"/>: the contract's checks; the key gets the next <c>finkeys</c> id;
    /// a producer's first key becomes active) but outside any block, since the simulator has no BLS proof of possession to
    /// check. A stalled API node's frozen view does not see it. No node votes with a key it does not hold: registering
    /// one only changes what the finalizer tables show. Throws <see cref="ChainException"/> (<c>eosio_assert</c>) when
    /// the contract would refuse.
    /// </summary>
    public void RegisterFinalizerKey(string producer, string key)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(key);
        Advance();
        lock (_gate)
        {
            var finalizer = Name.Parse(producer);
            var updated = _network.Sides.Select(side => SystemContract.RegisterFinalizerKey(side.State.Contract, finalizer, key)).ToList();
            foreach (var (side, contract) in _network.Sides.Zip(updated))
            {
                side.State = side.State with { Contract = contract };
            }
        }
    }

    public void SetApiFaults(string apiNode, ApiFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        lock (_gate)
        {
            _ = _network.SideOfApiNode(apiNode);
            var problems = faults.Validate();
            if (problems.Count > 0)
            {
                throw new ArgumentException(string.Join(" ", problems), nameof(faults));
            }

            if (faults.IsNone)
            {
                _apiFaults.Remove(apiNode);
            }
            else
            {
                _apiFaults[apiNode] = faults;
            }
        }
    }

    /// <summary>An API node's current faults, with the <see cref="ApiFaults.Count"/> still left.</summary>
    public ApiFaults ApiFaultsOf(string apiNode)
    {
        lock (_gate)
        {
            _ = _network.SideOfApiNode(apiNode);
            return _apiFaults.GetValueOrDefault(apiNode, ApiFaults.None);
        }
    }

    /// <summary>
    /// The faults that apply to one request to <paramref name="node"/> for <paramref name="route"/>, taking one of
    /// their <see cref="ApiFaults.Count"/> (they clear themselves when it runs out). A request for another route
    /// takes none and gets <see cref="ApiFaults.None"/>, as does a node without faults.
    /// </summary>
    public ApiFaults ClaimApiFaults(string node, string route)
    {
        lock (_gate)
        {
            if (!_apiFaults.TryGetValue(node, out var faults) || !faults.AppliesTo(route))
            {
                return ApiFaults.None;
            }

            if (faults.Count is { } left)
            {
                if (left <= 1)
                {
                    _apiFaults.Remove(node);
                }
                else
                {
                    _apiFaults[node] = faults with { Count = left - 1 };
                }
            }

            return faults;
        }
    }

    /// <summary>Everything <c>GET /sim/state</c> shows: public keys only.</summary>
    public SimulationSnapshot Snapshot()
    {
        Advance();
        lock (_gate)
        {
            var building = BlockTimestamp.ToSlot(_time.GetUtcNow()) + 1;
            return SimulationSnapshot.Create(this, _network, _downNodes, _stalledApiNodes, _apiFaults, _finalityStalled, node => IsPaused(node, building));
        }
    }

    /// <summary>
    /// Whether a producer node would decline its next slot for lack of votes: what nodeos's <c>/v1/producer/paused</c>
    /// reports (SPRING producer_plugin.cpp <c>paused</c>: explicitly or implicitly paused; the simulator's nodes are only
    /// ever implicitly paused). Always false under legacy.
    /// </summary>
    public bool IsProductionPaused(string nodeId)
    {
        Advance();
        lock (_gate)
        {
            var node = Roster.FindNode(nodeId) ?? throw new ArgumentException($"Unknown producer node '{nodeId}'.", nameof(nodeId));
            return IsPaused(node, BlockTimestamp.ToSlot(_time.GetUtcNow()) + 1);
        }
    }

    /// <summary>
    /// One slot on one side: the votes on the head reach the side's nodes, the scheduled producer's first up node
    /// whose key satisfies the authority and that is not paused produces, and the block reaches the side's nodes.
    /// </summary>
    private void ProduceOn(NetworkSide side, uint slot)
    {
        var state = side.State;
        var savanna = state.Mode == ConsensusMode.Savanna;
        var (votes, voters) = savanna ? Votes(side, state) : ([], []);
        if (voters.Count > 0)
        {
            foreach (var receiver in Roster.Nodes.Where(n => IsUp(n, side)))
            {
                PauseOf(receiver).ReceiveVotes(state.Head.Slot, voters);
            }
        }

        var scheduled = BlockProduction.ScheduleFor(state, slot).ProducerForSlot(slot);
        var node = Roster.NodesOf(scheduled.Producer)
            .FirstOrDefault(n => IsUp(n, side) && scheduled.IsSatisfiedBy(n.SigningKey.PublicKey) && !IsPaused(n, slot) && Lands(n, slot));
        if (node is null)
        {
            return;
        }

        side.State = BlockProduction.Produce(state, slot, node.SigningKey, _finalityStalled ? [] : votes);
        if (savanna)
        {
            var listed = ProductionPause.ListedFinalizers(side.State);
            foreach (var receiver in Roster.Nodes.Where(n => IsUp(n, side)))
            {
                PauseOf(receiver).ReceiveBlock(slot, listed);
            }
        }
    }

    /// <summary>The side whose branch a node answers from; a down producer node does not answer.</summary>
    private NetworkSide AnsweringSideOf(string node)
    {
        if (Options.ApiNodes.Contains(node))
        {
            return _network.SideOfApiNode(node);
        }

        if (Roster.FindNode(node) is { } producerNode)
        {
            return _downNodes.Contains(producerNode.Id)
                ? throw new InvalidOperationException($"Producer node '{producerNode.Id}' is down.")
                : _network.SideOfProducerNode(producerNode.Id);
        }

        throw new ArgumentException(
            $"Unknown node '{node}'. Known: API nodes {string.Join(", ", Options.ApiNodes)}; producer nodes {string.Join(", ", Roster.Nodes.Select(n => n.Id))}.", nameof(node));
    }

    private ArgumentException UnknownProducerNode(string nodeId) =>
        new($"Unknown producer node '{nodeId}'. Known: {string.Join(", ", Roster.Nodes.Select(n => n.Id))}.", nameof(nodeId));

    private bool Lands(ProducerNode node, uint slot) => !_lossyNodes.TryGetValue(node.Id, out var landed) || slot % Antelope.Scheduling.Slots.PerWindow < landed;

    private bool IsUp(ProducerNode node, NetworkSide side) => !_downNodes.Contains(node.Id) && side.ProducerNodes.Contains(node.Id);

    private bool IsPaused(ProducerNode node, uint slot) => Options.Consensus == ConsensusMode.Savanna && PauseOf(node).IsPaused(slot);

    private ProductionPause PauseOf(ProducerNode node)
    {
        if (!_pauses.TryGetValue(node.Id, out var pause))
        {
            pause = new ProductionPause(node.Producer, Options.ProductionPauseVoteTimeout);
            _pauses[node.Id] = pause;
        }

        return pause;
    }

    /// <summary>
    /// Who votes on the head: the finalizers of the head's active and pending policies whose key an up node on this
    /// side holds — their keys, and their descriptions (the producers they vote for, as the pause clocks count them).
    /// </summary>
    private (HashSet<string> Keys, HashSet<Name> Voters) Votes(NetworkSide side, ChainState state)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var voters = new HashSet<Name>();
        foreach (var finalizer in state.Finalizers.Finalizers.Concat(state.PendingFinalizers?.Policy.Finalizers ?? []))
        {
            if (_nodesByFinalizerKey.TryGetValue(finalizer.Key, out var node) && IsUp(node, side))
            {
                keys.Add(finalizer.Key);
                voters.Add(finalizer.Producer);
            }
        }

        return (keys, voters);
    }
}
