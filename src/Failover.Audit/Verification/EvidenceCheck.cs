using System.Text.Json;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Audit.Verification;

/// <summary>
/// Rebuilds a decision's evidence from the log before it — <see cref="FailoverInputs"/>, the one fold of the chain
/// stream, the observer's stream and the process stream the process manager decides from, as of the event that caused
/// the evaluation (the process stream as of the decision) — through the service's own <see cref="EvidenceBuilder"/>, and
/// compares it with the recorded evidence. What the log cannot tell (the configuration: data centers, consensus, the
/// missed-blocks threshold; the consensus a block header of the chain showed the service; what the finalizer tables
/// showed of each data center's finalizer key) is taken from the record itself. Evidence recorded before it carried our authority's threshold and weights
/// (<see cref="ScheduleEvidence.Authority"/> null) is compared without them: its keys still are.
/// <para>
/// The incident is rebuilt by the <see cref="IncidentAnchor"/> rule the record names: <c>latest-miss</c> (what the
/// service records) or, in evidence recorded before the anchor was named (<see cref="IncidentEvidence.Anchor"/> absent),
/// the threshold-th miss's — compared then without the anchor and its slot, as it was. A record whose anchor was changed
/// is rebuilt by the other rule, and its revealing block, anchor slot or windows since the incident differ from the log's.
/// A <c>finalizer-silent</c> incident is rebuilt from the recorded certificates under the recorded policy's
/// <c>FinalizerSilence</c>; evidence recorded before incidents had a kind compares without it (it was a missed run).
/// </para>
/// </summary>
public static class EvidenceCheck
{
    public static Evidence Rebuild(Evidence recorded, FailoverPolicy policy, FailoverInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(inputs);
        var dataCenters = recorded.DataCenters.Select(d => new DataCenterConfig(d.Name, d.Priority, d.SigningKey, d.FinalizerKey, d.HasNode, d.SigningAuthority)).ToList();
        var manual = inputs.Process.PendingManual is { } request ? new ManualRequest(request.DataCenter, request.By, request.Reason, request.At) : null;
        var unnamed = recorded.Incident is { Anchor: null };
        var anchor = unnamed || recorded.Incident?.Anchor == IncidentAnchor.ThresholdMiss ? IncidentAnchor.ThresholdMiss : IncidentAnchor.LatestMiss;
        var rebuilt = EvidenceBuilder.Build(Name.Parse(recorded.Producer), recorded.Consensus, policy, dataCenters, inputs, recorded.EvaluatedAt, manual, anchor);
        var untyped = recorded.Incident is { Kind: null };
        return rebuilt with
        {
            Incident = rebuilt.Incident is not { } incident ? null
                : unnamed ? incident with { Anchor = null, AnchorSlot = null, Kind = null }
                : untyped && incident.Kind == IncidentKind.MissedRun ? incident with { Kind = null }
                : incident,
            ChainConsensus = recorded.ChainConsensus,
            RegisteredKey = recorded.RegisteredKey,
            RegisteredAuthority = recorded.RegisteredAuthority,
            DataCenters = [.. rebuilt.DataCenters.Select(d => d with { FinalizerKeyOnChain = recorded.DataCenters.FirstOrDefault(r => r.Name == d.Name)?.FinalizerKeyOnChain })],
            // Evidence recorded before these were: without them, as it was.
            Schedule = rebuilt.Schedule with
            {
                Authority = recorded.Schedule.Authority is null ? null : rebuilt.Schedule.Authority,
                OurAuthorityChangedAt = recorded.Schedule.OurAuthorityChangedAt is null ? null : rebuilt.Schedule.OurAuthorityChangedAt,
            },
        };
    }

    /// <summary>Where two evidences differ, as JSON paths with both values (at most <paramref name="limit"/>).</summary>
    public static IReadOnlyList<string> Differences(Evidence recorded, Evidence rebuilt, int limit = 12)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(rebuilt);
        return JsonDifferences.Between(
            JsonSerializer.SerializeToNode(recorded, DomainJsonContext.Default.Evidence),
            JsonSerializer.SerializeToNode(rebuilt, DomainJsonContext.Default.Evidence),
            "the log gives",
            "evidence",
            limit);
    }
}
