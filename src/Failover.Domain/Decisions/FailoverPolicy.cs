using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Failover.Domain.Decisions;

/// <summary>
/// The failover policy (design §5; configured under <c>Failover:Policy</c>). Every decision records the policy it was
/// taken under, so the audit tool can re-run it exactly.
/// </summary>
public sealed record FailoverPolicy
{
    /// <summary>Our consecutive missed scheduled blocks that open an incident (one full window by default).</summary>
    public int MissedBlocksThreshold { get; init; } = 12;

    /// <summary>Participation of the other producers must be strictly above this (0..1).</summary>
    public double MinParticipation { get; init; } = 0.8;

    /// <summary>The head block may be at most this old at the evidence.</summary>
    public TimeSpan MaxHeadAge { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The LIB must have advanced within this time; under Savanna the block that revealed the incident must become
    /// final within it too. Legacy DPoS chains configure more (their LIB trails the head by ~3 minutes).
    /// </summary>
    public TimeSpan MaxLibStall { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No automatic rotation within this time after the last completed one.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many automatic rotations in 24 h; reaching it latches automation off until re-armed.</summary>
    public int MaxRotationsPer24h { get; init; } = 2;

    /// <summary>A fresh head for a standby's own node (when it has an endpoint): at most this old.</summary>
    public TimeSpan MaxStandbyHeadAge { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Everything wrong with the values; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MissedBlocksThreshold < 1)
        {
            problems.Add($"MissedBlocksThreshold must be at least 1, got {MissedBlocksThreshold}.");
        }
        else if (MissedBlocksThreshold > Chain.ObservedChain.RunStartKept)
        {
            problems.Add($"MissedBlocksThreshold must be at most {Chain.ObservedChain.RunStartKept} (the start of a run of misses the observer keeps), got {MissedBlocksThreshold}.");
        }

        if (!(MinParticipation is >= 0 and < 1))
        {
            problems.Add($"MinParticipation must be at least 0 and below 1, got {MinParticipation.ToString(CultureInfo.InvariantCulture)}.");
        }

        foreach (var (name, value) in new[] { (nameof(MaxHeadAge), MaxHeadAge), (nameof(MaxLibStall), MaxLibStall), (nameof(MaxStandbyHeadAge), MaxStandbyHeadAge) })
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{name} must be positive, got {value}.");
            }
        }

        if (Cooldown < TimeSpan.Zero)
        {
            problems.Add($"Cooldown must not be negative, got {Cooldown}.");
        }

        if (MaxRotationsPer24h < 1)
        {
            problems.Add($"MaxRotationsPer24h must be at least 1, got {MaxRotationsPer24h}.");
        }

        return problems;
    }

    /// <summary>A stable digest of the values (hex SHA-256 of a fixed text form), recorded with every decision.</summary>
    public string Hash()
    {
        var text = string.Join('\n',
            $"missed_blocks_threshold={MissedBlocksThreshold}",
            $"min_participation={(MinParticipation + 0.0).ToString("R", CultureInfo.InvariantCulture)}", // + 0.0: -0 and 0 are the same policy
            $"max_head_age_ms={MaxHeadAge.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}",
            $"max_lib_stall_ms={MaxLibStall.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}",
            $"cooldown_ms={Cooldown.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}",
            $"max_rotations_per_24h={MaxRotationsPer24h}",
            $"max_standby_head_age_ms={MaxStandbyHeadAge.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
