using Failover.Antelope;

namespace Failover.Simulator;

/// <summary>What to simulate. Everything else (keys, chain id, votes) derives from <see cref="Seed"/>.</summary>
public sealed record SimulationOptions
{
    /// <summary>Registered producers including ours; the schedule holds the top 21 by votes, ordered by name.</summary>
    public int ProducerCount { get; init; } = 21;

    public ConsensusMode Consensus { get; init; } = ConsensusMode.Savanna;

    public string Seed { get; init; } = "failover";

    /// <summary>Our producer account, which runs one node per data center.</summary>
    public string OurProducer { get; init; } = "failover.bp";

    /// <summary>Our data centers; the first one's key is registered at genesis.</summary>
    public IReadOnlyList<string> OurDataCenters { get; init; } = ["dc1", "dc2"];

    /// <summary>API nodes (each a view of one side of the network); the first one answers <c>/v1/chain/*</c>.</summary>
    public IReadOnlyList<string> ApiNodes { get; init; } = ["api1", "api2"];

    /// <summary>Time of the genesis block; defaults to the time provider's now when the simulation starts.</summary>
    public DateTimeOffset? GenesisTime { get; init; }

    /// <summary>
    /// nodeos <c>production-pause-vote-timeout-ms</c> (Savanna): a producer node stops producing when the votes of its
    /// producer's finalizer, or of the others, stop for this long. Zero disables it, as in nodeos.
    /// </summary>
    public TimeSpan ProductionPauseVoteTimeout { get; init; } = TimeSpan.FromSeconds(6);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ProducerCount is < 1 or > 1000)
        {
            problems.Add($"ProducerCount must be between 1 and 1000, got {ProducerCount}.");
        }

        if (!Name.TryParse(OurProducer, out _, out var nameError))
        {
            problems.Add($"OurProducer: {nameError}");
        }

        if (OurDataCenters.Count == 0 || OurDataCenters.Distinct().Count() != OurDataCenters.Count || OurDataCenters.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("OurDataCenters must list at least one data center, each named and distinct.");
        }

        if (ApiNodes.Count == 0 || ApiNodes.Distinct().Count() != ApiNodes.Count || ApiNodes.Any(n => string.IsNullOrWhiteSpace(n) || n.Contains('/', StringComparison.Ordinal)))
        {
            problems.Add("ApiNodes must list at least one node, each named (no '/') and distinct.");
        }

        if (ProductionPauseVoteTimeout < TimeSpan.Zero)
        {
            problems.Add($"ProductionPauseVoteTimeout must not be negative, got {ProductionPauseVoteTimeout}.");
        }

        if (string.IsNullOrEmpty(Seed))
        {
            problems.Add("Seed must not be empty.");
        }

        return problems;
    }
}
