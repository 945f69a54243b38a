using Failover.Antelope;
using Failover.Service.Configuration;

namespace Failover.Service.Process;

/// <summary>
/// Where the rotation's private key comes from: a file readable by its owner only, or an environment variable. Read
/// when a rotation is signed, never kept in a log, event, exception message or API answer.
/// </summary>
public sealed class SigningKeySource(SignerSettings settings)
{
    /// <summary>The key, or the reason it cannot be used (a reason never contains key material).</summary>
    public bool TryLoad(out PrivateKey? key, out string? problem)
    {
        key = null;
        string text;
        if (settings.KeyFile is { } path)
        {
            if (Configuration.FailoverConfigurationValidator.KeyFileProblem(path) is { } fileProblem)
            {
                problem = $"Failover:Signer:KeyFile {fileProblem}";
                return false;
            }

            text = File.ReadAllText(path).Trim();
        }
        else if (settings.KeyEnvironmentVariable is { } variable)
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
            problem = $"the signing key in {settings.KeyFile ?? "$" + settings.KeyEnvironmentVariable} is not a private key (WIF or PVT_K1_…)";
            return false;
        }

        problem = null;
        return true;
    }
}
