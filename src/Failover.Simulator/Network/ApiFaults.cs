namespace Failover.Simulator.Network;

/// <summary>
/// Faults of one API node's HTTP answers: an error status (500 or 503) instead of the answer, added latency,
/// a timeout (the request hangs until the client gives up), or a malformed (truncated) body.
/// </summary>
public sealed record ApiFaults(int? ErrorStatus = null, int LatencyMs = 0, bool Timeout = false, bool Malformed = false)
{
    public static readonly ApiFaults None = new();

    public bool IsNone => this == None;

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

        return problems;
    }
}
