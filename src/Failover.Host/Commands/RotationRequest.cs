using System.Numerics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Host.Commands;

/// <summary>The raw text of the <c>tx rotate</c> options, before validation.</summary>
internal sealed record RotationOptions(
    string? ChainId,
    string? RefBlockId,
    string? Expiration,
    string? Producer,
    string? Permission,
    string? NewKey,
    string? Url,
    string? Location,
    string? AuthorityThreshold,
    IReadOnlyList<string> AuthorityKeys,
    string? FinalizerKey);

/// <summary>
/// Validation of the <c>tx rotate</c> options into a <see cref="KeyRotation"/>: <c>regproducer</c> (or
/// <c>regproducer2</c> with an authority) plus an optional <c>actfinkey</c>, all authorised by <c>producer@permission</c>.
/// </summary>
internal static class RotationRequest
{
    public const string ExpirationFormat = "yyyy-MM-dd'T'HH:mm:ss";
    private const int MaxUrlBytes = 511; // eosio.system: check(url.size() < 512, "url too long")

    /// <summary>Validates every option and reports every problem at once.</summary>
    public static KeyRotation? Validate(RotationOptions options, List<string> problems)
    {
        var chainId = Hash(options.ChainId, "--chain-id", problems);
        var refBlockId = Hash(options.RefBlockId, "--ref-block-id", problems);
        var expiration = ParseExpiration(options.Expiration, problems);
        var producer = ParseName(options.Producer, "--producer", problems);
        var permission = ParseName(options.Permission, "--permission", problems);
        var newKey = ParseKey(options.NewKey, "--new-key", problems);
        var url = options.Url;
        if (!Missing(url, "--url", problems) && Encoding.UTF8.GetByteCount(url) > MaxUrlBytes)
        {
            problems.Add($"--url is {Encoding.UTF8.GetByteCount(url)} bytes in UTF-8; the system contract allows at most {MaxUrlBytes}.");
        }

        var location = ParseNumber<ushort>(options.Location, "--location", "0 to 65535", problems);
        var authority = ParseAuthority(options, newKey, problems);
        var finalizer = options.FinalizerKey is null ? null : CheckFinalizerKey(options.FinalizerKey, problems);

        if (problems.Count > 0)
        {
            return null;
        }

        var authorization = new PermissionLevel(producer!.Value, permission!.Value);
        return authority is null
            ? KeyRotation.ToNewKey(chainId!.Value, refBlockId!.Value, expiration!.Value, authorization, newKey!, url!, location!.Value, finalizer)
            : KeyRotation.ToAuthority(chainId!.Value, refBlockId!.Value, expiration!.Value, authorization, authority, url!, location!.Value, finalizer);
    }

    private static BlockSigningAuthority? ParseAuthority(RotationOptions options, PublicKey? newKey, List<string> problems)
    {
        if (options.AuthorityThreshold is null && options.AuthorityKeys.Count == 0)
        {
            return null;
        }

        var threshold = ParseNumber<uint>(options.AuthorityThreshold, "--authority-threshold", "1 to 4294967295", problems);
        if (options.AuthorityKeys.Count == 0)
        {
            problems.Add("--authority-key KEY:WEIGHT is required (once per key) when --authority-threshold is given.");
            return null;
        }

        var keys = new List<KeyWeight>();
        foreach (var (text, index) in options.AuthorityKeys.Select((t, i) => (t, i + 1)))
        {
            var separator = text.LastIndexOf(':');
            if (separator < 0)
            {
                problems.Add($"--authority-key #{index} must be KEY:WEIGHT.");
                continue;
            }

            var key = ParseKey(text[..separator], $"--authority-key #{index}", problems);
            var weight = ParseNumber<ushort>(text[(separator + 1)..], $"--authority-key #{index} weight", "0 to 65535", problems);
            if (key is not null && weight is not null)
            {
                keys.Add(new KeyWeight(key, weight.Value));
            }
        }

        if (threshold is null || keys.Count != options.AuthorityKeys.Count)
        {
            return null;
        }

        var authority = new BlockSigningAuthority(threshold.Value, keys);
        problems.AddRange(authority.Validate());
        var newKeyWeight = keys.FirstOrDefault(k => k.Key == newKey)?.Weight;
        if (newKey is not null && newKeyWeight is null)
        {
            problems.Add("--new-key must be one of the --authority-key keys: the new authority has to include the key being rotated in.");
        }
        else if (newKeyWeight < threshold)
        {
            // The standby data center signs with the new key alone; an authority it cannot meet keeps the producer off the air.
            problems.Add($"--new-key has weight {newKeyWeight} in the authority, below the threshold {threshold}: the standby data center could not sign blocks with it alone.");
        }

        return authority;
    }

    private static string? CheckFinalizerKey(string text, List<string> problems)
    {
        if (BlsPublicKey.Validate(text) is { } error)
        {
            problems.Add($"--finalizer-key must be a BLS public key ({BlsPublicKey.Prefix}…): {error}.");
            return null;
        }

        return text;
    }

    /// <summary>A 64-hex-digit option (a chain id, a block id); shared with <c>init --sign-key-file</c>.</summary>
    public static Checksum256? Hash(string? text, string option, List<string> problems)
    {
        if (Missing(text, option, problems))
        {
            return null;
        }

        return Checksum256.TryParse(text, out var value, out var error) ? value : Problem<Checksum256>(problems, $"{option}: {error}");
    }

    /// <summary>The <c>--expiration</c> option; shared with <c>init --sign-key-file</c>.</summary>
    public static DateTimeOffset? ParseExpiration(string? text, List<string> problems)
    {
        if (Missing(text, "--expiration", problems))
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(
                text, ExpirationFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            && value.ToUnixTimeSeconds() is >= 0 and <= uint.MaxValue
            ? value
            : Problem<DateTimeOffset>(problems, $"--expiration '{text}' must be a UTC time written YYYY-MM-DDTHH:MM:SS (no zone, no fraction).");
    }

    private static Name? ParseName(string? text, string option, List<string> problems)
    {
        if (Missing(text, option, problems))
        {
            return null;
        }

        return Name.TryParse(text, out var name, out var error) && text.Length > 0
            ? name
            : Problem<Name>(problems, $"{option}: {error ?? "an empty name is not an account."}");
    }

    private static PublicKey? ParseKey(string? text, string option, List<string> problems)
    {
        if (Missing(text, option, problems))
        {
            return null;
        }

        if (!PublicKey.TryParse(text, out var key, out var error) || key.IsZero)
        {
            problems.Add($"{option}: {error ?? "the all-zero key cannot sign blocks."}");
            return null;
        }

        return key;
    }

    private static T? ParseNumber<T>(string? text, string option, string range, List<string> problems)
        where T : struct, IBinaryInteger<T>
    {
        if (Missing(text, option, problems))
        {
            return null;
        }

        return T.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : Problem<T>(problems, $"{option} '{text}' must be a whole number from {range}.");
    }

    private static bool Missing([NotNullWhen(false)] string? text, string option, List<string> problems)
    {
        if (text is null)
        {
            problems.Add($"{option} is required.");
        }

        return text is null;
    }

    private static T? Problem<T>(List<string> problems, string problem)
        where T : struct
    {
        problems.Add(problem);
        return null;
    }
}
