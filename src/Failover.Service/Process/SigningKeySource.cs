using Failover.Antelope;
using Failover.Service.Configuration;

namespace Failover.Service.Process;

/// <summary>
/// Where the rotation's private key comes from: a file readable by its owner only, or an environment variable. Read
/// when a rotation is signed, never kept in a log, event, exception message or API answer. The start-up check
/// (<see cref="TryReadPublicKey"/>) reads it once to prove it parses, and keeps only its public key.
/// </summary>
public sealed class SigningKeySource(SignerSettings settings)
{
    /// <summary>The key, or the reason it cannot be used (a reason never contains key material).</summary>
    public bool TryLoad(out PrivateKey? key, out string? problem) =>
        TryRead(settings.KeyFile, settings.KeyEnvironmentVariable, out key, out problem);

    /// <summary>The public key of the configured key, or why there is none; the private key is not kept.</summary>
    public bool TryReadPublicKey(out PublicKey? publicKey, out string? problem)
    {
        publicKey = TryLoad(out var key, out problem) ? key!.PublicKey : null;
        return publicKey is not null;
    }

    /// <summary>
    /// Why the key in <paramref name="keyFile"/> (or the variable <paramref name="keyEnvironmentVariable"/>) cannot
    /// sign, or null when it parses: for a configuration check that wants to refuse to start. Never key material.
    /// </summary>
    public static string? Problem(string? keyFile, string? keyEnvironmentVariable) =>
        TryRead(keyFile, keyEnvironmentVariable, out _, out var problem) ? null : problem;

    private static bool TryRead(string? keyFile, string? keyEnvironmentVariable, out PrivateKey? key, out string? problem)
    {
        key = null;
        string text;
        if (keyFile is { } path)
        {
            if (FailoverConfigurationValidator.KeyFileProblem(path) is { } fileProblem)
            {
                problem = $"Failover:Signer:KeyFile {fileProblem}";
                return false;
            }

            try
            {
                text = File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Only the kind of failure: the message is the runtime's, and names the path at most.
                problem = $"Failover:Signer:KeyFile '{path}' cannot be read ({e.GetType().Name})";
                return false;
            }
        }
        else if (keyEnvironmentVariable is { } variable)
        {
            text = Environment.GetEnvironmentVariable(variable)?.Trim() ?? string.Empty;
        }
        else
        {
            problem = "no signing key is configured (Failover:Signer:KeyFile or KeyEnvironmentVariable)";
            return false;
        }

        if (!PrivateKey.TryParse(text, out key, out _))
        {
            // The parser's message could quote the text: say only where it came from.
            problem = $"the signing key in {keyFile ?? "$" + keyEnvironmentVariable} is not a private key (WIF or PVT_K1_…)";
            return false;
        }

        problem = null;
        return true;
    }
}
