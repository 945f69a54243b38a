using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.SystemContract;
using Failover.Domain.Decisions;
using Failover.Domain.Process;
using Failover.Service.Configuration;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Process;

/// <summary>
/// The checks of what the process manager signs with: the signing key parses and belongs to the signing permission,
/// and the permission is dedicated and linked to the rotation's actions (design §2.5). The key is read once, at
/// start-up; the permission at start-up and again at least every <see cref="ChainFacts.Refresh"/> while samples come
/// in, since an account's permissions can change on chain while the service runs. A problem is logged at Critical
/// when it appears (and once it is gone, that it is); those that keep a rotation from succeeding are kept in
/// <see cref="Blockers"/> (the readiness hook) for as long as the chain shows them.
/// </summary>
public sealed partial class ProcessManager
{
    private string? _keyBlocker;
    private PublicKey? _signingKey;
    private IReadOnlyList<PermissionProblem>? _permissionProblems;
    private ChainFact<GetAccountResult>? _permissionJudged;

    /// <summary>
    /// What keeps this manager from rotating successfully, in words (never key material): a signing key that cannot be
    /// read or parsed (found at start-up), a permission that is missing, not linked to the rotation's actions or not
    /// satisfied by the key (as the chain last showed it), a configured consensus that is not the chain's, and a rotation
    /// that automation cannot finish on its own (<see cref="FailoverProcess.AwaitingOperator"/>). Empty: ready. Signing
    /// with <c>active</c>/<c>owner</c> is logged at Critical but works, so it is not listed.
    /// </summary>
    public IReadOnlyList<string> Blockers =>
    [
        .. _keyBlocker is { } key ? [key] : Array.Empty<string>(),
        .. _permissionProblems?.Where(p => p.Blocks).Select(p => p.Text) ?? [],
        .. FinalizerKeyBlockers, // ProcessManager.Finalizers.cs
        .. _consensusBlocker is { } consensus ? [consensus] : Array.Empty<string>(),
        .. Process.AwaitingOperator is { } awaiting ? ["automatic failover needs an operator: " + awaiting] : Array.Empty<string>(),
    ];

    private async Task StartupChecksAsync(CancellationToken cancellationToken)
    {
        (_signingKey, _keyBlocker) = CheckSigningKey();
        await CheckPermissionAsync(fresh: true, cancellationToken).ConfigureAwait(false);
        await ChainConsensusAsync(sample: null, cancellationToken).ConfigureAwait(false);
        await FinalizerKeysAsync(fresh: true, readSince: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-reads the permission when the last reading is older than <see cref="ChainFacts.Refresh"/> (or no endpoint answered yet).</summary>
    private Task RefreshPermissionAsync(CancellationToken cancellationToken) => CheckPermissionAsync(fresh: false, cancellationToken);

    /// <summary>
    /// The key is read and parsed now, not first when a rotation is signed, so a malformed key file or variable shows
    /// at start-up rather than in the middle of a failover. Only its public key is kept; the problem never quotes it.
    /// DryRun signs nothing: a missing key is fine there, a malformed one a warning. Returns the key, or the problem
    /// that blocks rotations.
    /// </summary>
    private (PublicKey? Key, string? Blocker) CheckSigningKey()
    {
        if (_key.TryReadPublicKey(out var publicKey, out var problem))
        {
            return (publicKey, null);
        }

        var configured = _settings.Signer.KeyFile is not null || _settings.Signer.KeyEnvironmentVariable is not null;
        if (_settings.DryRun)
        {
            if (configured)
            {
                Log.KeyProblemInDryRun(_log, problem!);
            }

            return (null, null);
        }

        Log.KeyProblem(_log, problem!);
        return (null, problem);
    }

    /// <summary>
    /// design §2.5: the signing permission should be dedicated and linked only to the rotation's actions. Reads it from
    /// the first endpoint that answers and says loudly what is wrong: active/owner, missing, not linked, or a configured
    /// key that does not belong to it (or cannot satisfy it alone). When no endpoint answers, what was known stays.
    /// </summary>
    private async Task CheckPermissionAsync(bool fresh, CancellationToken cancellationToken)
    {
        // A reading is judged once: between refreshes the same one comes back.
        if (await _facts.AccountAsync(fresh, cancellationToken).ConfigureAwait(false) is { } account && !ReferenceEquals(account, _permissionJudged))
        {
            _permissionJudged = account;
            Observe(PermissionProblems(account.Value));
        }
    }

    /// <summary>The account's signing permission as the domain's rule reads it (keys that do not parse weigh nothing).</summary>
    private IReadOnlyList<PermissionProblem> PermissionProblems(GetAccountResult account) =>
        PermissionProblems(account, _settings, _signingKey);

    /// <summary>What <see cref="SigningPermissionRule"/> finds wrong with the signing permission in <paramref name="account"/>.</summary>
    internal static IReadOnlyList<PermissionProblem> PermissionProblems(GetAccountResult account, FailoverSettings settings, PublicKey? signingKey)
    {
        var permission = settings.Signer.Permission.ToString();
        var found = account.Permissions.FirstOrDefault(p => p.PermName == permission) is { } p
            ? new PermissionOnChain(
                p.PermName,
                p.RequiredAuth.Threshold,
                [.. p.RequiredAuth.Keys.Select(k => PublicKey.TryParse(k.Key, out var key, out _) ? new KeyWeight(key!, k.Weight) : null).OfType<KeyWeight>()],
                [.. (p.LinkedActions ?? []).Select(l => (l.Account, l.Action))])
            : null;
        return SigningPermissionRule.Problems(settings.Producer.ToString(), permission, settings.Consensus, found, signingKey);
    }

    /// <summary>Keeps the newest reading; a problem is logged when it appears, and that all are gone once they are.</summary>
    private void Observe(IReadOnlyList<PermissionProblem> problems)
    {
        var before = _permissionProblems ?? [];
        foreach (var problem in problems.Where(p => !before.Contains(p)))
        {
            Log.PermissionProblem(_log, problem.Text);
        }

        if (before.Count > 0 && problems.Count == 0)
        {
            Log.PermissionFixed(_log, _producer, _settings.Signer.Permission.ToString());
        }

        _permissionProblems = problems;
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Critical, "SIGNING PERMISSION: {Problem}")]
        public static partial void PermissionProblem(ILogger logger, string problem);

        [LoggerMessage(LogLevel.Information, "SIGNING PERMISSION: {Producer}@{Permission} is now as the rotation needs it; rotations are no longer held back by it.")]
        public static partial void PermissionFixed(ILogger logger, string producer, string permission);

        [LoggerMessage(LogLevel.Critical, "SIGNING KEY: {Problem}; no rotation can be signed until it is fixed")]
        public static partial void KeyProblem(ILogger logger, string problem);

        [LoggerMessage(LogLevel.Warning, "SIGNING KEY (DryRun, nothing is signed): {Problem}")]
        public static partial void KeyProblemInDryRun(ILogger logger, string problem);
    }
}
