using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Audit.Replay;
using Failover.Audit.Retention;
using Failover.Audit.Verification;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;
using Failover.Simulator;
using Failover.Simulator.Network;
using Failover.Service.Storage;

namespace Failover.Service.Tests.Campaign;

/// <summary>What a run found: every invariant it saw broken (empty: none), and what happened.</summary>
/// <param name="Story">The process stream, one line an event, to read a failing seed by.</param>
/// <param name="Compacted">Events the compaction check deleted from the run's log (issue 18.6).</param>
internal sealed record CampaignOutcome(FaultSchedule Schedule, IReadOnlyList<string> Violations, int Rotations, int Crashes, int Pushes, IReadOnlyList<string> Story, int Compacted = 0)
{
    public bool Passed => Violations.Count == 0;

    public override string ToString() => Passed
        ? $"seed {Schedule.Seed}: passed ({Rotations} rotations, {Crashes} crashes, {Pushes} pushes, {Compacted} events compacted)"
        : $"{Schedule}\n  VIOLATIONS:\n    {string.Join("\n    ", Violations)}\n  PROCESS STREAM:\n    {string.Join("\n    ", Story)}";
}

/// <summary>
/// Issue 17.1: the service in the scenario rig (virtual time, the default policy with a 3-minute cooldown) under a
/// schedule of faults, then a liveness tail: every fault undone, automation resumed and re-armed as an operator would,
/// the data center in force taken down for good. Invariants checked as the run goes and at its end:
/// <list type="bullet">
/// <item>no automatic rotation is requested while the endpoints' chain shows ≤ 80 % of the others producing in the
/// last round, or while the endpoints' chains have diverged, or while the data center in force is producing on it
/// (up, not degraded, not paused, on the endpoints' side, for at least <see cref="ProducingFor"/> — for a degraded
/// incident, for the three rounds its rule looks back on — and with a block of ours in our latest window there);</item>
/// <item>at most one rotation per incident that did not fail; never two in flight (a transaction is in flight from its
/// request until the producers table shows it applied, or it failed); no push of a transaction that was not recorded
/// first;</item>
/// <item>liveness: in the tail — once the cooldown is over and two rounds have passed without faults, so that every
/// gate can pass — a rotation completes within <see cref="LivenessBound"/>, or
/// the log records why not (waiting for an operator after a refusal a retry cannot fix);</item>
/// <item>the hash chain and <c>failover audit verify</c> pass on the store.</item>
/// </list>
/// </summary>
internal sealed class FaultCampaign
{
    public static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(3);
    public static readonly TimeSpan ProducingFor = TimeSpan.FromSeconds(6);

    /// <summary>
    /// From the outage of the tail to the standby's first block, when every gate can pass. Savanna: 3 s of silence, the
    /// first silent block final, the push, a proposer policy active 13–24 slots later, then our next window: 4 min.
    /// Legacy: our window (≤ 2 min 6 s) for 12 misses, a round for every other producer's window, the next election
    /// (every 120 slots), the proposed schedule pending once its block is irreversible and active once that one is
    /// (≈ 2 min 43 s each), then our window: 14 min. The same bound holds a rotation under way when the faults end.
    /// </summary>
    public static TimeSpan LivenessBound(ConsensusMode consensus) => consensus == ConsensusMode.Savanna ? TimeSpan.FromMinutes(4) : TimeSpan.FromMinutes(14);

    private readonly ServiceRig _rig;
    private readonly FaultSchedule _schedule;
    private readonly DateTimeOffset _start;
    private readonly List<string> _violations = [];
    private readonly List<(TimeSpan At, Func<Task> Act)> _actions = [];
    private readonly Dictionary<string, DateTimeOffset> _unhealthySince = [];
    private readonly HashSet<string> _down = [];
    private readonly HashSet<string> _lossy = [];
    private readonly Dictionary<string, int> _apiErrors = [];
    private readonly Dictionary<string, int> _lies = [];
    private readonly Dictionary<string, (string Transaction, DateTimeOffset At)> _requested = [];
    private readonly Dictionary<string, int> _openRotationsByIncident = [];
    private readonly Dictionary<string, string> _incidentOfRotation = [];
    private IReadOnlyList<string>? _side;
    private string? _refusalFixture;
    private bool _crashAtNextPush;
    private DateTimeOffset? _restartAt;
    private TimeSpan _restartDelay = TimeSpan.FromSeconds(5);
    private long _processVersion;
    private string? _inFlight;
    private int _rotations;
    private int _crashes;
    private int _compacted;

    private readonly Func<ServiceRig, TimeSpan, Task>? _meddle;

    private FaultCampaign(ServiceRig rig, FaultSchedule schedule, Func<ServiceRig, TimeSpan, Task>? meddle)
    {
        (_rig, _schedule, _start, _meddle) = (rig, schedule, rig.Clock.GetUtcNow(), meddle);
    }

    private string Time => string.Create(CultureInfo.InvariantCulture, $"t={(_rig.Clock.GetUtcNow() - _start).TotalSeconds:0.0}s");

    /// <param name="meddle">Called before each step with the time since the run began: a test of the checks themselves
    /// uses it to write what a broken service would (null in the campaign).</param>
    public static async Task<CampaignOutcome> RunAsync(FaultSchedule schedule, Func<ServiceRig, TimeSpan, Task>? meddle = null)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Consensus = schedule.Consensus,
            Seed = "campaign-" + schedule.Seed.ToString(CultureInfo.InvariantCulture),
            ServiceDefaultPolicy = true,
            Configure = s => s with { Policy = s.Policy with { Cooldown = Cooldown } },
        });
        var campaign = new FaultCampaign(rig, schedule, meddle);
        try
        {
            await campaign.RunAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            campaign._violations.Add($"{campaign.Time} the run failed: {e}");
        }

        var story = campaign._violations.Count == 0 ? [] : (await rig.ProcessEventsAsync()).Select(e => $"{(e is IProcessEvent p ? Describe(p) : e.ToString())}").ToList();
        return new CampaignOutcome(schedule, campaign._violations, campaign._rotations, campaign._crashes, rig.RecordedPushes.Count, story, campaign._compacted);
    }

    private static string Describe(IProcessEvent e) => e switch
    {
        FailoverTriggered t => $"triggered {t.IncidentId} → {t.TargetDataCenter} at {t.DecidedAt:HH:mm:ss}",
        FailoverSuppressed s => $"suppressed {s.IncidentId}: {string.Join(", ", s.Reasons)} at {s.DecidedAt:HH:mm:ss}",
        KeyRotationRequested r => $"requested {r.RotationId} ({r.IncidentId}) → {r.TargetDataCenter} at {r.RequestedAt:HH:mm:ss}",
        KeyRotationSubmitted u => $"submitted {u.RotationId} to {u.Endpoint}: {u.Outcome} at {u.SubmittedAt:HH:mm:ss}",
        KeyRotationFailed f => $"failed {f.RotationId}: {f.Reason} {f.Detail} at {f.FailedAt:HH:mm:ss}",
        _ => e.GetType().Name,
    };

    private async Task RunAsync()
    {
        _rig.InterceptPushes(PushAsync);
        foreach (var fault in _schedule.Faults)
        {
            Plan(fault);
        }

        _actions.Sort((a, b) => a.At.CompareTo(b.At));
        var next = 0;
        while (Elapsed < _schedule.Length)
        {
            while (next < _actions.Count && _actions[next].At <= Elapsed)
            {
                await _actions[next++].Act();
            }

            await StepAsync();
        }

        await LivenessTailAsync();
        await FollowProcessAsync();
        CheckPushes();
        if (await CheckStoreAsync())
        {
            await CheckCompactionAsync();
        }
    }

    private TimeSpan Elapsed => _rig.Clock.GetUtcNow() - _start;

    private void At(TimeSpan at, Func<Task> act) => _actions.Add((at, act));

    private void At(TimeSpan at, Action act) => At(at, () =>
    {
        act();
        return Task.CompletedTask;
    });

    private void Plan(Fault fault)
    {
        var end = fault.At + fault.For;
        var node = $"{ServiceRig.OursText}/{fault.Target}";
        switch (fault.Kind)
        {
            case FaultKind.Outage:
                At(fault.At, () => SetDown(node, true));
                At(end, () => SetDown(node, false));
                break;
            case FaultKind.Flapping:
                var period = TimeSpan.FromSeconds(fault.Variant);
                var down = true;
                for (var t = fault.At; t < end; t += period, down = !down)
                {
                    var state = down;
                    At(t, () => SetDown(node, state));
                }

                At(end, () => SetDown(node, false));
                break;
            case FaultKind.Degraded:
                At(fault.At, () =>
                {
                    _rig.Simulator.SetNodeLossy(node, fault.Variant);
                    _lossy.Add(node);
                });
                At(end, () =>
                {
                    _rig.Simulator.SetNodeLossy(node, null);
                    _lossy.Remove(node);
                });
                break;
            case FaultKind.Partition:
                At(fault.At, () =>
                {
                    if (_side is null)
                    {
                        var side = fault.Side.Where(IsKnownNode).ToList();
                        _rig.Simulator.Partition([[.. Everything().Except(side)], side]);
                        _side = side;
                    }
                });
                At(end, Heal);
                break;
            case FaultKind.ApiStall:
                At(fault.At, () => _rig.Simulator.SetApiNodeStalled(fault.Target, true));
                At(end, () => _rig.Simulator.SetApiNodeStalled(fault.Target, false));
                break;
            case FaultKind.ApiErrors:
                At(fault.At, () => ApiErrors(fault.Target, fault.Variant));
                At(end, () => ApiErrors(fault.Target, null));
                break;
            case FaultKind.ApiLie:
                At(fault.At, () => Lie(fault.Target, fault.Variant));
                At(end, () => Lie(fault.Target, null));
                break;
            case FaultKind.FinalityStall:
                At(fault.At, () => _rig.Simulator.SetFinalityStalled(true));
                At(end, () => _rig.Simulator.SetFinalityStalled(false));
                break;
            case FaultKind.PushRefusal:
                At(fault.At, () => _refusalFixture = FaultSchedule.PushRefusals[fault.Variant]);
                At(end, () => _refusalFixture = null);
                break;
            case FaultKind.Operator when fault.Variant == 0:
                At(fault.At, () => _rig.OperatorAsync(at => new FailoverCommand.Pause("operator", "campaign", at)));
                At(end, () => _rig.OperatorAsync(at => new FailoverCommand.Resume("operator", "campaign", at)));
                break;
            case FaultKind.Operator when fault.Variant == 1:
                At(fault.At, () => _rig.OperatorAsync(at => new FailoverCommand.RequestManualFailover(fault.Target, "operator", "campaign", at)));
                break;
            case FaultKind.Operator:
                At(fault.At, () => _rig.OperatorAsync(at => new FailoverCommand.Rearm("operator", "campaign", at)));
                break;
            case FaultKind.Crash:
                At(fault.At, () =>
                {
                    if (_rig.Instances[0].Running)
                    {
                        Crash(fault.For);
                    }
                });
                break;
            case FaultKind.CrashBeforePush:
                At(fault.At, () => _crashAtNextPush = true);
                At(end, () => _crashAtNextPush = false);
                _restartDelay = TimeSpan.FromSeconds(fault.Variant);
                break;
        }
    }

    private IEnumerable<string> Everything() =>
        [.. _rig.Simulator.Roster.Producers.Where(p => p != ServiceRig.Ours).Select(p => p.ToString()),
         .. _rig.Simulator.Roster.NodesOf(ServiceRig.Ours).Select(n => n.Id), .. _rig.Simulator.Options.ApiNodes];

    private bool IsKnownNode(string node) => Everything().Contains(node);

    private void SetDown(string node, bool down)
    {
        _rig.Simulator.SetNodeDown(node, down);
        if (down)
        {
            _down.Add(node);
        }
        else
        {
            _down.Remove(node);
        }
    }

    private void Heal()
    {
        if (_side is not null)
        {
            _rig.Simulator.Heal();
            _side = null;
        }
    }

    /// <summary>
    /// An API node's errors: 500 on everything, 503 on blocks, malformed <c>get_info</c>, a nodeos error on tables (the
    /// simulator's faults), or its calls timing out, refused, or their bodies cut in half (the rig's hooks). Null: none.
    /// </summary>
    private void ApiErrors(string api, int? variant)
    {
        _rig.Simulator.SetApiFaults(api, variant switch
        {
            0 => new ApiFaults(ErrorStatus: 500),
            1 => new ApiFaults(ErrorStatus: 503, Routes: ["get_block", "get_block_info"]),
            2 => new ApiFaults(Malformed: true, Routes: ["get_info"]),
            3 => new ApiFaults(ErrorStatus: 500, ErrorCode: 3010008, Routes: ["get_table_rows"]),
            _ => ApiFaults.None,
        });
        Set(_apiErrors, api, variant);
    }

    /// <summary>An API node that lies in its <c>get_info</c>: a stale head, an inflated LIB, another chain's id, an old head time. Null: none.</summary>
    private void Lie(string api, int? variant) => Set(_lies, api, variant);

    private void Set(Dictionary<string, int> faults, string api, int? variant)
    {
        if (variant is { } v)
        {
            faults[api] = v;
        }
        else
        {
            faults.Remove(api);
        }

        _rig.FailRequests(_apiErrors.Count == 0 ? null : FailRequest);
        _rig.RewriteAnswers(_apiErrors.Count == 0 && _lies.Count == 0 ? null : Rewrite);
    }

    private static string ApiOf(Uri uri) =>
        uri.AbsolutePath.StartsWith("/node/", StringComparison.Ordinal) ? uri.AbsolutePath.Split('/')[2] : "api1";

    private Exception? FailRequest(Uri uri) => _apiErrors.GetValueOrDefault(ApiOf(uri), -1) switch
    {
        4 => new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException()),
        5 => new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (simulator:80)"),
        _ => null,
    };

    private string Rewrite(Uri uri, string body)
    {
        var api = ApiOf(uri);
        if (_apiErrors.GetValueOrDefault(api, -1) == 6 && body.Length > 2)
        {
            return body[..(body.Length / 2)];
        }

        if (!_lies.TryGetValue(api, out var lie) || !uri.AbsolutePath.EndsWith("/get_info", StringComparison.Ordinal) || Parsed(body) is not { } info)
        {
            return body;
        }

        switch (lie)
        {
            case 0:
                info["head_block_num"] = info["head_block_num"]!.GetValue<uint>() - 40;
                break;
            case 1:
                info["last_irreversible_block_num"] = info["last_irreversible_block_num"]!.GetValue<uint>() + 500;
                break;
            case 2:
                info["chain_id"] = new string('a', 64);
                break;
            default:
                info["head_block_time"] = DateTimeOffset.Parse(info["head_block_time"]!.GetValue<string>() + "Z", CultureInfo.InvariantCulture).AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture);
                break;
        }

        return info.ToJsonString();
    }

    /// <summary>The body as a JSON object; null when it is not one (another fault already broke it).</summary>
    private static JsonObject? Parsed(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private void Crash(TimeSpan down)
    {
        _rig.Kill(0);
        _restartAt = _rig.Clock.GetUtcNow() + down;
        _crashes++;
    }

    private async Task<HttpResponseMessage> PushAsync(Func<Task<HttpResponseMessage>> forward)
    {
        if (_crashAtNextPush)
        {
            _crashAtNextPush = false;
            throw new SimulatedCrash("between the request's append and its push");
        }

        if (_refusalFixture is { } fixture)
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Failover.Antelope.Tests", "Fixtures", fixture)))!;
            var status = fixture.Contains("_503", StringComparison.Ordinal) ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.InternalServerError;
            return ServiceRig.NodeosError(status, (json["response"] ?? json).ToJsonString());
        }

        return await forward();
    }

    private async Task StepAsync()
    {
        if (!_rig.Instances[0].Running && _restartAt is { } restart && _rig.Clock.GetUtcNow() >= restart)
        {
            _restartAt = null;
            await _rig.RestartAsync(0);
        }

        if (_meddle is { } meddle)
        {
            await meddle(_rig, Elapsed);
        }

        try
        {
            await _rig.StepAsync();
        }
        catch (SimulatedCrash)
        {
            Crash(_restartDelay);
        }

        TrackHealth();
        await FollowProcessAsync();
    }

    /// <summary>When each of our nodes was last seen not producing: down, degraded, paused, or cut off from the endpoints' side.</summary>
    private void TrackHealth()
    {
        var now = _rig.Clock.GetUtcNow();
        foreach (var node in _rig.Simulator.Roster.NodesOf(ServiceRig.Ours))
        {
            if (_down.Contains(node.Id) || _lossy.Contains(node.Id) || _rig.Simulator.IsProductionPaused(node.Id) || IsCutOff(node.Id))
            {
                _unhealthySince[node.Id] = now;
            }
        }
    }

    /// <summary>
    /// The chain the endpoints agree on, as the simulator knows it: the longest of their views when every other view's
    /// head is a block of it (an endpoint behind, or stalled, still agrees); null once two views have diverged — each
    /// holds blocks the other does not, as on two sides of a partition after both produced.
    /// </summary>
    private (string Api, Simulator.Chain.ChainState Chain)? AgreedChain()
    {
        var views = _rig.Simulator.Options.ApiNodes.Select(api => (Api: api, Chain: _rig.Simulator.View(api))).ToList();
        var longest = views.MaxBy(v => v.Chain.Head.Number);
        return views.All(v => longest.Chain.BlockByNumber(v.Chain.Head.Number)?.Id == v.Chain.Head.Id) ? longest : null;
    }

    /// <summary>A node the endpoints' chain does not hear from: on another side of a partition than the endpoint ahead (or than both, once they diverged).</summary>
    private bool IsCutOff(string node)
    {
        if (_side is null)
        {
            return false;
        }

        var reference = AgreedChain()?.Api;
        return reference is null || _side.Contains(node) != _side.Contains(reference);
    }

    /// <summary>Reads what the process stream gained and checks each new request as it is recorded.</summary>
    private async Task FollowProcessAsync()
    {
        await foreach (var recorded in _rig.Store.ReadStreamAsync(ServiceRig.ProcessStream, Direction.Forwards, _processVersion, 1000))
        {
            _processVersion = recorded.Version + 1;
            switch (DomainEvents.TryDeserialize(recorded))
            {
                case KeyRotationRequested requested:
                    _rotations++;
                    if (_inFlight is not null)
                    {
                        _violations.Add($"{Time} rotation {requested.RotationId} requested while {_inFlight} was in flight");
                    }

                    _inFlight = requested.RotationId;
                    _incidentOfRotation[requested.RotationId] = requested.IncidentId;
                    _requested[requested.RotationId] = (requested.TransactionId, requested.RequestedAt);
                    _openRotationsByIncident[requested.IncidentId] = _openRotationsByIncident.GetValueOrDefault(requested.IncidentId) + 1;
                    if (_openRotationsByIncident[requested.IncidentId] > 1)
                    {
                        _violations.Add($"{Time} a second rotation ({requested.RotationId}) for incident {requested.IncidentId}, the first not failed");
                    }

                    if (!IncidentIds.IsManual(requested.IncidentId))
                    {
                        CheckSafety(requested);
                    }

                    break;
                case KeyRotationFailed failed:
                    if (_inFlight == failed.RotationId)
                    {
                        _inFlight = null;
                    }

                    if (_incidentOfRotation.GetValueOrDefault(failed.RotationId) is { } incident)
                    {
                        _openRotationsByIncident[incident]--;
                    }

                    break;
                case KeyRotated rotated when _inFlight == rotated.RotationId: // applied: no longer in flight
                    _inFlight = null;
                    break;
                case FailoverCompleted completed when _inFlight == completed.RotationId:
                    _inFlight = null;
                    break;
            }
        }
    }

    /// <summary>An automatic request, judged on the chain as it is (the simulator's truth), not as the service saw it.</summary>
    private void CheckSafety(KeyRotationRequested requested)
    {
        if (AgreedChain() is not { Chain: var chain })
        {
            _violations.Add($"{Time} automatic rotation {requested.RotationId} ({requested.IncidentId}) while the endpoints' chains had diverged");
            return;
        }

        var head = chain.Head;
        var schedule = chain.ActiveSchedule;
        var others = schedule.Producers.Select(p => p.Producer).Where(p => p != ServiceRig.Ours).ToHashSet();
        var roundStart = head.Slot >= 252 ? head.Slot - 252 : 0;
        var producing = chain.Blocks.Where(b => b.Slot > roundStart).Select(b => b.Producer).Where(others.Contains).Distinct().Count();
        if (producing * 5 <= others.Count * 4)
        {
            _violations.Add($"{Time} automatic rotation {requested.RotationId} ({requested.IncidentId}) while {producing} of {others.Count} other producers produced in the last round of the endpoints' chain (≤ 80 %)");
        }

        var inForceKey = KeyOf(schedule);
        var inForce = _rig.Simulator.Roster.NodesOf(ServiceRig.Ours).FirstOrDefault(n => n.SigningKey.PublicKey == inForceKey);
        if (inForce is null)
        {
            return;
        }

        var healthyFor = _rig.Clock.GetUtcNow() - _unhealthySince.GetValueOrDefault(inForce.Id, _start - TimeSpan.FromDays(1));
        var latestWindow = LatestWindowStart(schedule, head.Slot);
        var producedInLatestWindow = chain.Blocks.Any(b => b.Slot >= latestWindow && b.Producer == ServiceRig.Ours);
        // A degraded incident is judged on our last three windows, so the node must have been healthy for all of them.
        var producingFor = requested.IncidentId.StartsWith("degraded-", StringComparison.Ordinal) ? TimeSpan.FromSeconds(3 * 126) : ProducingFor;
        if (healthyFor >= producingFor && producedInLatestWindow)
        {
            _violations.Add($"{Time} automatic rotation {requested.RotationId} ({requested.IncidentId}) while {inForce.Id}, in force, was producing on the endpoints' chain (up for {healthyFor.TotalSeconds:0} s, our latest window has our blocks)");
        }
    }

    /// <summary>Our signing key in <paramref name="schedule"/> (null: not scheduled).</summary>
    private static PublicKey? KeyOf(Antelope.Scheduling.ProducerSchedule schedule) =>
        schedule.Find(ServiceRig.Ours)?.Authority.Keys is [var first, ..] ? first.Key : null;

    /// <summary>The first slot of our latest window that has begun by <paramref name="head"/>.</summary>
    private static uint LatestWindowStart(Antelope.Scheduling.ProducerSchedule schedule, uint head)
    {
        for (var slot = head - (head % 12); slot + 252 > head && slot >= 12; slot -= 12)
        {
            if (schedule.ProducerForSlot(slot).Producer == ServiceRig.Ours)
            {
                return slot;
            }
        }

        return 0;
    }

    /// <summary>
    /// Every fault undone; the operator resumes and re-arms; once nothing is in flight and the cooldown is over, the
    /// data center in force goes down for good: a rotation must complete, or the log must say why it cannot.
    /// </summary>
    private async Task LivenessTailAsync()
    {
        foreach (var node in _down.ToList())
        {
            SetDown(node, false);
        }

        foreach (var node in _lossy.ToList())
        {
            _rig.Simulator.SetNodeLossy(node, null);
            _lossy.Remove(node);
        }

        foreach (var api in _rig.Simulator.Options.ApiNodes)
        {
            _rig.Simulator.SetApiNodeStalled(api, false);
            _rig.Simulator.SetApiFaults(api, ApiFaults.None);
        }

        Heal();
        foreach (var api in _apiErrors.Keys.Concat(_lies.Keys).ToList())
        {
            ApiErrors(api, null);
            Lie(api, null);
        }

        _rig.Simulator.SetFinalityStalled(false);
        (_refusalFixture, _crashAtNextPush) = (null, false);
        if (!_rig.Instances[0].Running)
        {
            _restartAt = _rig.Clock.GetUtcNow();
        }

        // A rotation under way when the faults were undone must end within the same bound as the tail's own.
        var bound = LivenessBound(_schedule.Consensus);
        var settle = _rig.Clock.GetUtcNow() + bound;
        while (_rig.Clock.GetUtcNow() < settle && (_inFlight is not null || !_rig.Instances[0].Running))
        {
            await StepAsync();
        }

        if (_inFlight is not null)
        {
            _violations.Add($"{Time} rotation {_inFlight} still in flight {bound.TotalMinutes:0} minutes after every fault was undone");
            return;
        }

        await _rig.OperatorAsync(at => new FailoverCommand.Resume("operator", "campaign tail", at));
        await _rig.OperatorAsync(at => new FailoverCommand.Rearm("operator", "campaign tail", at));
        var process = _rig.Manager.Process;
        // Every gate can pass once the cooldown is over and a whole round has been produced without faults (the
        // participation gate judges the last full round): up to two rounds after the faults were undone.
        var cooldownLeft = process.LastTookEffectAt is { } last ? last + Cooldown - _rig.Clock.GetUtcNow() : TimeSpan.Zero;
        var cleanRounds = TimeSpan.FromSeconds(2 * 126);
        for (var waited = TimeSpan.Zero; waited < (cooldownLeft > cleanRounds ? cooldownLeft : cleanRounds) + TimeSpan.FromSeconds(30); waited += ServiceRig.Step)
        {
            await StepAsync();
        }

        var inForceKey = KeyOf(_rig.Simulator.View().ActiveSchedule);
        var inForce = _rig.Simulator.Roster.NodesOf(ServiceRig.Ours).First(n => n.SigningKey.PublicKey == inForceKey);
        var rotationsBefore = _rotations;
        var completedBefore = (await _rig.ProcessEventsAsync()).OfType<FailoverCompleted>().Count();
        SetDown(inForce.Id, true);
        var deadline = _rig.Clock.GetUtcNow() + bound;
        while (_rig.Clock.GetUtcNow() < deadline)
        {
            await StepAsync();
            if ((await _rig.ProcessEventsAsync()).OfType<FailoverCompleted>().Count() > completedBefore)
            {
                return;
            }
        }

        var reason = _rig.Manager.Process.AwaitingOperator;
        if (reason is null)
        {
            _violations.Add($"{Time} liveness: {inForce.Id} down for {bound.TotalMinutes:0} min with every fault undone, and no rotation completed ({_rotations - rotationsBefore} requested) nor any reason to wait for an operator recorded");
        }
    }

    /// <summary>Nothing sent that was not recorded first: every push carries a requested transaction, pushed after the request.</summary>
    private void CheckPushes()
    {
        var requested = _requested.Values.ToLookup(r => r.Transaction);
        foreach (var push in _rig.RecordedPushes)
        {
            if (!requested[push.TransactionId].Any(r => r.At <= push.At))
            {
                _violations.Add($"push of transaction {push.TransactionId} at {push.At:O} with no request recorded before it");
            }
        }
    }

    /// <summary>Whether the store verifies: the hash chain, and `audit verify`'s every check.</summary>
    private async Task<bool> CheckStoreAsync()
    {
        var report = await Verifier.VerifyAsync(_rig.Store);
        if (!report.ChainIntact)
        {
            _violations.Add("the store's hash chain does not verify");
        }

        foreach (var problem in report.Problems)
        {
            _violations.Add($"audit verify: {problem}");
        }

        return report.Holds;
    }

    /// <summary>How close to the process's events compaction keeps observations in the campaign (its runs last minutes, not days).</summary>
    public static readonly TimeSpan CompactionProtect = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Issue 18.6 under faults: the run's log compacted (everything before now, all but <see cref="CompactionProtect"/>
    /// around the process's events) still verifies with every decision re-derived, rebuilds the same read models, and
    /// a service restarted on it goes on appending and deciding; a second compaction after that verifies too.
    /// </summary>
    private async Task CheckCompactionAsync()
    {
        if (_rig.Store is not ILogCompaction compaction)
        {
            return;
        }

        var before = await Verifier.VerifyAsync(_rig.Store);
        var readModels = await Replayer.ReplayAsync(_rig.Store, ServiceRig.OursText);
        var now = _rig.Clock.GetUtcNow();
        var report = await LogCompactor.CompactAsync(_rig.Store, compaction, new CompactionRequest(ServiceRig.OursText, now, CompactionProtect, now));
        _compacted = (int)report.Removed;
        var after = await Verifier.VerifyAsync(_rig.Store);
        foreach (var problem in after.Problems)
        {
            _violations.Add($"audit verify after compaction ({report.Removed} events of {report.Rounds} rounds deleted): {problem}");
        }

        if ((after.Decisions, after.DecisionsRederived, after.EvidenceRebuilt, after.RotationStepsChecked) != (before.Decisions, before.DecisionsRederived, before.EvidenceRebuilt, before.RotationStepsChecked))
        {
            _violations.Add($"after compaction audit verify re-derives {after.DecisionsRederived}/{after.Decisions} decisions and rebuilds {after.EvidenceRebuilt} evidences, {after.RotationStepsChecked} rotation steps; before it {before.DecisionsRederived}/{before.Decisions}, {before.EvidenceRebuilt}, {before.RotationStepsChecked}");
        }

        var rebuilt = await Replayer.ReplayAsync(_rig.Store, ServiceRig.OursText);
        foreach (var (name, documents) in readModels.Projections)
        {
            var (was, now2) = (Documents(documents), Documents(rebuilt.Projections[name]));
            if (!was.SequenceEqual(now2))
            {
                var first = was.Except(now2).Concat(now2.Except(was)).First();
                _violations.Add($"the {name} read model rebuilt after compaction differs from the one before it (first difference: {first})");
            }
        }

        // The service goes on from the compacted store: its streams' versions now have holes.
        if (!_rig.Instances[0].Running)
        {
            await _rig.RestartAsync(0);
        }
        else
        {
            _rig.Kill(0);
            await _rig.RestartAsync(0);
        }

        var until = _rig.Clock.GetUtcNow() + TimeSpan.FromMinutes(2);
        while (_rig.Clock.GetUtcNow() < until)
        {
            await StepAsync();
        }

        var later = _rig.Clock.GetUtcNow();
        await LogCompactor.CompactAsync(_rig.Store, compaction, new CompactionRequest(ServiceRig.OursText, later, CompactionProtect, later));
        foreach (var problem in (await Verifier.VerifyAsync(_rig.Store)).Problems)
        {
            _violations.Add($"audit verify after running on and compacting again: {problem}");
        }
    }

    private static List<string> Documents(Failover.Audit.Replay.MemoryDocuments documents) =>
        [.. documents.Documents().Select(d => d.Id + " " + System.Text.Encoding.UTF8.GetString(d.Json))];
}
