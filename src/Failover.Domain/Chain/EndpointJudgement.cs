using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>Why an endpoint is not trusted: the reasons of <c>endpoint-degraded.v1</c>.</summary>
public static class EndpointReasons
{
    public const string Unreachable = "unreachable";
    public const string Timeout = "timeout";
    public const string HttpError = "http-error";
    public const string Malformed = "malformed";
    public const string WrongChain = "wrong-chain";
    public const string Stale = "stale";
    public const string Disagrees = "disagrees";
    public const string Inconsistent = "inconsistent";
}

/// <summary>What one poll learnt of one configured endpoint.</summary>
/// <param name="FailureReason">Why it could not be read (one of <see cref="EndpointReasons"/>); null when it answered.</param>
/// <param name="HeadBlockNum">The head it reported (also when a later part of its answer failed), if any.</param>
public sealed record EndpointCheck(
    string Endpoint,
    string? FailureReason,
    string? FailureDetail,
    string? ChainId,
    uint? HeadBlockNum,
    DateTimeOffset HeadBlockTime,
    uint LastIrreversibleBlockNum)
{
    /// <summary>Whether the observer recorded its branch this poll; null when it did not try.</summary>
    public bool? Followed { get; init; }

    /// <summary>
    /// Whether its block at the height it shares with the recorded chain is the recorded block; null when not compared
    /// this poll (every endpoint that answers is compared at each participation sample).
    /// </summary>
    public bool? Agrees { get; init; }

    public static EndpointCheck Answered(string endpoint, string chainId, uint head, DateTimeOffset headTime, uint lib) =>
        new(endpoint, null, null, chainId, head, headTime, lib);

    public static EndpointCheck Failed(string endpoint, string reason, string? detail, uint? head = null) =>
        new(endpoint, reason, detail, null, head, default, 0);
}

/// <summary>An endpoint's judgement at one poll: trusted (no reason), or degraded with a reason and its detail.</summary>
public sealed record EndpointVerdict(string Endpoint, string? Reason, string? Detail)
{
    public bool Healthy => Reason is null;
}

/// <summary>
/// How the observer judges its endpoints (design §3 "Observer"): one rule for every poll, pure, so the observer's
/// stream says the same whoever replays it.
/// </summary>
public static class EndpointJudgement
{
    /// <summary>
    /// Judges one endpoint, in order: its read failed; it serves another chain; its head is older than
    /// <paramref name="staleAfter"/>; its branch could not be recorded this poll (inconsistent); its block at the shared
    /// height is another block (disagrees). A judgement of <em>inconsistent</em> or <em>disagrees</em> is held while the
    /// endpoint is neither followed nor compared, and ends as soon as it is: an endpoint is never written off for good
    /// by one start-up race or one brief fork.
    /// </summary>
    public static EndpointVerdict Judge(EndpointCheck check, EndpointHealth? previous, string? chainId, DateTimeOffset now, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(check);
        string? reason;
        string? detail = null;
        if (check.FailureReason is not null)
        {
            (reason, detail) = (check.FailureReason, check.FailureDetail);
        }
        else if (chainId is not null && check.ChainId != chainId)
        {
            (reason, detail) = (EndpointReasons.WrongChain, $"serves chain {check.ChainId}, not {chainId}");
        }
        else if (now - check.HeadBlockTime > staleAfter)
        {
            (reason, detail) = (EndpointReasons.Stale, $"head {check.HeadBlockNum} is {(now - check.HeadBlockTime).TotalSeconds:0.0} s old");
        }
        else if (check.Followed == false)
        {
            (reason, detail) = (EndpointReasons.Inconsistent, "served blocks that do not fit the schedule or do not link");
        }
        else if (check.Agrees == false)
        {
            (reason, detail) = (EndpointReasons.Disagrees, "its block at the height it shares with the followed branch is another block");
        }
        else if (check.Followed is null && check.Agrees is null && previous is { Healthy: false, Reason: EndpointReasons.Inconsistent or EndpointReasons.Disagrees })
        {
            reason = previous.Reason; // judged again when it is next followed or compared
        }
        else
        {
            reason = null;
        }

        return new EndpointVerdict(check.Endpoint, reason, detail ?? reason);
    }

    /// <summary>
    /// The observer-stream events a poll's verdicts call for: a degradation when an endpoint turns untrusted or its
    /// reason changes, a recovery when an untrusted one is trusted again; nothing when its judgement is unchanged.
    /// </summary>
    public static IReadOnlyList<IObserverEvent> Changes(string observerId, IEnumerable<EndpointVerdict> verdicts, ObserverState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(state);
        var events = new List<IObserverEvent>();
        foreach (var verdict in verdicts)
        {
            var previous = state.Endpoints.GetValueOrDefault(verdict.Endpoint);
            if (!verdict.Healthy && (previous is null || previous.Healthy || previous.Reason != verdict.Reason))
            {
                events.Add(new EndpointDegraded(observerId, verdict.Endpoint, verdict.Reason!, verdict.Detail!, now));
            }
            else if (verdict.Healthy && previous is { Healthy: false })
            {
                events.Add(new EndpointRecovered(observerId, verdict.Endpoint, now));
            }
        }

        return events;
    }

    /// <summary>Whether the observer last found the endpoint's branch impossible to record: such an endpoint is tried last.</summary>
    public static bool IsInconsistent(ObserverState state, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Endpoints.GetValueOrDefault(endpoint) is { Healthy: false, Reason: EndpointReasons.Inconsistent };
    }

    /// <summary>
    /// The configured endpoints that did not count toward the endpoints gate at the latest sample (not healthy — a
    /// stale one too — or not agreeing with the recorded chain), each with the reason the observer last gave; empty
    /// while a majority agrees.
    /// An endpoint the sample does not show (configured since) counts as not agreeing.
    /// </summary>
    public static IReadOnlyList<string> BelowMajority(ObserverState state, IReadOnlyList<string> configured)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(configured);
        if (state.LatestSample is not { } sample)
        {
            return [];
        }

        var agreeing = configured.Where(name => AgreesAt(sample, name)).ToHashSet(StringComparer.Ordinal);
        if (agreeing.Count * 2 > configured.Count)
        {
            return [];
        }

        return [.. configured.Where(name => !agreeing.Contains(name)).Select(name =>
            state.Endpoints.GetValueOrDefault(name) is { Healthy: false } health ? $"{name} ({health.Reason} since {health.Since:O})" : $"{name} (does not agree)")];
    }

    /// <summary>
    /// Whether the endpoint agreed with the recorded chain at the latest sample (healthy — so not stale — and its block
    /// at the shared height the recorded one): it counts toward the endpoints gate, and a rotation is pushed through
    /// the first such.
    /// </summary>
    public static bool AgreedAtLatestSample(ObserverState state, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.LatestSample is { } sample && AgreesAt(sample, endpoint);
    }

    private static bool AgreesAt(ParticipationSampled sample, string endpoint) =>
        sample.Endpoints.Any(e => e.Endpoint == endpoint && e.Healthy && e.Agrees);
}
