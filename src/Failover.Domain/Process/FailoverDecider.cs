using System.Globalization;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;

namespace Failover.Domain.Process;

/// <summary>What the shell read from the chain to build a rotation transaction: TaPoS, expiration, and the row to keep.</summary>
/// <param name="RefBlockId">An irreversible block (the LIB), so the transaction is valid on any fork above it.</param>
/// <param name="Registered">What the producers table registers now: the authority the rotation replaces (null only when an audit rebuilds a request from before it was recorded).</param>
public sealed record RotationDraft(string ChainId, string RefBlockId, DateTimeOffset Expiration, string Permission, string Url, ushort Location, SigningAuthority? Registered);

/// <summary>How a push ended, as data (the <c>PushOutcomeKind</c> of <c>Failover.Antelope.Chain.TransactionPush</c>).</summary>
public sealed record PushResult(string Outcome, string Detail, long? ErrorCode = null, string? ErrorName = null);

/// <summary>A command to the failover process (a closed set).</summary>
public abstract record FailoverCommand
{
    private FailoverCommand()
    {
    }

    /// <summary>
    /// Decide on the evidence: trigger (and request the transaction), suppress (once per incident and reason) or wait.
    /// Without a <paramref name="Draft"/> (the producers table could not be read) a suppression is still recorded, but
    /// nothing is triggered: <c>regproducer</c> rewrites the whole row, so no rotation is built without it.
    /// </summary>
    public sealed record Evaluate(Evidence Evidence, FailoverPolicy Policy, RotationDraft? Draft) : FailoverCommand;

    public sealed record RecordPush(string RotationId, string Endpoint, PushResult Result, DateTimeOffset At) : FailoverCommand;

    /// <summary>The rotation was recorded but not sent: DryRun.</summary>
    public sealed record RecordNotSent(string RotationId, DateTimeOffset At) : FailoverCommand;

    /// <summary>What the producers table registers for our producer now (<see cref="SigningAuthority.Registered"/>).</summary>
    public sealed record ObserveRegistration(SigningAuthority Registered, DateTimeOffset At) : FailoverCommand;

    /// <summary>Our block signing authority in the schedule in force (null when we are not scheduled).</summary>
    public sealed record ObserveSchedule(uint Version, SigningAuthority? OurAuthority, DateTimeOffset At) : FailoverCommand;

    /// <summary>A block of ours and the key its signature recovers to.</summary>
    public sealed record ObserveOurBlock(uint BlockNum, string BlockId, string? SigningKey, DateTimeOffset At) : FailoverCommand;

    /// <summary>
    /// The LIB's block time, and what the producers table registers now as an agreeing endpoint that has applied that LIB
    /// read it (null: no such reading). A rotation whose expiration lies before the LIB and whose replaced authority is
    /// still registered can never apply.
    /// </summary>
    public sealed record ObserveFinality(DateTimeOffset LibBlockTime, SigningAuthority? Registered, DateTimeOffset At) : FailoverCommand;

    /// <summary>The recorded transaction is not one the service would build (<see cref="SigningCheck"/>): it is not signed.</summary>
    public sealed record RefuseToSign(string RotationId, string Problems, DateTimeOffset At) : FailoverCommand;

    public sealed record Pause(string By, string Reason, DateTimeOffset At) : FailoverCommand;

    public sealed record Resume(string By, string Reason, DateTimeOffset At) : FailoverCommand;

    public sealed record Rearm(string By, string Reason, DateTimeOffset At) : FailoverCommand;

    public sealed record RequestManualFailover(string DataCenter, string By, string Reason, DateTimeOffset At) : FailoverCommand;
}

/// <summary>The events a command leads to, or why it was refused.</summary>
public sealed record ProcessDecision(IReadOnlyList<IProcessEvent> Events, string? Refusal = null)
{
    public static ProcessDecision Nothing { get; } = new([]);

    public static ProcessDecision Refused(string why) => new([], why);
}

/// <summary>
/// The failover process as a decider (design §3): <c>Decide(command, state) → events</c> and <c>Evolve</c>
/// (<see cref="FailoverProcess.Apply"/>). Pure: the process manager gathers the inputs, appends the events with the
/// stream's expected version (the fence between several service instances), and only then acts on them.
/// </summary>
public static class FailoverDecider
{
    public static ProcessDecision Decide(FailoverCommand command, FailoverProcess state, string producer)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        return command switch
        {
            FailoverCommand.Evaluate c => Evaluate(c, state, producer),
            FailoverCommand.RecordPush c => RecordPush(c, state, producer),
            FailoverCommand.RecordNotSent c when state.Phase is Phase.Requested { Rotation: var r } && r.RotationId == c.RotationId =>
                new([new KeyRotationFailed(producer, r.RotationId, r.TransactionId, RotationFailures.DryRun, null, null, "DryRun: recorded, not sent", c.At)]),
            FailoverCommand.ObserveRegistration c => FollowRegistration(c, state, producer),
            FailoverCommand.ObserveSchedule c => FollowSchedule(c, state, producer),
            FailoverCommand.ObserveOurBlock c => FollowBlock(c, state, producer),
            FailoverCommand.ObserveFinality c => Expire(c, state, producer),
            FailoverCommand.RefuseToSign c when state.Phase is Phase.Requested or Phase.Submitted && state.CurrentRotation is { } r && r.RotationId == c.RotationId =>
                new([new KeyRotationFailed(producer, r.RotationId, r.TransactionId, RotationFailures.RefusedToSign, null, null, c.Problems, c.At)]),
            FailoverCommand.Pause c => state.AutomationPaused
                ? ProcessDecision.Refused("automation is already paused")
                : new([new AutomationPaused(producer, c.By, c.Reason, c.At)]),
            FailoverCommand.Resume c => !state.AutomationPaused
                ? ProcessDecision.Refused("automation is not paused")
                : new([new AutomationResumed(producer, c.By, c.Reason, c.At)]),
            FailoverCommand.Rearm c => !state.Latched && state.AutomaticRotations.IsEmpty
                ? ProcessDecision.Refused("automation is not latched and no rotation counts towards the cap")
                : new([new AutomationRearmed(producer, c.By, c.Reason, c.At)]),
            FailoverCommand.RequestManualFailover c => state.PendingManual is not null
                ? ProcessDecision.Refused($"a manual failover to {state.PendingManual.DataCenter} is already waiting to be decided")
                : state.RotationInFlight
                    ? ProcessDecision.Refused($"rotation {state.CurrentRotation!.RotationId} is in flight")
                    : new([new ManualFailoverRequested(producer, c.DataCenter, c.By, c.Reason, c.At)]),
            _ => ProcessDecision.Nothing,
        };
    }

    private static ProcessDecision Evaluate(FailoverCommand.Evaluate c, FailoverProcess state, string producer)
    {
        var evidence = c.Evidence;
        string incident;
        if (evidence.Manual is not null)
        {
            if (state.PendingManualIncident is not { } manual)
            {
                return ProcessDecision.Nothing;
            }

            incident = manual;
        }
        else if (evidence.Incident is { } missed)
        {
            incident = IncidentIds.For(missed);
            if (state.HandledIncident == incident)
            {
                return ProcessDecision.Nothing;
            }
        }
        else
        {
            return ProcessDecision.Nothing;
        }

        var decision = Policy.Evaluate(evidence, c.Policy);
        switch (decision.Outcome)
        {
            case DecisionOutcome.Suppress:
                var known = state.SuppressedIncident == incident ? state.SuppressedReasons : [];
                return evidence.Manual is null && decision.Reasons.All(known.Contains)
                    ? ProcessDecision.Nothing
                    : new([new FailoverSuppressed(producer, incident, decision.Reasons, decision, evidence, c.Policy, evidence.EvaluatedAt)]);
            case DecisionOutcome.Trigger when c.Draft is { } draft:
                var target = evidence.DataCenters.First(d => d.Name == decision.TargetDataCenter);
                var requested = Request(draft, target, evidence.Consensus, producer, incident, $"rotation-{state.EventCount + 1}", evidence.EvaluatedAt);
                var triggered = new FailoverTriggered(producer, incident, target.Name, target.SigningKey, decision, evidence, c.Policy, evidence.EvaluatedAt);
                var before = state.RotationsWithin24h(evidence.EvaluatedAt);
                return RotationCap.IsReachedBy(triggered, before)
                    ? new([triggered, requested, new AutomationLatched(producer, incident, before + 1, c.Policy.MaxRotationsPer24h, evidence.EvaluatedAt)])
                    : new([triggered, requested]);
            default:
                return ProcessDecision.Nothing;
        }
    }

    /// <summary>
    /// The exact unsigned transaction (<see cref="RotationTransaction"/>), and what it replaces: a single key as
    /// <c>replaces_key</c>, any other authority as <c>replaces_authority</c>.
    /// </summary>
    private static KeyRotationRequested Request(RotationDraft draft, DataCenterEvidence target, ConsensusKind consensus, string producer, string incident, string rotationId, DateTimeOffset at)
    {
        var finalizerKey = FinalizerKeyRule.ActivatesFinalizerKey(consensus, target) ? target.FinalizerKey : null;
        var rotation = RotationTransaction.Build(
            Checksum256.Parse(draft.ChainId), Checksum256.Parse(draft.RefBlockId), draft.Expiration, producer, draft.Permission,
            target.SigningKey, target.SigningAuthority, draft.Url, draft.Location, finalizerKey);
        var transaction = rotation.ToTransaction();
        var replaced = draft.Registered;
        return new KeyRotationRequested(
            producer, incident, rotationId, target.Name, target.SigningKey, finalizerKey, draft.Permission, draft.ChainId,
            transaction.Id.ToString(), Convert.ToHexStringLower(transaction.Pack()), draft.Expiration, rotation.ActionNames, at,
            replaced is { IsSingleKey: true } ? replaced.Keys[0].Key : null,
            target.SigningAuthority,
            replaced is { IsSingleKey: false } ? replaced : null);
    }

    /// <summary>
    /// A push's outcome: a refusal a retry cannot fix ends the rotation (rejected, the incident left to an operator); any
    /// other outcome is recorded as a push — taken, lost, or refused for a cause that proves it was not applied — and
    /// <see cref="RotationFollowUp.NextPush"/> says whether and when the same bytes go out again.
    /// </summary>
    private static ProcessDecision RecordPush(FailoverCommand.RecordPush c, FailoverProcess state, string producer)
    {
        if (state.Phase is not (Phase.Requested or Phase.Submitted) || state.CurrentRotation is not { } rotation || rotation.RotationId != c.RotationId)
        {
            return ProcessDecision.Refused($"rotation {c.RotationId} is not waiting for a push");
        }

        return c.Result.Outcome == PushOutcomes.Rejected
            ? new([new KeyRotationFailed(producer, rotation.RotationId, rotation.TransactionId, RotationFailures.Rejected, c.Result.ErrorCode, c.Result.ErrorName, c.Result.Detail, c.At)])
            : new([new KeyRotationSubmitted(producer, rotation.RotationId, rotation.TransactionId, c.Endpoint, c.Result.Outcome, c.Result.Detail, c.At, c.Result.ErrorCode, c.Result.ErrorName)]);
    }

    /// <summary>
    /// The producers table as an agreeing endpoint shows it now: the target's authority → rotated; one that is neither
    /// the target's nor the one the rotation replaces → someone else rotated meanwhile (another store, an operator):
    /// superseded, and nothing more is sent — pushing now would move the producer off a key chosen after ours.
    /// </summary>
    private static ProcessDecision FollowRegistration(FailoverCommand.ObserveRegistration c, FailoverProcess state, string producer)
    {
        if (state.Phase is not (Phase.Requested or Phase.Submitted) || state.CurrentRotation is not { } r)
        {
            return ProcessDecision.Nothing;
        }

        if (c.Registered.SameAs(r.Target))
        {
            return new([new KeyRotated(producer, r.RotationId, r.TargetKey, c.At)]);
        }

        return r.Replaces is { } replaced && !c.Registered.SameAs(replaced)
            ? new([KeyRotationFailed.FromReading(producer, r, RotationFailures.Superseded,
                $"the producers table registers {c.Registered.Describe()}, neither {replaced.Describe()}, which this rotation replaces, nor its target {r.Target.Describe()}: the key was changed by someone else, so this transaction is not sent again",
                c.At, c.Registered)])
            : ProcessDecision.Nothing;
    }

    /// <summary>
    /// The schedule carries the target key — it alone satisfies our authority there (<see cref="KeyInForce"/>), so the
    /// target's node can sign our blocks. The table must have shown it first, so any step not yet recorded is recorded
    /// in order.
    /// </summary>
    private static ProcessDecision FollowSchedule(FailoverCommand.ObserveSchedule c, FailoverProcess state, string producer)
    {
        if (!state.RotationInFlight || state.CurrentRotation is not { } r || !KeyInForce.IsInForce(c.OurAuthority, r.TargetKey))
        {
            return ProcessDecision.Nothing;
        }

        var events = new List<IProcessEvent>();
        if (state.Phase is not Phase.Rotated)
        {
            events.Add(new KeyRotated(producer, r.RotationId, r.TargetKey, c.At));
        }

        events.Add(new SigningKeyActivated(producer, r.RotationId, r.TargetKey, c.Version, c.At));
        return new(events);
    }

    private static ProcessDecision FollowBlock(FailoverCommand.ObserveOurBlock c, FailoverProcess state, string producer)
    {
        if (state.CurrentRotation is not { } r || !KeyInForce.SameKey(c.SigningKey, r.TargetKey))
        {
            return ProcessDecision.Nothing;
        }

        var events = new List<IProcessEvent>();
        if (state.Phase is Phase.Requested or Phase.Submitted)
        {
            events.Add(new KeyRotated(producer, r.RotationId, r.TargetKey, c.At));
        }

        if (state.Phase is not Phase.Activated)
        {
            events.Add(new SigningKeyActivated(producer, r.RotationId, r.TargetKey, 0, c.At));
        }

        events.Add(new FailoverCompleted(producer, r.RotationId, r.TargetDataCenter, r.TargetKey, c.BlockNum, c.BlockId, c.At));
        return new(events);
    }

    /// <summary>
    /// Expired only on a positive reading: the LIB's block time is past the expiration and the producers table, read now
    /// by an agreeing endpoint that has applied that LIB, still shows the key the rotation replaces (for a request from
    /// before that was recorded: any key but the target). An unknown reading decides nothing — a lost-reply push that
    /// applied must not be taken for an expired one.
    /// </summary>
    private static ProcessDecision Expire(FailoverCommand.ObserveFinality c, FailoverProcess state, string producer)
    {
        if (state.Phase is not (Phase.Requested or Phase.Submitted) || state.CurrentRotation is not { } r
            || c.LibBlockTime <= r.Expiration || c.Registered is not { } registered || registered.SameAs(r.Target)
            || (r.Replaces is { } replaced && !registered.SameAs(replaced)))
        {
            return ProcessDecision.Nothing;
        }

        var detail = string.Create(CultureInfo.InvariantCulture,
            $"expired at {r.Expiration:yyyy-MM-ddTHH:mm:ss}Z; the LIB's block time {c.LibBlockTime:yyyy-MM-ddTHH:mm:ss.fff}Z is later and the producers table still registers the key it replaces, so it can never apply");
        return new([KeyRotationFailed.FromReading(producer, r, RotationFailures.Expired, detail, c.At, registered)]);
    }
}
