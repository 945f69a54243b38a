using Failover.Domain.Chain;
using System.Security.Cryptography;
using System.Text;
using Failover.Domain.Decisions;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// The policy's values (design §5 defaults), their validation, and the hash every decision records so the audit tool
/// re-runs it under exactly that policy: equal policies hash alike, and a change of any value changes the hash.
/// </summary>
public sealed class FailoverPolicyTests
{
    /// <summary>One changed value per field of the policy.</summary>
    private static readonly string[] FieldNames =
    [
        nameof(FailoverPolicy.MissedBlocksThreshold),
        nameof(FailoverPolicy.MinParticipation),
        nameof(FailoverPolicy.MaxHeadAge),
        nameof(FailoverPolicy.MaxLibStall),
        nameof(FailoverPolicy.Cooldown),
        nameof(FailoverPolicy.MaxRotationsPer24h),
        nameof(FailoverPolicy.MaxStandbyHeadAge),
    ];

    public static TheoryData<string> Fields => new(FieldNames);

    private static FailoverPolicy Changed(string field) => field switch
    {
        nameof(FailoverPolicy.MissedBlocksThreshold) => new FailoverPolicy { MissedBlocksThreshold = 13 },
        nameof(FailoverPolicy.MinParticipation) => new FailoverPolicy { MinParticipation = 0.81 },
        nameof(FailoverPolicy.MaxHeadAge) => new FailoverPolicy { MaxHeadAge = TimeSpan.FromMilliseconds(3001) },
        nameof(FailoverPolicy.MaxLibStall) => new FailoverPolicy { MaxLibStall = TimeSpan.FromMilliseconds(10_001) },
        nameof(FailoverPolicy.Cooldown) => new FailoverPolicy { Cooldown = TimeSpan.FromMinutes(11) },
        nameof(FailoverPolicy.MaxRotationsPer24h) => new FailoverPolicy { MaxRotationsPer24h = 3 },
        nameof(FailoverPolicy.MaxStandbyHeadAge) => new FailoverPolicy { MaxStandbyHeadAge = TimeSpan.FromMilliseconds(6001) },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    [Fact]
    public void The_defaults_are_those_of_the_design()
    {
        var policy = new FailoverPolicy();

        Assert.Equal(12, policy.MissedBlocksThreshold);
        Assert.Equal(0.8, policy.MinParticipation);
        Assert.Equal(TimeSpan.FromSeconds(3), policy.MaxHeadAge);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.MaxLibStall);
        Assert.Equal(TimeSpan.FromMinutes(10), policy.Cooldown);
        Assert.Equal(2, policy.MaxRotationsPer24h);
        Assert.Empty(policy.Validate());
    }

    // ---- hash ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Equal_policies_have_equal_hashes()
    {
        Assert.Equal(new FailoverPolicy().Hash(), new FailoverPolicy().Hash());
        Assert.Equal(
            new FailoverPolicy { MinParticipation = 0.9, Cooldown = TimeSpan.FromMinutes(30) }.Hash(),
            new FailoverPolicy { Cooldown = TimeSpan.FromMinutes(30), MinParticipation = 0.9 }.Hash());
    }

    [Fact]
    public void Equal_policies_have_equal_hashes_even_when_zero_is_written_negative()
    {
        // -0.0 and 0.0 are the same participation threshold (and the records are equal, and both validate), so a
        // decision re-run under either must be recognised as taken under the same policy.
        var zero = new FailoverPolicy { MinParticipation = 0.0 };
        var negativeZero = new FailoverPolicy { MinParticipation = -0.0 };

        Assert.Equal(zero, negativeZero);
        Assert.Empty(negativeZero.Validate());
        Assert.Equal(zero.Hash(), negativeZero.Hash());
    }

    [Fact]
    public void The_hash_is_a_lowercase_hex_sha256()
    {
        var hash = new FailoverPolicy().Hash();

        Assert.Equal(64, hash.Length);
        Assert.Equal(hash, Convert.ToHexStringLower(Convert.FromHexString(hash)));
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Changing_any_value_changes_the_hash(string field)
    {
        Assert.NotEqual(new FailoverPolicy().Hash(), Changed(field).Hash());
    }

    [Fact]
    public void Each_value_changes_the_hash_differently()
    {
        var hashes = FieldNames.Select(f => Changed(f).Hash()).Append(new FailoverPolicy().Hash()).ToList();

        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void The_hash_of_the_defaults_is_the_sha256_of_their_fixed_text_form()
    {
        // The fixed form keeps recorded hashes stable across releases: one "name=value" line per field, times in ms.
        const string text = "missed_blocks_threshold=12\nmin_participation=0.8\nmax_head_age_ms=3000\nmax_lib_stall_ms=10000\n"
            + "cooldown_ms=600000\nmax_rotations_per_24h=2\nmax_standby_head_age_ms=6000";

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), new FailoverPolicy().Hash());
    }

    // ---- validation ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(-3, false)]
    [InlineData(ObservedChain.RunStartKept, true)]
    [InlineData(ObservedChain.RunStartKept + 1, false)]
    public void The_missed_blocks_threshold_must_be_at_least_one_and_within_the_run_start_the_chain_fold_keeps(int threshold, bool valid)
    {
        AssertValidity(new FailoverPolicy { MissedBlocksThreshold = threshold }, valid, nameof(FailoverPolicy.MissedBlocksThreshold));
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(0.99, true)]
    [InlineData(1.0, false)]
    [InlineData(-0.01, false)]
    [InlineData(double.NaN, false)]
    public void The_minimum_participation_must_be_at_least_zero_and_below_one(double min, bool valid)
    {
        AssertValidity(new FailoverPolicy { MinParticipation = min }, valid, nameof(FailoverPolicy.MinParticipation));
    }

    [Theory]
    [InlineData(nameof(FailoverPolicy.MaxHeadAge))]
    [InlineData(nameof(FailoverPolicy.MaxLibStall))]
    [InlineData(nameof(FailoverPolicy.MaxStandbyHeadAge))]
    public void Ages_and_stalls_must_be_positive(string field)
    {
        FailoverPolicy With(TimeSpan value) => field switch
        {
            nameof(FailoverPolicy.MaxHeadAge) => new FailoverPolicy { MaxHeadAge = value },
            nameof(FailoverPolicy.MaxLibStall) => new FailoverPolicy { MaxLibStall = value },
            _ => new FailoverPolicy { MaxStandbyHeadAge = value },
        };

        AssertValidity(With(TimeSpan.Zero), false, field);
        AssertValidity(With(TimeSpan.FromSeconds(-1)), false, field);
        AssertValidity(With(TimeSpan.FromTicks(1)), true, field);
    }

    [Fact]
    public void The_cooldown_may_be_zero_but_not_negative()
    {
        AssertValidity(new FailoverPolicy { Cooldown = TimeSpan.Zero }, true, nameof(FailoverPolicy.Cooldown));
        AssertValidity(new FailoverPolicy { Cooldown = TimeSpan.FromTicks(-1) }, false, nameof(FailoverPolicy.Cooldown));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void The_cap_must_allow_at_least_one_rotation(int cap, bool valid)
    {
        AssertValidity(new FailoverPolicy { MaxRotationsPer24h = cap }, valid, nameof(FailoverPolicy.MaxRotationsPer24h));
    }

    [Fact]
    public void Every_problem_is_listed_not_only_the_first()
    {
        var problems = new FailoverPolicy
        {
            MissedBlocksThreshold = 0,
            MinParticipation = 2,
            MaxHeadAge = TimeSpan.Zero,
            MaxLibStall = TimeSpan.Zero,
            MaxStandbyHeadAge = TimeSpan.Zero,
            Cooldown = TimeSpan.FromSeconds(-1),
            MaxRotationsPer24h = 0,
        }.Validate();

        Assert.Equal(7, problems.Count);
        foreach (var field in new[] { "MissedBlocksThreshold", "MinParticipation", "MaxHeadAge", "MaxLibStall", "MaxStandbyHeadAge", "Cooldown", "MaxRotationsPer24h" })
        {
            Assert.Single(problems, p => p.StartsWith(field + " ", StringComparison.Ordinal));
        }
    }

    private static void AssertValidity(FailoverPolicy policy, bool valid, string field)
    {
        var problems = policy.Validate();
        if (valid)
        {
            Assert.Empty(problems);
        }
        else
        {
            var problem = Assert.Single(problems);
            Assert.StartsWith(field + " must", problem, StringComparison.Ordinal);
        }
    }
}
