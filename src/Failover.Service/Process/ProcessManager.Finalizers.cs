using Failover.Antelope.Chain.Wire;
using Failover.Domain.Decisions;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Process;

/// <summary>
/// Our Savanna finalizer keys as the system contract registers them (issue 15, finding 2). <c>actfinkey</c> fails the
/// whole rotation when the target's finalizer key is not registered to our producer or is already its active key, so on
/// a Savanna configuration the manager reads the <c>finkeys</c> and <c>finalizers</c> tables
/// (<see cref="ChainFacts.FinalizerKeysAsync"/>): at start-up, again at least every <see cref="ChainFacts.Refresh"/>
/// while samples come in, and for every decision on an incident (again when the reading predates the incident). Each
/// decision's evidence carries what they show of every data center's key (<see cref="FinalizerKeyRule"/>: the policy
/// skips a data center whose key is not registered to us or could not be checked; the rotation to one whose key is
/// active already is <c>regproducer</c> alone). A configured data center whose key is not registered to us is logged at
/// Critical when it appears, and kept in <see cref="Blockers"/> while the chain shows it (not while the chain's headers
/// show a legacy chain: the consensus blocker says why then).
/// </summary>
public sealed partial class ProcessManager
{
    private ChainFact<FinalizerKeyRegistration>? _finalizerKeysJudged;
    private OurFinalizerKeys? _ourFinalizerKeys;
    private Dictionary<string, string> _finalizerKeyProblems = [];
    private string? _finalizerKeysSeen;

    /// <summary>Our finalizer keys as the chain last showed them (null: a legacy configuration, or not read yet).</summary>
    public OurFinalizerKeys? FinalizerKeysSeen => _ourFinalizerKeys;

    private IEnumerable<string> FinalizerKeyBlockers => _chainConsensus?.Kind == ConsensusKind.Legacy ? [] : _finalizerKeyProblems.Values;

    /// <summary>
    /// Our finalizer keys (<see cref="ChainFacts.FinalizerKeysAsync"/>), judged against the configured data centers when
    /// a new reading comes in. Null on a legacy configuration, and while no endpoint ever answered.
    /// </summary>
    private async Task<OurFinalizerKeys?> FinalizerKeysAsync(bool fresh, DateTimeOffset? readSince, CancellationToken cancellationToken)
    {
        if (_settings.Consensus != ConsensusKind.Savanna)
        {
            return null;
        }

        // A reading is judged once: between refreshes the same one comes back.
        if (await _facts.FinalizerKeysAsync(fresh, readSince, cancellationToken).ConfigureAwait(false) is { } reading && !ReferenceEquals(reading, _finalizerKeysJudged))
        {
            _finalizerKeysJudged = reading;
            ObserveFinalizerKeys(new OurFinalizerKeys([.. reading.Value.Keys.Select(k => k.FinalizerKey)], reading.Value.Active?.FinalizerKey));
        }

        return _ourFinalizerKeys;
    }

    /// <summary>Re-reads our finalizer keys when the last reading is older than <see cref="ChainFacts.Refresh"/> (or no endpoint answered yet).</summary>
    private Task<OurFinalizerKeys?> RefreshFinalizerKeysAsync(CancellationToken cancellationToken) => FinalizerKeysAsync(fresh: false, readSince: null, cancellationToken);

    /// <summary>
    /// The evidence with every data center's finalizer key judged against the chain's tables, read again when the
    /// reading was taken before the incident began (or the operator asked). Tables never read are
    /// <see cref="FinalizerKeyStatus.Unknown"/>: the policy then fails closed.
    /// </summary>
    private async Task<Evidence> WithFinalizerKeysAsync(Evidence evidence, CancellationToken cancellationToken)
    {
        var since = evidence.Manual?.RequestedAt ?? evidence.Incident?.BeganAt;
        var ours = await FinalizerKeysAsync(fresh: false, since, cancellationToken).ConfigureAwait(false);
        return FinalizerKeyRule.Judge(evidence, ours);
    }

    /// <summary>Keeps the newest reading; a data center whose key is not ours is logged when it appears, and when it no longer is.</summary>
    private void ObserveFinalizerKeys(OurFinalizerKeys ours)
    {
        _ourFinalizerKeys = ours;
        var judged = _dataCenters.Where(d => d.FinalizerKey is not null)
            .Select(d => (DataCenter: d, Status: FinalizerKeyRule.StatusOf(d.FinalizerKey!, ours)))
            .ToList();
        var seen = string.Join(", ", judged.Select(j => $"{j.DataCenter.Name} {Text(j.Status)}"));
        if (seen != _finalizerKeysSeen)
        {
            _finalizerKeysSeen = seen;
            Log.FinalizerKeysRead(_log, _producer, ours.Registered.Count, seen);
        }

        var problems = judged.Where(j => j.Status == FinalizerKeyStatus.NotRegistered)
            .ToDictionary(j => j.DataCenter.Name, j => FinalizerKeyRule.NotRegisteredBlocker(_producer, j.DataCenter.Name, j.DataCenter.FinalizerKey!));
        foreach (var (_, problem) in problems.Where(p => !_finalizerKeyProblems.ContainsKey(p.Key)))
        {
            Log.FinalizerKeyNotRegistered(_log, problem);
        }

        foreach (var dataCenter in _finalizerKeyProblems.Keys.Where(d => !problems.ContainsKey(d)))
        {
            Log.FinalizerKeyRegisteredNow(_log, dataCenter, _producer);
        }

        _finalizerKeyProblems = problems;
    }

    private static string Text(FinalizerKeyStatus status) => status switch
    {
        FinalizerKeyStatus.Active => "active",
        FinalizerKeyStatus.Registered => "registered",
        FinalizerKeyStatus.NotRegistered => "NOT REGISTERED",
        _ => "unknown",
    };

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Critical, "FINALIZER KEY: {Problem}")]
        public static partial void FinalizerKeyNotRegistered(ILogger logger, string problem);

        [LoggerMessage(LogLevel.Information, "FINALIZER KEY: data center {DataCenter}'s finalizer key is now registered to {Producer} on chain; it can be chosen again.")]
        public static partial void FinalizerKeyRegisteredNow(ILogger logger, string dataCenter, string producer);

        [LoggerMessage(LogLevel.Information, "The finalizer tables register {Count} finalizer keys to {Producer}; the data centers' keys: {DataCenters}.")]
        public static partial void FinalizerKeysRead(ILogger logger, string producer, int count, string dataCenters);
    }
}
