using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Domain.Events;

namespace Failover.Domain.Chain;

/// <summary>What the observer's own stream is decided by: its id, our producer, and the observer's settings.</summary>
public sealed record ObserverRules(string ObserverId, Name Producer, int MissedBlocksThreshold, TimeSpan SampleInterval, TimeSpan StaleAfter);

/// <summary>The endpoint whose branch the chain stream holds up to its head this poll, and the LIB it reports.</summary>
public sealed record FollowedEndpoint(string Endpoint, uint LastIrreversibleBlockNum, string LastIrreversibleBlockId);

/// <summary>
/// One poll as the observer stream's decider sees it: every configured endpoint in configuration order, the endpoint
/// followed up to its head (null when none was, or the chain stream is still behind it), and — when the poll samples —
/// what each data center's own node showed.
/// </summary>
public sealed record ObserverPoll(
    DateTimeOffset Now,
    string? ChainId,
    IReadOnlyList<EndpointCheck> Endpoints,
    FollowedEndpoint? Followed = null,
    IReadOnlyList<DataCenterNodeView>? DataCenterNodes = null);

/// <summary>
/// Decides the observer stream (design §3 "Observer"): which endpoint to follow first, when a participation sample is
/// due, how each endpoint is judged (<see cref="EndpointJudgement"/>), and the sample itself. Pure: the observer shell
/// reads the endpoints, follows one with <see cref="ChainDecider"/>, and appends what this decides.
/// </summary>
public static class ObserverDecider
{
    /// <summary>
    /// The chain the observer records: the configured one, or else the one more than half of the endpoints report
    /// (<paramref name="reported"/>: the chain id of each endpoint that answered); null while there is no such chain.
    /// </summary>
    public static string? ChainToFollow(string? configured, IReadOnlyList<string> reported, int endpoints)
    {
        ArgumentNullException.ThrowIfNull(reported);
        if (configured is not null)
        {
            return configured;
        }

        var commonest = reported.GroupBy(id => id, StringComparer.Ordinal).OrderByDescending(g => g.Count()).FirstOrDefault();
        return commonest is not null && commonest.Count() * 2 > endpoints ? commonest.Key : null;
    }

    /// <summary>
    /// The blocks to read from an endpoint whose head is <paramref name="endpointHead"/>: after the recorded head, at most
    /// <paramref name="batchSize"/>; before anything is recorded, from <paramref name="fromBlock"/> (else the endpoint's
    /// head). An endpoint behind the recorded head shows whether it agrees only by the block at its own head. Null: nothing new.
    /// </summary>
    public static (uint From, uint To)? BlocksToRead(ObservedChain chain, uint endpointHead, uint? fromBlock, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (chain.Head is { } recorded && endpointHead < recorded.Number)
        {
            return (endpointHead, endpointHead);
        }

        var from = chain.Head is { } head ? head.Number + 1 : fromBlock ?? endpointHead;
        var to = Math.Min(endpointHead, from + (uint)batchSize - 1);
        return to < from ? null : (from, to);
    }

    /// <summary>
    /// The endpoints worth following, best first: answering with the chain, then not found inconsistent last time,
    /// highest LIB as far as a majority of them corroborate it (<see cref="CorroboratedLib"/>), highest head,
    /// configuration order. A LIB claimed by one endpoint alone wins nothing: one that lies cannot take the lead by it.
    /// </summary>
    public static IReadOnlyList<EndpointCheck> Rank(ObserverState state, string chainId, IReadOnlyList<EndpointCheck> endpoints)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(endpoints);
        var answering = endpoints.Select((check, order) => (check, order)).Where(e => Answers(e.check, chainId)).ToList();
        var corroborated = CorroboratedLib(chainId, endpoints);
        return [.. answering
            .OrderBy(e => EndpointJudgement.IsInconsistent(state, e.check.Endpoint))
            .ThenByDescending(e => Math.Min(e.check.LastIrreversibleBlockNum, corroborated))
            .ThenByDescending(e => e.check.HeadBlockNum)
            .ThenBy(e => e.order)
            .Select(e => e.check)];
    }

    /// <summary>
    /// The highest LIB a majority of the endpoints answering with <paramref name="chainId"/> reach: what the ranking
    /// credits, and up to where the observer takes legacy history without checking its signatures.
    /// </summary>
    public static uint CorroboratedLib(string chainId, IReadOnlyList<EndpointCheck> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return CorroboratedLib([.. endpoints.Where(e => Answers(e, chainId)).Select(e => e.LastIrreversibleBlockNum)]);
    }

    private static bool Answers(EndpointCheck check, string chainId) => check.FailureReason is null && check.ChainId == chainId;

    /// <summary>The highest LIB that a majority of <paramref name="libs"/> reach (0 for none).</summary>
    public static uint CorroboratedLib(IReadOnlyList<uint> libs)
    {
        ArgumentNullException.ThrowIfNull(libs);
        return libs.Count == 0 ? 0 : libs.OrderDescending().ElementAt(libs.Count / 2);
    }

    /// <summary>
    /// A sample is due, once the chain stream holds a head: when there is none yet or the last is
    /// <see cref="ObserverRules.SampleInterval"/> old; when the head entered another window than the last sample's; and
    /// while our producer is missing blocks or our finalizer is silent in the certificates, whenever the head or the LIB
    /// moved — the policy decides on samples, so a miss or a certificate that may complete the threshold is sampled at once.
    /// </summary>
    public static bool IsSampleDue(ObserverState state, ObservedChain chain, uint followedLib, DateTimeOffset now, ObserverRules rules)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(rules);
        if (chain.Head is not { } head)
        {
            return false;
        }

        if (state.LatestSample is not { } last || now - last.ObservedAt >= rules.SampleInterval)
        {
            return true;
        }

        if (Slots.WindowStart(head.Slot) != Slots.WindowStart(BlockTimestamp.ToSlot(last.HeadBlockTime)))
        {
            return true;
        }

        var missing = Participation.CurrentMissedRun(chain, rules.Producer, rules.MissedBlocksThreshold) is not null || FinalizerSilence.Current(chain) is not null;
        return missing && (head.Number != last.HeadBlockNum || followedLib != last.LastIrreversibleBlockNum);
    }

    /// <summary>
    /// The events of one poll: a judgement for each endpoint that changed, then — when the poll followed an endpoint,
    /// read the data centers' nodes and a sample is due — the participation sample.
    /// </summary>
    public static IReadOnlyList<IObserverEvent> Decide(ObserverState state, ObservedChain chain, ObserverPoll poll, ObserverRules rules)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(poll);
        ArgumentNullException.ThrowIfNull(rules);
        var verdicts = poll.Endpoints
            .Select(check => EndpointJudgement.Judge(check, state.Endpoints.GetValueOrDefault(check.Endpoint), poll.ChainId, poll.Now, rules.StaleAfter))
            .ToList();
        var events = new List<IObserverEvent>(EndpointJudgement.Changes(rules.ObserverId, verdicts, state, poll.Now));
        if (poll is { Followed: { } followed, DataCenterNodes: { } nodes, ChainId: { } chainId }
            && IsSampleDue(state, chain, followed.LastIrreversibleBlockNum, poll.Now, rules))
        {
            events.Add(Sample(chain, chainId, poll, followed, verdicts, nodes, rules));
        }

        return events;
    }

    /// <summary>
    /// The participation sample. Each endpoint is listed with its judgement of this poll: healthy only when it is
    /// trusted (<see cref="EndpointJudgement.Judge"/> gave no reason). A <em>stale</em> endpoint is not healthy, so it
    /// does not count toward the endpoints that agree (issue 15, finding 5): compared at its own old head it agrees
    /// with every branch that extends that head — the followed one, and any other fork alike — and so shows nothing
    /// about which branch is the chain; counted, one halted endpoint and the followed one on a minority side made
    /// 2 of 3. It is still listed, with whether its old head is on the recorded chain. The followed endpoint's LIB is
    /// recorded as reported, with whether it is a block of the recorded chain (<see cref="ObserverState.LibAdvancedAt"/>).
    /// </summary>
    private static ParticipationSampled Sample(
        ObservedChain chain, string chainId, ObserverPoll poll, FollowedEndpoint followed, List<EndpointVerdict> verdicts, IReadOnlyList<DataCenterNodeView> nodes, ObserverRules rules)
    {
        var head = chain.Head!;
        var schedule = chain.CurrentSchedule!.Schedule;
        var endpoints = poll.Endpoints.Select((check, i) => new EndpointView(check.Endpoint, verdicts[i].Healthy, check.HeadBlockNum, check.Agrees ?? false)).ToList();
        return new ParticipationSampled(
            chainId,
            rules.ObserverId,
            poll.Now,
            head.Number,
            head.Id,
            BlockTimestamp.FromSlot(head.Slot),
            followed.LastIrreversibleBlockNum,
            followed.LastIrreversibleBlockId,
            schedule.Version,
            schedule.Producers.Count,
            Participation.LastFullRound(chain, rules.Producer),
            Participation.SlidingWindow(chain, rules.Producer),
            endpoints,
            nodes,
            Participation.CurrentMissedRun(chain, rules.Producer, rules.MissedBlocksThreshold)?.Missed ?? 0,
            chain.Blocks.TryGetValue(followed.LastIrreversibleBlockNum, out var lib) && lib.Id == followed.LastIrreversibleBlockId);
    }
}
