using System.Collections.Immutable;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Domain.Decisions;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Process;

/// <summary>
/// The start-up checks of the process manager: the signing key parses and belongs to the signing permission, the
/// permission is dedicated and linked to the rotation's actions (design §2.5), and the configured consensus is the
/// chain's. Each problem is logged at Critical; those that keep a rotation from succeeding are also kept in
/// <see cref="Blockers"/> (the readiness hook).
/// </summary>
public sealed partial class ProcessManager
{
    private ImmutableList<string> _startupBlockers = [];

    /// <summary>
    /// What keeps this manager from rotating successfully, in words (never key material): a signing key that cannot be
    /// read or parsed or is not the permission's, a permission that is missing or not linked to the rotation's actions
    /// (found at start-up), and a configured consensus that is not the chain's (checked again as the chain is observed).
    /// Empty: ready. Signing with <c>active</c>/<c>owner</c> is logged at Critical but works, so it is not listed.
    /// </summary>
    public IReadOnlyList<string> Blockers => _consensusBlocker is { } consensus ? _startupBlockers.Add(consensus) : _startupBlockers;

    private async Task StartupChecksAsync(CancellationToken cancellationToken)
    {
        _startupBlockers = [];
        var publicKey = CheckSigningKey();
        await CheckPermissionAsync(publicKey, cancellationToken).ConfigureAwait(false);
        await ChainConsensusAsync(sample: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The key is read and parsed now, not first when a rotation is signed, so a malformed key file or variable shows
    /// at start-up rather than in the middle of a failover. Only its public key is kept; the problem never quotes it.
    /// DryRun signs nothing: a missing key is fine there, a malformed one a warning.
    /// </summary>
    private PublicKey? CheckSigningKey()
    {
        if (_key.TryReadPublicKey(out var publicKey, out var problem))
        {
            return publicKey;
        }

        var configured = _settings.Signer.KeyFile is not null || _settings.Signer.KeyEnvironmentVariable is not null;
        if (_settings.DryRun)
        {
            if (configured)
            {
                Log.KeyProblemInDryRun(_log, problem!);
            }

            return null;
        }

        Blocked(problem!);
        Log.KeyProblem(_log, problem!);
        return null;
    }

    /// <summary>
    /// design §2.5: the signing permission should be dedicated and linked only to the rotation's actions. Says loudly
    /// when it is active/owner, missing, not linked, or when the configured key does not belong to it (or cannot
    /// satisfy it alone).
    /// </summary>
    private async Task CheckPermissionAsync(PublicKey? key, CancellationToken cancellationToken)
    {
        var permission = _settings.Signer.Permission.ToString();
        foreach (var client in _chain)
        {
            try
            {
                var account = await client.GetAccountAsync(_producer, cancellationToken).ConfigureAwait(false);
                var found = account.Permissions.FirstOrDefault(p => p.PermName == permission);
                if (found is null)
                {
                    PermissionProblem($"{_producer} has no permission '{permission}': rotations signed for it will be rejected", blocks: true);
                    return;
                }

                if (permission is "active" or "owner")
                {
                    PermissionProblem($"the service signs with {_producer}@{permission}, a key that can do anything with the account; use a dedicated permission linked only to eosio::regproducer, regproducer2 and actfinkey", blocks: false);
                }

                var linked = found.LinkedActions ?? [];
                foreach (var action in _settings.Consensus == ConsensusKind.Savanna ? new[] { "regproducer", "actfinkey" } : ["regproducer"])
                {
                    if (permission is not ("active" or "owner") && !linked.Any(l => l.Account == "eosio" && (l.Action is null || l.Action == action)))
                    {
                        PermissionProblem($"{_producer}@{permission} is not linked to eosio::{action}: the rotation will be rejected for missing authority", blocks: true);
                    }
                }

                if (key is not null)
                {
                    var weight = found.RequiredAuth.Keys.Where(k => PublicKey.TryParse(k.Key, out var pk, out _) && pk == key).Sum(k => (long)k.Weight);
                    if (weight == 0)
                    {
                        PermissionProblem($"the configured signing key ({key}) is not a key of {_producer}@{permission}: the rotation will be rejected for missing authority", blocks: true);
                    }
                    else if (weight < found.RequiredAuth.Threshold)
                    {
                        PermissionProblem($"the configured signing key ({key}) weighs {weight} in {_producer}@{permission}, whose threshold is {found.RequiredAuth.Threshold}: it cannot sign the rotation alone", blocks: true);
                    }
                }

                return;
            }
            catch (ChainApiException e)
            {
                Log.ReadFailed(_log, "account " + _producer, e.Message);
            }
        }
    }

    private void PermissionProblem(string problem, bool blocks)
    {
        if (blocks)
        {
            Blocked(problem);
        }

        Log.PermissionProblem(_log, problem);
    }

    private void Blocked(string problem) => _startupBlockers = _startupBlockers.Add(problem);

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Critical, "SIGNING PERMISSION: {Problem}")]
        public static partial void PermissionProblem(ILogger logger, string problem);

        [LoggerMessage(LogLevel.Critical, "SIGNING KEY: {Problem}; no rotation can be signed until it is fixed")]
        public static partial void KeyProblem(ILogger logger, string problem);

        [LoggerMessage(LogLevel.Warning, "SIGNING KEY (DryRun, nothing is signed): {Problem}")]
        public static partial void KeyProblemInDryRun(ILogger logger, string problem);
    }
}
