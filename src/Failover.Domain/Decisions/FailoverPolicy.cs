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

    /// <summary>What the service configures for <see cref="FinalizerSilence"/> unless told otherwise.</summary>
    public static readonly TimeSpan DefaultFinalizerSilence = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Savanna early detection: certificates without our finalizer's vote for this much chain time open a
    /// <c>finalizer-silent</c> incident before any missed block. Null: off (only missed runs open incidents) — what a
    /// policy recorded before it existed reads as, so its hash is unchanged; the service configures
    /// <see cref="DefaultFinalizerSilence"/>.
    /// </summary>
    public TimeSpan? FinalizerSilence { get; init; }

    /// <summary>
    /// Legacy early detection (off unless configured): the data center in force has an <c>Endpoint</c>, and a majority of
    /// the observers that sampled its node lately have seen no new head from it for this long. Weaker evidence than the
    /// chain's own — an observer cut off from its data center sees the same — and judged by the same gates.
    /// </summary>
    public TimeSpan? NodeSilence { get; init; }

    /// <summary>What the service configures for <see cref="Degraded"/> unless told otherwise: a third of our last three windows.</summary>
    public static readonly DegradedRule DefaultDegraded = new(12, 36);

    /// <summary>
    /// A degraded primary: at least <see cref="DegradedRule.Missed"/> of our last <see cref="DegradedRule.Slots"/> scheduled
    /// slots missed, in at least two of our windows, our latest window among them — a primary that lands a few blocks
    /// per window never misses 12 in a row. Null: off, as in a policy recorded before it existed (its hash unchanged);
    /// the service configures <see cref="DefaultDegraded"/>.
    /// </summary>
    public DegradedRule? Degraded { get; init; }

    /// <summary>
    /// The policy <c>failover run</c> takes when its configuration leaves everything out: this record's defaults, with early
    /// detection (<see cref="DefaultFinalizerSilence"/>) and the degraded rule (<see cref="DefaultDegraded"/>) on.
    /// </summary>
    public static FailoverPolicy ServiceDefault { get; } = new() { FinalizerSilence = DefaultFinalizerSilence, Degraded = DefaultDegraded };

    /// <summary>Ten of our windows: the observer keeps far more of our slots than that (4096 blocks, 16 rounds).</summary>
    public const int MaxDegradedSlots = 120;

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

        if (NodeSilence is { } nodeSilence && nodeSilence <= TimeSpan.Zero)
        {
            problems.Add($"NodeSilence must be positive (or off), got {nodeSilence}.");
        }

        if (FinalizerSilence is { } silence && silence <= TimeSpan.Zero)
        {
            problems.Add($"FinalizerSilence must be positive (or off), got {silence}.");
        }

        if (Degraded is { } degraded && !(degraded.Slots is >= 2 * 12 and <= MaxDegradedSlots && degraded.Missed >= 1 && degraded.Missed <= degraded.Slots))
        {
            problems.Add($"Degraded must be MISSED/SLOTS with SLOTS 24 to {MaxDegradedSlots} (two to ten of our windows) and MISSED 1 to SLOTS, got {degraded.Missed}/{degraded.Slots}.");
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
        if (Degraded is { } rule)
        {
            text += $"\ndegraded_missed={rule.Missed}\ndegraded_slots={rule.Slots}";
        }

        if (NodeSilence is { } node)
        {
            text += $"\nnode_silence_ms={node.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}";
        }

        if (FinalizerSilence is { } silence)
        {
            text += $"\nfinalizer_silence_ms={silence.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}";
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>At least <paramref name="Missed"/> of our last <paramref name="Slots"/> scheduled slots missed (<see cref="FailoverPolicy.Degraded"/>).</summary>
public sealed record DegradedRule(int Missed, int Slots);
