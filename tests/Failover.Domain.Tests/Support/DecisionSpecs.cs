using System.Text;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Domain.Tests.Support;

/// <summary>
/// The evidence of a healthy incident, written by hand: our producer "ours" (21 producers, so 20 others) missed its
/// window, data center dc-a holds the key in force (our authority is its key alone) and is down, dc-b (priority 2,
/// with a finalizer key and a fresh node) is the standby, dc-c (priority 3) has no node. Every gate of design §5 holds
/// in it, so a test changes one thing and sees one gate move.
/// </summary>
internal static class DecisionFixtures
{
    public const string Producer = "ours";

    /// <summary>A BLS finalizer key as Spring writes it (opaque to the domain).</summary>
    public const string FinalizerKeyB = "PUB_BLS_6j4Y3LfsRiBxY-DgvqrZNMCttHftBQPIWwDiN2CMhHWULjN1nGwM1O_nEEJefqwAG4X09n4Kdt4a1mfZ1ES1cLGjQo6uLLSloiVW4i9BUhMHU2nVujP1_U_9ihdI3egZ17N-iA";

    /// <summary>Our first missed slot (any slot: the policy only compares times and numbers).</summary>
    public const uint IncidentSlot = 1_565_941_248;

    public const uint RevealingBlock = 1000;

    /// <summary>The evaluation time of the evidence.</summary>
    public static readonly DateTimeOffset T = new(2024, 10, 23, 3, 48, 0, TimeSpan.Zero);

    public static readonly string KeyA = TestKeys.Derive("dc-a").ToString();

    /// <summary>Stands for <see cref="KeyA"/> where a constant is needed (an optional parameter's default).</summary>
    public const string KeyAText = "dc-a's key";
    public static readonly string KeyB = TestKeys.Derive("dc-b").ToString();
    public static readonly string KeyC = TestKeys.Derive("dc-c").ToString();

    public static DataCenterEvidence DcA { get; } = new("dc-a", 1, KeyA, null, true, null, "connection refused");

    public static DataCenterEvidence DcB { get; } = new("dc-b", 2, KeyB, FinalizerKeyB, true, T.AddSeconds(-1), null);

    public static DataCenterEvidence DcC { get; } = new("dc-c", 3, KeyC, null, false, null, null);

    /// <summary>Participation of the others: <paramref name="producing"/> of <paramref name="scheduled"/> produced.</summary>
    public static ParticipationFigures Figures(int scheduled, int producing) =>
        new(IncidentSlot - 240, IncidentSlot - 1, scheduled, producing, [.. Enumerable.Range(0, scheduled - producing).Select(i => $"other{i}")], scheduled * 12, producing * 12);

    public static IncidentEvidence Incident(uint firstMissedSlot = IncidentSlot, DateTimeOffset? at = null) =>
        new(firstMissedSlot, BlockTimestamp.FromSlot(firstMissedSlot), 12, RevealingBlock, TestChain.Id("main", RevealingBlock), (at ?? T).AddSeconds(-2));

    /// <summary>
    /// Every gate holds at <paramref name="at"/> (T by default): scheduled; automation on; no rotation yet; head 0.5 s
    /// old; LIB 1001 (past the revealing block 1000, on the recorded chain) advanced 1 s ago; the revealing block was
    /// seen 2 s ago; all 20 others produced in the last round, the sliding window and since the incident; 3 of 3
    /// endpoints agree; dc-b's node head is 1 s old.
    /// </summary>
    public static Evidence Healthy(ConsensusKind consensus = ConsensusKind.Savanna, DateTimeOffset? at = null)
    {
        var now = at ?? T;
        return new Evidence(
            Producer,
            now,
            consensus,
            Incident(at: now),
            null,
            new ScheduleEvidence(true, 7, 21, [KeyA], SigningAuthority.SingleKey(KeyA)),
            new ChainEvidence(
                1003, TestChain.Id("main", 1003), now.AddMilliseconds(-500),
                1001, TestChain.Id("main", 1001), now.AddSeconds(-1), true,
                Figures(20, 20), Figures(20, 20), Figures(20, 20),
                3, 3),
            new ProcessEvidence(false, false, null, null, []),
            [DcA, DcB with { NodeHeadTime = now.AddSeconds(-1) }, DcC]);
    }

    public static Evidence WithChain(this Evidence evidence, Func<ChainEvidence, ChainEvidence> change) => evidence with { Chain = change(evidence.Chain) };

    public static Evidence WithProcess(this Evidence evidence, Func<ProcessEvidence, ProcessEvidence> change) => evidence with { Process = change(evidence.Process) };

    public static Evidence WithSchedule(this Evidence evidence, Func<ScheduleEvidence, ScheduleEvidence> change) => evidence with { Schedule = change(evidence.Schedule) };

    /// <summary>Our authority in the schedule in force, as the evidence builder records it: its keys and the authority with threshold and weights.</summary>
    public static Evidence WithAuthority(this Evidence evidence, uint threshold, params (string Key, ushort Weight)[] keys) =>
        evidence.WithSchedule(s => s with
        {
            ActiveKeys = [.. keys.Select(k => k.Key)],
            Authority = new SigningAuthority(threshold, [.. keys.Select(k => new ScheduleKey(k.Key, k.Weight))]),
        });

    /// <summary>Our producer not in the schedule in force: no keys, no authority.</summary>
    public static Evidence NotScheduled(this Evidence evidence) =>
        evidence.WithSchedule(s => s with { Scheduled = false, ActiveKeys = [], Authority = null });

    public static Evidence WithDataCenters(this Evidence evidence, params DataCenterEvidence[] dataCenters) => evidence with { DataCenters = dataCenters };

    public static Evidence WithManual(this Evidence evidence, string dataCenter) =>
        evidence with { Manual = new ManualRequest(dataCenter, "operator", "drill", evidence.EvaluatedAt.AddSeconds(-5)) };

    /// <summary>The revealing block not final yet: the LIB (on the recorded chain) is just below it.</summary>
    public static Evidence RevealingBlockNotFinal(this Evidence evidence) =>
        evidence.WithChain(c => c with { LastIrreversibleBlockNum = RevealingBlock - 1, LastIrreversibleBlockId = TestChain.Id("main", RevealingBlock - 1) });
}

/// <summary>Given evidence, When the policy evaluates it, Then the outcome, reasons, target and gates are as the design says.</summary>
internal sealed class PolicySpec
{
    private Decision? _decision;

    private PolicySpec(Evidence evidence) => Evidence = evidence;

    public Evidence Evidence { get; }

    public FailoverPolicy Policy { get; private set; } = new();

    public Decision Decision => _decision ?? throw new InvalidOperationException("When(...) was not called.");

    public static PolicySpec Given(Evidence evidence) => new(evidence);

    public PolicySpec When(FailoverPolicy? policy = null)
    {
        Policy = policy ?? new FailoverPolicy();
        _decision = Failover.Domain.Decisions.Policy.Evaluate(Evidence, Policy);
        return this;
    }

    public GateResult Gate(string reason) => Decision.Gates.Single(g => g.Reason == reason);

    /// <summary>Rotate to <paramref name="target"/>: no reason, every gate passed (or, for a manual request, overridden), none waiting unanswered.</summary>
    public PolicySpec ThenTrigger(string target)
    {
        Assert.Equal(DecisionOutcome.Trigger, Decision.Outcome);
        Assert.Empty(Decision.Reasons);
        Assert.Equal(target, Decision.TargetDataCenter);
        Assert.All(Decision.Gates, g => Assert.True(g.Passed || g.Overridden, $"{g.Reason}: {g.Detail}"));
        if (Evidence.Manual is null)
        {
            Assert.All(Decision.Gates, g => Assert.True(g.Passed && !g.Pending && !g.Overridden, $"{g.Reason}: {g.Detail}"));
        }

        Assert.Equal(Policy.Hash(), Decision.PolicyHash);
        return this;
    }

    /// <summary>Do not rotate, for exactly these reasons in this order; each is a failed gate, neither pending nor overridden.</summary>
    public PolicySpec ThenSuppress(params string[] reasons)
    {
        Assert.Equal(DecisionOutcome.Suppress, Decision.Outcome);
        Assert.Equal(reasons, Decision.Reasons);
        Assert.Null(Decision.TargetDataCenter);
        foreach (var reason in reasons)
        {
            ThenGateFailed(reason);
        }

        Assert.Equal(Policy.Hash(), Decision.PolicyHash);
        return this;
    }

    /// <summary>Nothing failed, but exactly these gates are still waiting for evidence.</summary>
    public PolicySpec ThenWait(params string[] pending)
    {
        Assert.Equal(DecisionOutcome.Wait, Decision.Outcome);
        Assert.Empty(Decision.Reasons);
        Assert.Null(Decision.TargetDataCenter);
        Assert.Equal(pending, Decision.Gates.Where(g => g.Pending && !g.Overridden).Select(g => g.Reason));
        return this;
    }

    public PolicySpec ThenGatePassed(string reason)
    {
        var gate = Gate(reason);
        Assert.True(gate.Passed && !gate.Pending && !gate.Overridden, $"{reason} should pass: {gate}");
        return this;
    }

    public PolicySpec ThenGateFailed(string reason)
    {
        var gate = Gate(reason);
        Assert.True(!gate.Passed && !gate.Pending && !gate.Overridden, $"{reason} should fail: {gate}");
        return this;
    }

    public PolicySpec ThenGatePending(string reason)
    {
        var gate = Gate(reason);
        Assert.True(!gate.Passed && gate.Pending && !gate.Overridden, $"{reason} should wait: {gate}");
        return this;
    }

    /// <summary>The gate did not hold, and the operator's request overrides it: recorded, not blocking.</summary>
    public PolicySpec ThenGateOverridden(string reason)
    {
        var gate = Gate(reason);
        Assert.True(!gate.Passed && gate.Overridden, $"{reason} should be overridden: {gate}");
        return this;
    }

    /// <summary>The gate's detail names each of <paramref name="facts"/> (what an operator reads in the audit trail).</summary>
    public PolicySpec ThenDetailMentions(string reason, params string[] facts)
    {
        var detail = Gate(reason).Detail;
        foreach (var fact in facts)
        {
            Assert.Contains(fact, detail, StringComparison.Ordinal);
        }

        return this;
    }
}

/// <summary>
/// Given the process stream's events, When a command is decided, Then exactly these events (compared by stable type
/// name and payload), nothing, or a refusal. <see cref="After"/> is the stream folded with the decided events.
/// </summary>
internal sealed class ProcessSpec
{
    private ProcessDecision? _decision;

    private ProcessSpec(IEnumerable<IProcessEvent> history)
    {
        History = [.. history];
        Before = ProcessHistory.Fold(History);
    }

    public IReadOnlyList<IProcessEvent> History { get; }

    public FailoverProcess Before { get; }

    public ProcessDecision Decision => _decision ?? throw new InvalidOperationException("When(...) was not called.");

    public FailoverProcess After => Decision.Events.Aggregate(Before, (state, e) => state.Apply(e));

    /// <summary>The history followed by the decided events: the next test's Given.</summary>
    public IReadOnlyList<IProcessEvent> Stream => [.. History, .. Decision.Events];

    public static ProcessSpec Given(params IEnumerable<IProcessEvent> history) => new(history);

    public ProcessSpec When(FailoverCommand command)
    {
        _decision = FailoverDecider.Decide(command, Before, DecisionFixtures.Producer);
        return this;
    }

    public ProcessSpec Then(params IEnumerable<IProcessEvent> expected)
    {
        Assert.Null(Decision.Refusal);
        Assert.Equal(Canonical(expected), Canonical(Decision.Events));
        return this;
    }

    /// <summary>Accepted, and these event types in this order (for events whose payloads are checked field by field).</summary>
    public ProcessSpec ThenTypes(params Type[] types)
    {
        Assert.Null(Decision.Refusal);
        Assert.Equal(types, Decision.Events.Select(e => e.GetType()));
        return this;
    }

    public ProcessSpec ThenNothing()
    {
        Assert.Null(Decision.Refusal);
        Assert.Empty(Decision.Events);
        return this;
    }

    public ProcessSpec ThenRefused(params string[] mentions)
    {
        Assert.Empty(Decision.Events);
        Assert.NotNull(Decision.Refusal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, Decision.Refusal, StringComparison.Ordinal);
        }

        return this;
    }

    public T Single<T>()
        where T : IProcessEvent => Assert.Single(Decision.Events.OfType<T>());

    public static List<string> Canonical(IEnumerable<IProcessEvent> events) => [.. events.Select(Canonical)];

    public static string Canonical(IProcessEvent e) => EventCatalogue.Of(e.GetType()).Name + " " + Encoding.UTF8.GetString(EventCatalogue.Serialize(e));
}

/// <summary>Process stream events written by hand (the transaction bytes of a hand-written request are placeholders).</summary>
internal static class ProcessHistory
{
    public const string Permission = "failover";

    public static FailoverProcess Fold(IEnumerable<IProcessEvent> events) => events.Aggregate(FailoverProcess.Initial, (state, e) => state.Apply(e));

    public static string MissedIncident(uint slot = DecisionFixtures.IncidentSlot) => "missed-" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string TransactionIdOf(string rotationId) => Checksum256.Hash(Encoding.UTF8.GetBytes(rotationId)).ToString();

    public static FailoverTriggered Triggered(string incident, DateTimeOffset at, FailoverPolicy? policy = null, string target = "dc-b", string? manualTo = null)
    {
        policy ??= new FailoverPolicy();
        var evidence = DecisionFixtures.Healthy() with { EvaluatedAt = at };
        if (manualTo is not null)
        {
            evidence = evidence.WithManual(manualTo);
        }

        var key = target == "dc-c" ? DecisionFixtures.KeyC : DecisionFixtures.KeyB;
        return new FailoverTriggered(DecisionFixtures.Producer, incident, target, key, new Decision(DecisionOutcome.Trigger, [], target, [], policy.Hash()), evidence, policy, at);
    }

    /// <summary>A rotation requested at <paramref name="at"/>, replacing dc-a's key (as the producers table showed it) unless <paramref name="replaces"/> says otherwise.</summary>
    public static KeyRotationRequested Requested(string rotationId, string incident, DateTimeOffset at, string target = "dc-b", DateTimeOffset? expiration = null, string? replaces = DecisionFixtures.KeyAText) => new(
        DecisionFixtures.Producer, incident, rotationId, target, target == "dc-c" ? DecisionFixtures.KeyC : DecisionFixtures.KeyB, target == "dc-b" ? DecisionFixtures.FinalizerKeyB : null,
        Permission, TestChain.ChainId, TransactionIdOf(rotationId), "00", expiration ?? at.AddSeconds(60),
        target == "dc-b" ? ["eosio::regproducer", "eosio::actfinkey"] : ["eosio::regproducer"], at, replaces == DecisionFixtures.KeyAText ? DecisionFixtures.KeyA : replaces);

    /// <summary>An automatic rotation decided and requested at <paramref name="at"/>.</summary>
    public static IProcessEvent[] Rotation(string rotationId, string incident, DateTimeOffset at, FailoverPolicy? policy = null, DateTimeOffset? expiration = null) =>
        [Triggered(incident, at, policy), Requested(rotationId, incident, at, expiration: expiration)];

    public static KeyRotationSubmitted Submitted(string rotationId, DateTimeOffset at, string outcome = PushOutcomes.Accepted, string endpoint = "https://api.example") =>
        new(DecisionFixtures.Producer, rotationId, TransactionIdOf(rotationId), endpoint, outcome, "executed", at);

    public static KeyRotationFailed Failed(string rotationId, string reason, DateTimeOffset at) =>
        new(DecisionFixtures.Producer, rotationId, TransactionIdOf(rotationId), reason, null, null, reason, at);

    public static KeyRotated Rotated(string rotationId, DateTimeOffset at, string? key = null) => new(DecisionFixtures.Producer, rotationId, key ?? DecisionFixtures.KeyB, at);

    public static SigningKeyActivated Activated(string rotationId, DateTimeOffset at, uint version = 8, string? key = null) => new(DecisionFixtures.Producer, rotationId, key ?? DecisionFixtures.KeyB, version, at);

    public static FailoverCompleted Completed(string rotationId, DateTimeOffset at, string? key = null) =>
        new(DecisionFixtures.Producer, rotationId, "dc-b", key ?? DecisionFixtures.KeyB, 2000, TestChain.Id("main", 2000), at);

    /// <summary>A whole automatic rotation, from the decision to the first block of the standby.</summary>
    public static IProcessEvent[] CompletedRotation(string rotationId, string incident, DateTimeOffset at, FailoverPolicy? policy = null) =>
    [
        .. Rotation(rotationId, incident, at, policy),
        Submitted(rotationId, at.AddSeconds(1)),
        Rotated(rotationId, at.AddSeconds(2)),
        Activated(rotationId, at.AddSeconds(60)),
        Completed(rotationId, at.AddSeconds(61)),
    ];

    /// <summary>What the decider records with the rotation that reaches the cap.</summary>
    public static AutomationLatched Latched(string incident, int rotations, int cap, DateTimeOffset at) => new(DecisionFixtures.Producer, incident, rotations, cap, at);

    public static ManualFailoverRequested ManualRequested(string dataCenter, DateTimeOffset at) => new(DecisionFixtures.Producer, dataCenter, "operator", "drill", at);

    public static AutomationPaused Paused(DateTimeOffset at) => new(DecisionFixtures.Producer, "operator", "maintenance", at);

    public static AutomationResumed Resumed(DateTimeOffset at) => new(DecisionFixtures.Producer, "operator", "done", at);

    public static AutomationRearmed Rearmed(DateTimeOffset at) => new(DecisionFixtures.Producer, "operator", "checked", at);
}
