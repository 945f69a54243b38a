using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Service.Observation;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Process;

/// <summary>
/// The configured <c>Chain:Consensus</c> against the chain's. It decides whether the rotation carries <c>actfinkey</c>
/// and which finality gate applies, so a wrong one is dangerous: an operator who writes <c>legacy</c> for a Savanna
/// chain may leave out the finalizer keys, and a rotation would then leave the standby's node paused (a Savanna
/// producer pauses without its finalizer's votes). The chain's consensus is read from a block header as the observer
/// reads them (<see cref="ObservedBlock.IsSavanna"/>: a Savanna header's <c>schedule_version</c> is 2^31): at start-up,
/// again at least every <see cref="ChainFacts.Refresh"/> while samples come in, and before any decision. When it differs,
/// the service fails closed: Critical once, a blocker in <see cref="Blockers"/>, and no rotation — the evidence carries
/// the chain's consensus and the policy's consensus-mismatch gate fails, so the suppression is recorded like any other (for
/// <c>failover audit</c>, the dashboard and the webhooks) and re-derived by <c>audit verify</c>.
/// </summary>
public sealed partial class ProcessManager
{
    private ChainConsensus? _chainConsensus;
    private ConsensusKind? _mismatchLogged;
    private string? _consensusBlocker;

    /// <summary>The chain's consensus as the last block header read showed it (null: not read yet).</summary>
    public ConsensusKind? ChainConsensusSeen => _chainConsensus?.Kind;

    /// <summary>
    /// The chain's consensus (<see cref="ChainFacts.ConsensusAsync"/>): from the header of the head block of
    /// <paramref name="sample"/> (the block the observer follows; at start-up, the endpoint's head). Null while no
    /// endpoint ever answered.
    /// </summary>
    private async Task<ChainConsensus?> ChainConsensusAsync(ParticipationSampled? sample, CancellationToken cancellationToken)
    {
        // A reading is judged once: between refreshes the same one comes back.
        if (await _facts.ConsensusAsync(sample?.HeadBlockNum, cancellationToken).ConfigureAwait(false) is { Value: var seen } && !ReferenceEquals(seen, _chainConsensus))
        {
            Observe(seen);
        }

        return _chainConsensus;
    }

    /// <summary>Keeps the reading; a mismatch is logged once when it appears, and once when it is gone.</summary>
    private void Observe(ChainConsensus seen)
    {
        _chainConsensus = seen;
        if (seen.Kind == _settings.Consensus)
        {
            if (_consensusBlocker is not null)
            {
                Log.ConsensusMatches(_log, Text(seen.Kind), seen.BlockNum);
            }

            (_consensusBlocker, _mismatchLogged) = (null, null);
            return;
        }

        _consensusBlocker = Mismatch(seen);
        if (_mismatchLogged != seen.Kind)
        {
            _mismatchLogged = seen.Kind;
            Log.ConsensusMismatch(_log, _consensusBlocker);
        }
    }

    private string Mismatch(ChainConsensus seen) =>
        $"Failover:Chain:Consensus is {Text(_settings.Consensus)}, but the chain is {Text(seen.Kind)} (block {seen.BlockNum}'s header has schedule_version {seen.HeaderScheduleVersion}"
        + (seen.Kind == ConsensusKind.Savanna ? ", the Savanna mark 2^31)" : ", not the Savanna mark 2^31)")
        + (seen.Kind == ConsensusKind.Savanna
            ? ": a Savanna producer pauses without its finalizer's votes, so a rotation must also activate the standby's finalizer key (every data center needs its FinalizerKey) and wait for the revealing block to be final"
            : ": a legacy chain has no finalizers, so neither actfinkey nor the Savanna finality gate applies")
        + $"; no rotation until Chain:Consensus is {Text(seen.Kind)}";

    private static string Text(ConsensusKind kind) => kind == ConsensusKind.Savanna ? "savanna" : "legacy";

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Critical, "CHAIN CONSENSUS: {Problem}")]
        public static partial void ConsensusMismatch(ILogger logger, string problem);

        [LoggerMessage(LogLevel.Information, "The chain's consensus matches Failover:Chain:Consensus ({Consensus}, block {BlockNum}): rotations are no longer held back.")]
        public static partial void ConsensusMatches(ILogger logger, string consensus, uint blockNum);

        [LoggerMessage(LogLevel.Warning, "The chain's consensus could not be read from any endpoint (configured: {Configured}); nothing is decided before it is known — tried again at the next sample.")]
        public static partial void ConsensusUnknown(ILogger logger, string configured);
    }
}
