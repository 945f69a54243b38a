using System.Globalization;
using Failover.Domain.Decisions;

namespace Failover.Audit.WhatIf;

/// <summary>One <c>--set Policy:Key=Value</c>.</summary>
public sealed record PolicyOverride(string Key, string Value)
{
    public override string ToString() => $"Policy:{Key}={Value}";
}

/// <summary>
/// Parses <c>--set Policy:Key=Value</c> (the keys and value formats of <c>Failover:Policy</c>: whole numbers, decimals
/// with a dot, durations as hh:mm:ss[.fff]) and applies them over a recorded policy.
/// </summary>
public static class PolicyOverrides
{
    public static IReadOnlyList<string> Keys { get; } =
    [
        nameof(FailoverPolicy.MissedBlocksThreshold), nameof(FailoverPolicy.MinParticipation), nameof(FailoverPolicy.MaxHeadAge),
        nameof(FailoverPolicy.MaxLibStall), nameof(FailoverPolicy.Cooldown), nameof(FailoverPolicy.MaxRotationsPer24h),
        nameof(FailoverPolicy.MaxStandbyHeadAge),
    ];

    /// <summary><c>Policy:Key=Value</c> (also <c>Failover:Policy:Key=Value</c>); the key in any case. Problems name the text.</summary>
    public static bool TryParse(string? text, out PolicyOverride? parsed, out string? problem)
    {
        parsed = null;
        problem = null;
        var equals = text?.IndexOf('=', StringComparison.Ordinal) ?? -1;
        if (text is null || equals < 0)
        {
            problem = $"--set '{text}' is not Policy:Key=Value";
            return false;
        }

        var path = text[..equals].Trim();
        var value = text[(equals + 1)..].Trim();
        foreach (var prefix in new[] { "Failover:Policy:", "Policy:" })
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                path = path[prefix.Length..];
                break;
            }
        }

        var key = Keys.FirstOrDefault(k => string.Equals(k, path, StringComparison.OrdinalIgnoreCase));
        if (key is null)
        {
            problem = $"--set '{text}': '{path}' is not a policy key; the keys are {string.Join(", ", Keys)}";
            return false;
        }

        var candidate = new PolicyOverride(key, value);
        var problems = new List<string>();
        Apply(new FailoverPolicy(), [candidate], problems);
        if (problems.Count > 0)
        {
            problem = $"--set '{text}': {problems[0]}";
            return false;
        }

        parsed = candidate;
        return true;
    }

    /// <summary>
    /// The policy with the overrides applied. The ranges are the service's, except that <c>MinParticipation</c> may be
    /// 1 here — "no participation is enough", the limit the service's configuration stops just short of.
    /// </summary>
    public static FailoverPolicy Apply(FailoverPolicy policy, IReadOnlyList<PolicyOverride> overrides, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(problems);
        foreach (var (key, value) in overrides.Select(o => (o.Key, o.Value)))
        {
            policy = key switch
            {
                nameof(FailoverPolicy.MissedBlocksThreshold) => policy with { MissedBlocksThreshold = Int(value, 1, problems) },
                nameof(FailoverPolicy.MinParticipation) => policy with { MinParticipation = Fraction(value, problems) },
                nameof(FailoverPolicy.MaxHeadAge) => policy with { MaxHeadAge = Duration(value, false, problems) },
                nameof(FailoverPolicy.MaxLibStall) => policy with { MaxLibStall = Duration(value, false, problems) },
                nameof(FailoverPolicy.Cooldown) => policy with { Cooldown = Duration(value, true, problems) },
                nameof(FailoverPolicy.MaxRotationsPer24h) => policy with { MaxRotationsPer24h = Int(value, 1, problems) },
                nameof(FailoverPolicy.MaxStandbyHeadAge) => policy with { MaxStandbyHeadAge = Duration(value, false, problems) },
                _ => throw new ArgumentException($"'{key}' is not a policy key.", nameof(overrides)),
            };
        }

        return policy;
    }

    private static int Int(string text, int minimum, List<string> problems)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        problems.Add($"'{text}' is not a whole number of at least {minimum}");
        return minimum;
    }

    private static double Fraction(string text, List<string> problems)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1)
        {
            return value;
        }

        problems.Add($"'{text}' is not a number from 0 to 1 (e.g. 0.9)");
        return 0;
    }

    private static TimeSpan Duration(string text, bool zeroAllowed, List<string> problems)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && (value > TimeSpan.Zero || (zeroAllowed && value == TimeSpan.Zero)))
        {
            return value;
        }

        problems.Add($"'{text}' is not a {(zeroAllowed ? "non-negative" : "positive")} duration as hh:mm:ss[.fff] (e.g. 00:00:03)");
        return TimeSpan.FromSeconds(1);
    }
}
