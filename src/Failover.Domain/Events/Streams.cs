namespace Failover.Domain.Events;

/// <summary>The streams of the domain (design §3): one name each, in one place.</summary>
public static class Streams
{
    /// <summary>The chain as the observers recorded it; shared by every observer of that chain.</summary>
    public static string Chain(string chainId) => "chain-" + chainId;

    /// <summary>One observer's own samples and endpoint judgements.</summary>
    public static string Observer(string observerId) => "observer-" + observerId;

    /// <summary>The failover process of a producer: its decisions and their outcomes.</summary>
    public static string Failover(string producer) => "failover-" + producer;

    /// <summary>What compaction deleted under the retention policy, and the anchors that keep it provable (issue 18.6).</summary>
    public const string Compaction = "log-compaction";
}
