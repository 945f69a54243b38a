using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Audit.Decisions;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;

namespace Failover.Audit.Verification;

/// <summary>
/// Re-runs <see cref="FailoverDecider"/> over one process stream (<c>failover-&lt;producer&gt;</c>), on the fold of the
/// stream before each event (<see cref="FailoverProcess"/>), with the command the process manager (or an operator)
/// would have issued, and reports every recorded event the decider would not have produced, and every event it
/// produces with a decision that the stream lacks.
/// <list type="bullet">
/// <item>A decision (<c>failover-triggered.v1</c>, <c>failover-suppressed.v1</c>) is the decider's answer to
/// <see cref="FailoverCommand.Evaluate"/> on its evidence and policy — the evidence the <c>evidence</c> check proves is
/// what the log gives at the decision's cause, the policy the configuration recorded with it. The decider records
/// nothing for an incident already handled or a suppression already recorded for the incident and reason; else its
/// events must be the recorded ones, every field: the decision, then (a trigger) the request and, when the rotation
/// reaches the cap, <c>automation-latched.v1</c>. The request's transaction is built from what the log holds — the
/// chain, the LIB of the sample the decision was evaluated at (its TaPoS block), the rotation id from the stream's
/// version — and from what it does not: the expiration and permission (configuration) as recorded, the URL and
/// location the producers table held (read from the recorded transaction's <c>regproducer</c>).</item>
/// <item>Every other event must be the first the decider records for the command it answers, built from the event and
/// the log: a push outcome (<see cref="FailoverCommand.RecordPush"/>), a dry run, an expiry (the LIB time the event
/// states), the producers table showing the key, the schedule activating it (the schedule of that version the chain
/// stream records), the block of ours signed by it (the block the chain stream records), and the operator's commands.</item>
/// </list>
/// What the decider cannot see is not re-derived: an evaluation that recorded nothing is not re-run (the manager skips
/// those it cannot complete), so a decision deleted with everything after it shows only in the stream table or an anchor.
/// </summary>
internal sealed partial class ProcessReplay(string stream, string producer)
{
    private static readonly string ZeroId = Checksum256.Zero.ToString();

    private readonly Dictionary<string, long> _handledAt = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Incident, string Reason), long> _suppressedAt = [];
    private OpenDecision? _open;

    /// <summary>The process as the stream folds so far (the decider's state for the next event).</summary>
    public FailoverProcess State { get; private set; } = FailoverProcess.Initial;

    /// <summary>Recorded events the decider produced exactly.</summary>
    public int Rederived { get; private set; }

    /// <summary>A decision whose other events (request, latch) are still to come in the stream.</summary>
    private sealed class OpenDecision(long position, string type, FailoverCommand.Evaluate command, FailoverProcess before, IReadOnlyList<IProcessEvent> decided, FailoverInputs? cause)
    {
        public long Position => position;

        public string Type => type;

        public FailoverCommand.Evaluate Command => command;

        public FailoverProcess Before => before;

        /// <summary>The decider's events for the decision (with a stand-in transaction), the decision first.</summary>
        public IReadOnlyList<IProcessEvent> Decided => decided;

        /// <summary>The folds at the decision's cause, when it was traced: the chain and the LIB its transaction refers to.</summary>
        public FailoverInputs? Cause => cause;

        public int Next { get; set; } = 1;
    }

    /// <summary>
    /// Checks the event against the decider, then folds it. <paramref name="cause"/> is, for a decision, the folds at
    /// its traced cause; <paramref name="chain"/> the followed chain as the log shows it now.
    /// </summary>
    public void Check(long position, string type, IProcessEvent @event, FailoverInputs? cause, ObservedChain chain, List<AuditProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var at = new At(position, type, stream, problems);
        if (_open is { } open)
        {
            if (open.Next < open.Decided.Count && open.Decided[open.Next].GetType() == @event.GetType())
            {
                Follower(open, @event, at);
                if (++open.Next == open.Decided.Count)
                {
                    _open = null;
                }

                Fold(position, @event);
                return;
            }

            Close(problems);
        }

        switch (@event)
        {
            case FailoverTriggered or FailoverSuppressed:
                Decision(@event, cause, at);
                break;
            case KeyRotationRequested or AutomationLatched:
                at.Add($"the failover decider records a {type} only with the trigger it follows, and no failover-triggered.v1 just before it asks for this one");
                break;
            default:
                Step(@event, chain, at);
                break;
        }

        Fold(position, @event);
    }

    /// <summary>The end of the log: what an open decision still lacks.</summary>
    public void Finish(List<AuditProblem> problems) => Close(problems);

    private void Decision(IProcessEvent recorded, FailoverInputs? cause, At at)
    {
        var (evidence, policy) = recorded switch
        {
            FailoverTriggered t => (t.Evidence, t.Policy),
            FailoverSuppressed s => (s.Evidence, s.Policy),
            _ => throw new ArgumentException("not a decision", nameof(recorded)),
        };
        // A stand-in transaction (the request, when recorded, is rebuilt with the real one: Follower).
        var command = new FailoverCommand.Evaluate(evidence, policy, new RotationDraft(
            cause?.Chain.ChainId ?? ZeroId, ZeroId, DateTimeOffset.FromUnixTimeSeconds(evidence.EvaluatedAt.ToUnixTimeSeconds()), "active", string.Empty, 0, null));
        if (Run(command, State, at) is not { } decided)
        {
            return;
        }

        var on = $"the evaluation at {DecisionCheck.Time(evidence.EvaluatedAt)}";
        if (decided.Events.Count == 0)
        {
            at.Add("the failover decider records nothing here: " + WhyNothing(evidence, policy));
        }
        else if (decided.Events[0].GetType() != recorded.GetType())
        {
            at.Add($"the failover decider, re-run on {on}, records {Describe(decided.Events[0])} here, not a {at.Type}");
        }
        else
        {
            Compare(recorded, decided.Events[0], $"the failover decider, re-run on {on}, records this decision otherwise", at);
            if (decided.Events.Count > 1)
            {
                _open = new OpenDecision(at.Position, at.Type, command, State, decided.Events, cause);
            }
        }
    }

    /// <summary>An event the decider records with the decision before it: the request (rebuilt with its transaction), the latch.</summary>
    private void Follower(OpenDecision open, IProcessEvent recorded, At at)
    {
        var what = $"the failover decider, re-run on the decision at position {open.Position}, records this {at.Type} otherwise";
        if (recorded is not KeyRotationRequested request)
        {
            Compare(recorded, open.Decided[open.Next], what, at);
            return;
        }

        var (url, location) = Registration(request);
        var refBlock = open.Cause?.Observer.LatestSample?.LastIrreversibleBlockId;
        var draft = new RotationDraft(open.Cause?.Chain.ChainId ?? request.ChainId, refBlock ?? ZeroId, request.Expiration, request.Permission, url, location, SigningAuthority.Recorded(request.ReplacesKey, request.ReplacesAuthority));
        if (Run(open.Command with { Draft = draft }, open.Before, at) is { Events: var events } && events.Count > open.Next)
        {
            // Without a traced cause the TaPoS block is unknown: the transaction's bytes and id are left to the rotation check.
            Compare(recorded, events[open.Next], what, at, refBlock is null ? ["transaction_id", "packed_transaction"] : []);
        }
    }

    /// <summary>What an open decision's remaining events are, reported at the decision: the log does not hold them.</summary>
    private void Close(List<AuditProblem> problems)
    {
        if (_open is not { } open)
        {
            return;
        }

        var at = new At(open.Position, open.Type, stream, problems);
        foreach (var missing in open.Decided.Skip(open.Next))
        {
            var detail = missing switch
            {
                KeyRotationRequested r => r.RotationId,
                AutomationLatched l => $"the {l.Rotations}th rotation within 24 h reaches the cap of {l.Cap}",
                _ => string.Empty,
            };
            at.Add($"the failover decider records {TypeName(missing)} ({detail}) with this decision, which the log does not hold");
        }

        _open = null;
    }

    private void Step(IProcessEvent recorded, ObservedChain chain, At at)
    {
        if (Command(recorded, chain, at) is not { } command || Run(command, State, at) is not { } decided)
        {
            return;
        }

        var asked = command.GetType().Name;
        if (decided.Refusal is { } refusal)
        {
            at.Add($"the failover decider refuses it ({asked}): {refusal}");
        }
        else if (decided.Events.Count == 0)
        {
            at.Add($"the failover decider records nothing for it ({asked}) in this state: {PhaseOf(State)}");
        }
        else if (decided.Events[0].GetType() != recorded.GetType())
        {
            at.Add($"the failover decider, asked with {asked}, records {string.Join(", ", decided.Events.Select(TypeName))} here: {Describe(decided.Events[0])} is missing before it");
        }
        else
        {
            Compare(recorded, decided.Events[0], $"the failover decider, asked with {asked}, records it otherwise", at);
        }
    }

    /// <summary>The command a recorded step answers, built from the event and, where the log holds it, from the chain stream.</summary>
    private FailoverCommand? Command(IProcessEvent recorded, ObservedChain chain, At at)
    {
        switch (recorded)
        {
            case KeyRotationSubmitted s:
                return new FailoverCommand.RecordPush(s.RotationId, s.Endpoint, new PushResult(s.Outcome, s.Detail, s.ErrorCode, s.ErrorName), s.SubmittedAt);
            case KeyRotationFailed { Reason: RotationFailures.Rejected } f:
                return new FailoverCommand.RecordPush(f.RotationId, "-", new PushResult(PushOutcomes.Rejected, f.Detail, f.ErrorCode, f.ErrorName), f.FailedAt);
            case KeyRotationFailed { Reason: RotationFailures.DryRun } f:
                return new FailoverCommand.RecordNotSent(f.RotationId, f.FailedAt);
            case KeyRotationFailed { Reason: RotationFailures.Expired } f:
                // Logs from before the reading was recorded: any key but the target expired it then.
                return new FailoverCommand.ObserveFinality(LibTime(f.Detail) ?? f.FailedAt, f.Registered() ?? SigningAuthority.SingleKey("(not recorded)"), f.FailedAt);
            case KeyRotationFailed { Reason: RotationFailures.Superseded } f when f.Registered() is { } registered:
                return new FailoverCommand.ObserveRegistration(registered, f.FailedAt);
            case KeyRotationFailed { Reason: RotationFailures.RefusedToSign } f:
                return new FailoverCommand.RefuseToSign(f.RotationId, f.Detail, f.FailedAt);
            case KeyRotationFailed f:
                at.Add($"no command of the failover decider records a failure for the reason '{f.Reason}' ({RotationFailures.Rejected}, {RotationFailures.Expired}, {RotationFailures.Superseded}, {RotationFailures.RefusedToSign} or {RotationFailures.DryRun})");
                return null;
            case KeyRotated k:
                // The table showed the target: its whole authority, which the event names by the target's key.
                return new FailoverCommand.ObserveRegistration(
                    State.CurrentRotation is { } rotation && KeyInForce.SameKey(rotation.TargetKey, k.Key) ? rotation.Target : SigningAuthority.SingleKey(k.Key), k.ObservedAt);
            case SigningKeyActivated { ScheduleVersion: 0 } a:
                // Recorded on a block of ours signed by the key (the schedule's version is not known there).
                return new FailoverCommand.ObserveSchedule(0, SigningAuthority.SingleKey(a.Key), a.ObservedAt);
            case SigningKeyActivated a:
                if (chain.Schedules.LastOrDefault(s => s.Schedule.Version == a.ScheduleVersion) is not { } schedule)
                {
                    at.Add($"the chain stream records no schedule v{a.ScheduleVersion} in force: no schedule change could have activated {a.Key}");
                    return null;
                }

                var ours = schedule.Schedule.Find(Failover.Antelope.Name.Parse(producer));
                return new FailoverCommand.ObserveSchedule(a.ScheduleVersion, ours is null ? null : SigningAuthority.Of(ours.Authority), a.ObservedAt);
            case FailoverCompleted c:
                if (!chain.Blocks.TryGetValue(c.BlockNum, out var block) || block.Id != c.BlockId)
                {
                    at.Add($"block {c.BlockNum} ({c.BlockId}) is not on the branch the chain stream follows: no block of ours shows the rotation complete");
                    return null;
                }

                if (block.Producer.ToString() != producer)
                {
                    at.Add($"block {c.BlockNum} was produced by {block.Producer}, not by {producer}");
                    return null;
                }

                return new FailoverCommand.ObserveOurBlock(block.Number, block.Id, block.SigningKey, block.ObservedAt);
            case AutomationPaused p:
                return new FailoverCommand.Pause(p.By, p.Reason, p.At);
            case AutomationResumed r:
                return new FailoverCommand.Resume(r.By, r.Reason, r.At);
            case AutomationRearmed r:
                return new FailoverCommand.Rearm(r.By, r.Reason, r.At);
            case ManualFailoverRequested m:
                return new FailoverCommand.RequestManualFailover(m.DataCenter, m.By, m.Reason, m.At);
            default:
                at.Add($"the failover decider records no {at.Type}");
                return null;
        }
    }

    private ProcessDecision? Run(FailoverCommand command, FailoverProcess state, At at)
    {
        try
        {
            return FailoverDecider.Decide(command, state, producer);
        }
        catch (Exception e) when (RecordedDecision.IsUnrunnable(e) || e is KeyNotFoundException)
        {
            at.Add($"the failover decider cannot be run on it as recorded: {e.Message}");
            return null;
        }
    }

    /// <summary>Why the decider records nothing for a decision (the decider's own answer, explained from the state it read).</summary>
    private string WhyNothing(Evidence evidence, FailoverPolicy policy)
    {
        if (evidence.Manual is not null)
        {
            return State.PendingManualIncident is null
                ? "no operator's request is waiting to be decided"
                : $"the policy gives {Outcome(evidence, policy)} on the recorded evidence";
        }

        if (evidence.Incident is not { } missed)
        {
            return "the evidence holds neither an incident (a missed run, a silent finalizer) nor an operator's request";
        }

        var incident = IncidentIds.For(missed);
        if (State.HandledIncident == incident)
        {
            return $"incident {incident} is already handled ({RecordedDecision.TriggeredType} at position {_handledAt.GetValueOrDefault(incident)})";
        }

        var decision = Policy.Evaluate(evidence, policy);
        if (decision.Outcome == DecisionOutcome.Suppress)
        {
            var positions = decision.Reasons.Select(r => _suppressedAt.GetValueOrDefault((incident, r))).Distinct().Order().ToList();
            return $"a suppression of incident {incident} for [{string.Join(", ", decision.Reasons)}] is already recorded (position{(positions.Count == 1 ? string.Empty : "s")} {string.Join(", ", positions)})";
        }

        return $"the policy gives {RecordedDecision.Describe(decision)} on the recorded evidence";
    }

    private static string Outcome(Evidence evidence, FailoverPolicy policy) => RecordedDecision.Describe(Policy.Evaluate(evidence, policy));

    private void Fold(long position, IProcessEvent @event)
    {
        switch (@event)
        {
            case FailoverTriggered t:
                _handledAt[t.IncidentId] = position;
                break;
            case FailoverSuppressed s:
                foreach (var reason in s.Reasons)
                {
                    _suppressedAt.TryAdd((s.IncidentId, reason), position);
                }

                break;
        }

        State = State.Apply(@event);
    }

    private void Compare(IProcessEvent recorded, IProcessEvent decided, string what, At at, IReadOnlyList<string>? ignored = null)
    {
        var a = Json(recorded);
        var b = Json(decided);
        foreach (var field in ignored ?? [])
        {
            a?.AsObject().Remove(field);
            b?.AsObject().Remove(field);
        }

        var differences = JsonDifferences.Between(a, b, "the decider gives", "event");
        if (differences.Count > 0)
        {
            at.Add($"{what}: {differences[0]}", differences);
        }
        else
        {
            Rederived++;
        }
    }

    /// <summary>The URL and location the producers table held, as the recorded transaction's <c>regproducer</c> keeps them.</summary>
    private static (string Url, ushort Location) Registration(KeyRotationRequested request)
    {
        try
        {
            var transaction = Transaction.Unpack(Convert.FromHexString(request.PackedTransaction));
            foreach (var action in transaction.Actions.Where(a => a.Account == SystemActions.Eosio))
            {
                switch (SystemActions.Decode(action.Name, action.Data))
                {
                    case RegProducer reg:
                        return (reg.Url, reg.Location);
                    case RegProducer2 reg2:
                        return (reg2.Url, reg2.Location);
                }
            }
        }
        catch (FormatException)
        {
            // The rotation check reports bytes that do not decode; the rebuilt transaction then differs from them.
        }

        return (string.Empty, 0);
    }

    /// <summary>The LIB time an expiry states (the decider writes it into the detail).</summary>
    private static DateTimeOffset? LibTime(string detail) =>
        LibTimePattern().Match(detail) is { Success: true } m
        && DateTimeOffset.TryParseExact(m.Groups[1].Value, "yyyy-MM-ddTHH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    [GeneratedRegex(@"the LIB's block time (\S+Z)")]
    private static partial Regex LibTimePattern();

    private static string PhaseOf(FailoverProcess state) => state.CurrentRotation is { } r
        ? $"rotation {r.RotationId} is {state.Phase.GetType().Name.ToLowerInvariant()}"
        : "no rotation is under way";

    private static string TypeName(IProcessEvent e) => EventCatalogue.Of(e.GetType()).Name;

    private static string Describe(IProcessEvent e) => e switch
    {
        FailoverTriggered t => $"{TypeName(e)} ({RecordedDecision.Describe(t.Decision)})",
        FailoverSuppressed s => $"{TypeName(e)} ({RecordedDecision.Describe(s.Decision)})",
        _ => TypeName(e),
    };

    private static JsonNode? Json(IProcessEvent e) => JsonSerializer.SerializeToNode(e, EventCatalogue.Of(e.GetType()).TypeInfo);

    /// <summary>Where a problem is reported: the event being checked.</summary>
    private sealed class At(long position, string type, string stream, List<AuditProblem> problems)
    {
        public long Position => position;

        public string Type => type;

        public void Add(string what, IReadOnlyList<string>? details = null) =>
            problems.Add(new AuditProblem(position, stream, type, AuditCheck.Decider, what, details ?? []));
    }
}
