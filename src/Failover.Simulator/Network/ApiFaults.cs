using Failover.Simulator.Http;

namespace Failover.Simulator.Network;

/// <summary>
/// Faults of one API node's HTTP answers: an error status (500 or 503) instead of the answer, a nodeos error body
/// with a chosen fc error code (<see cref="ErrorCode"/>: the node refuses, so a push is not applied), added latency,
/// a timeout (the request hangs until the client gives up), or a malformed (truncated) body.
/// <see cref="Routes"/> limits them to requests for those chain API routes (null or empty: every route), and
/// <see cref="Count"/> to the next that many matching requests, after which they clear themselves; the node's
/// current faults (<see cref="ChainSimulator.ApiFaultsOf"/>) show how many are left.
/// </summary>
public sealed record ApiFaults(
    int? ErrorStatus = null,
    int LatencyMs = 0,
    bool Timeout = false,
    bool Malformed = false,
    IReadOnlyList<string>? Routes = null,
    long? ErrorCode = null,
    int? Count = null)
{
    public static readonly ApiFaults None = new();

    /// <summary>No effect at all (<see cref="Routes"/> and <see cref="Count"/> alone change nothing).</summary>
    public bool IsNone => ErrorStatus is null && LatencyMs == 0 && !Timeout && !Malformed && ErrorCode is null;

    /// <summary>Whether these faults apply to a request for <paramref name="route"/> (the last segment of <c>/v1/chain/{route}</c>).</summary>
    public bool AppliesTo(string route) => Routes is null || Routes.Count == 0 || Routes.Contains(route, StringComparer.Ordinal);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ErrorStatus is not null and not 500 and not 503)
        {
            problems.Add($"errorStatus must be 500 or 503, got {ErrorStatus}.");
        }

        if (LatencyMs is < 0 or > 600_000)
        {
            problems.Add($"latencyMs must be between 0 and 600000, got {LatencyMs}.");
        }

        if (ErrorCode is <= 0)
        {
            problems.Add($"errorCode must be a positive fc error code, got {ErrorCode}.");
        }

        if (ErrorCode is not null && ErrorStatus == 503)
        {
            problems.Add("errorCode answers HTTP 500 with that code; it cannot be combined with errorStatus 503.");
        }

        if (Count is <= 0)
        {
            problems.Add($"count must be at least 1 (leave it out for faults that stay until cleared), got {Count}.");
        }

        var unknown = (Routes ?? []).Where(r => !ChainApi.Endpoints.Contains(r, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"routes: unknown chain API route(s) {string.Join(", ", unknown.Select(r => $"'{r}'"))}; known: {string.Join(", ", ChainApi.Endpoints)}.");
        }

        return problems;
    }

    public bool Equals(ApiFaults? other) =>
        other is not null
        && ErrorStatus == other.ErrorStatus
        && LatencyMs == other.LatencyMs
        && Timeout == other.Timeout
        && Malformed == other.Malformed
        && (Routes ?? []).SequenceEqual(other.Routes ?? [], StringComparer.Ordinal)
        && ErrorCode == other.ErrorCode
        && Count == other.Count;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ErrorStatus);
        hash.Add(LatencyMs);
        hash.Add(Timeout);
        hash.Add(Malformed);
        foreach (var route in Routes ?? [])
        {
            hash.Add(route, StringComparer.Ordinal);
        }

        hash.Add(ErrorCode);
        hash.Add(Count);
        return hash.GetHashCode();
    }
}
