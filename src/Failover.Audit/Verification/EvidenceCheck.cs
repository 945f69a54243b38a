using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Audit.Verification;

/// <summary>
/// Rebuilds a decision's evidence from the log before it — the folds <see cref="ObservedChain"/> and
/// <see cref="ObserverState"/> as of the event that caused the evaluation, and <see cref="FailoverProcess"/> as of the
/// decision — through the service's own <see cref="EvidenceBuilder"/>, and compares it with the recorded evidence.
/// What the log cannot tell (the configuration: data centers, consensus, the missed-blocks threshold; and the consensus
/// a block header of the chain showed the service) is taken from the record itself. Evidence recorded before it carried
/// our authority's threshold and weights (<see cref="ScheduleEvidence.Authority"/> null) is compared without them: its
/// keys still are.
/// </summary>
public static class EvidenceCheck
{
    public static Evidence Rebuild(Evidence recorded, FailoverPolicy policy, ObservedChain chain, ObserverState view, FailoverProcess process)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(process);
        var dataCenters = recorded.DataCenters.Select(d => new DataCenterConfig(d.Name, d.Priority, d.SigningKey, d.FinalizerKey, d.HasNode)).ToList();
        var manual = process.PendingManual is { } request ? new ManualRequest(request.DataCenter, request.By, request.Reason, request.At) : null;
        var rebuilt = EvidenceBuilder.Build(
            Name.Parse(recorded.Producer), recorded.Consensus, policy.MissedBlocksThreshold, dataCenters, chain, view, process, recorded.EvaluatedAt, manual);
        return rebuilt with
        {
            ChainConsensus = recorded.ChainConsensus,
            Schedule = recorded.Schedule.Authority is null ? rebuilt.Schedule with { Authority = null } : rebuilt.Schedule,
        };
    }

    /// <summary>Where two evidences differ, as JSON paths with both values (at most <paramref name="limit"/>).</summary>
    public static IReadOnlyList<string> Differences(Evidence recorded, Evidence rebuilt, int limit = 12)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(rebuilt);
        var a = JsonSerializer.SerializeToNode(recorded, DomainJsonContext.Default.Evidence);
        var b = JsonSerializer.SerializeToNode(rebuilt, DomainJsonContext.Default.Evidence);
        var found = new List<string>();
        Compare(string.Empty, a, b, found, limit);
        return found;
    }

    private static void Compare(string path, JsonNode? recorded, JsonNode? rebuilt, List<string> found, int limit)
    {
        if (found.Count >= limit || JsonNode.DeepEquals(recorded, rebuilt))
        {
            return;
        }

        switch (recorded, rebuilt)
        {
            case (JsonObject x, JsonObject y):
                foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)))
                {
                    Compare(Join(path, key), x[key], y[key], found, limit);
                }

                break;
            case (JsonArray x, JsonArray y) when x.Count == y.Count:
                for (var i = 0; i < x.Count; i++)
                {
                    Compare($"{path}[{i}]", x[i], y[i], found, limit);
                }

                break;
            default:
                found.Add($"{(path.Length == 0 ? "evidence" : path)}: recorded {Show(recorded)}, the log gives {Show(rebuilt)}");
                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 160 ? text : text[..157] + "...";
    }
}
