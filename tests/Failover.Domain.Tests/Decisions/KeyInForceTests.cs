using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Tests.Support;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// KeyInForce: a key is in force when it alone satisfies our block signing authority (the weights of its entries reach
/// the threshold), so a node holding only it can sign our blocks; keys compare parsed, and one that does not parse
/// never matches.
/// </summary>
public sealed class KeyInForceTests
{
    private static readonly string KeyA = TestKeys.Derive("dc-a").ToString();
    private static readonly string KeyB = TestKeys.Derive("dc-b").ToString();
    private static readonly string KeyC = TestKeys.Derive("dc-c").ToString();
    private static readonly string LegacyA = PublicKey.Parse(KeyA).ToLegacyString();

    private static readonly DataCenterConfig DcA = new("dc-a", 1, KeyA, null, true);
    private static readonly DataCenterConfig DcB = new("dc-b", 2, KeyB, null, true);
    private static readonly DataCenterConfig DcC = new("dc-c", 3, KeyC, null, false);

    private static SigningAuthority Authority(uint threshold, params (string Key, ushort Weight)[] keys) =>
        new(threshold, [.. keys.Select(k => new ScheduleKey(k.Key, k.Weight))]);

    /// <summary>Given an authority, When each key is asked about, Then exactly the keys in force answer true.</summary>
    private static void ThenInForce(SigningAuthority? authority, params string[] inForce)
    {
        var asked = new[] { KeyA, KeyB, KeyC };
        Assert.Equal(inForce, asked.Where(k => KeyInForce.IsInForce(authority, k)));
    }

    [Fact]
    public void A_single_key_authority_has_that_key_in_force_and_no_other()
    {
        ThenInForce(SigningAuthority.SingleKey(KeyA), KeyA);
        ThenInForce(Authority(1, (KeyA, 1)), KeyA);
    }

    [Fact]
    public void At_threshold_1_every_key_of_weight_1_is_in_force_alone()
    {
        ThenInForce(Authority(1, (KeyA, 1), (KeyB, 1)), KeyA, KeyB);
        ThenInForce(SigningAuthority.EachKeyAlone([KeyA, KeyC]), KeyA, KeyC);
    }

    [Fact]
    public void A_key_whose_weight_reaches_the_threshold_is_in_force_and_one_below_it_is_not()
    {
        ThenInForce(Authority(2, (KeyA, 2), (KeyB, 1)), KeyA);
        ThenInForce(Authority(2, (KeyA, 1), (KeyB, 3)), KeyB);
        ThenInForce(Authority(3, (KeyA, 2), (KeyB, 3), (KeyC, 1)), KeyB);
    }

    [Fact]
    public void When_no_key_alone_reaches_the_threshold_none_is_in_force()
    {
        // Threshold 2, keys of weight 1: a node holding only one of them cannot sign.
        ThenInForce(Authority(2, (KeyA, 1), (KeyB, 1)));
        ThenInForce(Authority(2, (KeyA, 1), (KeyB, 1), (KeyC, 1)));
    }

    [Fact]
    public void No_authority_or_an_empty_one_has_no_key_in_force()
    {
        ThenInForce(null);
        ThenInForce(Authority(1));
        ThenInForce(SigningAuthority.EachKeyAlone([]));
    }

    [Fact]
    public void The_legacy_and_the_k1_spelling_of_one_key_are_the_same_key()
    {
        Assert.True(KeyInForce.SameKey(KeyA, LegacyA));
        Assert.True(KeyInForce.SameKey(LegacyA, KeyA));
        Assert.True(KeyInForce.SameKey(PublicKey.Parse(KeyA), LegacyA));
        Assert.False(KeyInForce.SameKey(KeyA, KeyB));
        Assert.False(KeyInForce.SameKey(PublicKey.Parse(KeyB), LegacyA));

        ThenInForce(Authority(1, (LegacyA, 1)), KeyA);
        Assert.True(KeyInForce.IsInForce(SigningAuthority.SingleKey(KeyA), LegacyA));
    }

    [Fact]
    public void The_weights_of_one_key_written_twice_add_up()
    {
        // An authority naming dc-a's key in both spellings (the system contract rejects it, the rule still sums).
        ThenInForce(Authority(2, (KeyA, 1), (LegacyA, 1), (KeyB, 1)), KeyA);
    }

    [Fact]
    public void A_key_that_does_not_parse_never_matches_and_is_never_in_force()
    {
        Assert.False(KeyInForce.SameKey("not a key", "not a key"));
        Assert.False(KeyInForce.SameKey(KeyA, "not a key"));
        Assert.False(KeyInForce.SameKey((string?)null, null));
        Assert.False(KeyInForce.SameKey(PublicKey.Parse(KeyA), null));
        Assert.False(KeyInForce.IsInForce(SigningAuthority.SingleKey("not a key"), "not a key"));
        Assert.False(KeyInForce.IsInForce(SigningAuthority.SingleKey(KeyA), "not a key"));
        Assert.False(KeyInForce.IsInForce(SigningAuthority.SingleKey(KeyA), null));

        // An unparsable entry adds nothing, and takes nothing from the keys that parse.
        ThenInForce(Authority(1, ("not a key", 1), (KeyB, 1)), KeyB);
    }

    [Fact]
    public void The_data_center_holding_the_key_in_force_is_the_first_by_priority_whose_key_alone_satisfies_the_authority()
    {
        Assert.Equal(DcB, KeyInForce.HeldBy(SigningAuthority.SingleKey(KeyB), [DcA, DcB, DcC]));
        Assert.Equal(DcA, KeyInForce.HeldBy(Authority(1, (KeyB, 1), (KeyA, 1)), [DcC, DcB, DcA]));
        Assert.Equal(DcB, KeyInForce.HeldBy(Authority(2, (KeyA, 1), (KeyB, 2)), [DcA, DcB, DcC]));
        Assert.Equal(DcA, KeyInForce.HeldBy(SigningAuthority.SingleKey(LegacyA), [DcA, DcB, DcC]));

        // Equal priorities: by name, ordinal.
        Assert.Equal("B", KeyInForce.HeldBy(Authority(1, (KeyA, 1), (KeyB, 1)), [DcA with { Name = "a", Priority = 5 }, DcB with { Name = "B", Priority = 5 }])?.Name);
    }

    [Fact]
    public void No_data_center_holds_the_key_in_force_when_none_alone_satisfies_the_authority()
    {
        Assert.Null(KeyInForce.HeldBy(Authority(2, (KeyA, 1), (KeyB, 1)), [DcA, DcB, DcC]));
        Assert.Null(KeyInForce.HeldBy(SigningAuthority.SingleKey(TestKeys.Derive("elsewhere").ToString()), [DcA, DcB, DcC]));
        Assert.Null(KeyInForce.HeldBy(null, [DcA, DcB, DcC]));
        Assert.Null(KeyInForce.HeldBy(SigningAuthority.SingleKey(KeyA), []));
    }

    [Fact]
    public void Our_authority_in_a_recorded_schedule_is_our_entry_s_threshold_and_weighted_keys()
    {
        var schedule = new ProducerScheduleChanged(
            TestChain.ChainId, 4,
            [new ScheduleEntry("alice", 1, [new ScheduleKey(KeyC, 1)]), new ScheduleEntry("ours", 2, [new ScheduleKey(KeyA, 1), new ScheduleKey(LegacyA, 1), new ScheduleKey(KeyB, 2)])],
            1000, TestChain.S0, TestChain.ObservedAt);

        Assert.Equal(Authority(2, (KeyA, 1), (LegacyA, 1), (KeyB, 2)), KeyInForce.AuthorityOf(schedule, "ours"));
        Assert.Equal(Authority(1, (KeyC, 1)), KeyInForce.AuthorityOf(schedule, "alice"));
        Assert.Null(KeyInForce.AuthorityOf(schedule, "bob"));
    }

    [Fact]
    public void Evidence_recorded_before_it_carried_the_authority_has_each_listed_key_in_force_alone()
    {
        var old = new ScheduleEvidence(true, 7, 21, [KeyA, KeyB]);
        var current = old with { Authority = Authority(2, (KeyA, 1), (KeyB, 2)) };

        Assert.Equal(Authority(1, (KeyA, 1), (KeyB, 1)), KeyInForce.AuthorityOf(old));
        Assert.True(KeyInForce.IsInForce(old, KeyA));
        Assert.False(KeyInForce.IsInForce(current, KeyA));
        Assert.True(KeyInForce.IsInForce(current, KeyB));
    }

    [Fact]
    public void Authorities_are_equal_by_threshold_and_keys_in_order()
    {
        Assert.Equal(Authority(2, (KeyA, 1), (KeyB, 1)), Authority(2, (KeyA, 1), (KeyB, 1)));
        Assert.NotEqual(Authority(2, (KeyA, 1), (KeyB, 1)), Authority(2, (KeyB, 1), (KeyA, 1)));
        Assert.NotEqual(Authority(2, (KeyA, 1)), Authority(1, (KeyA, 1)));
        Assert.Equal(SigningAuthority.SingleKey(KeyA), SigningAuthority.Of(new Antelope.SystemContract.BlockSigningAuthority(1, [new(PublicKey.Parse(KeyA), 1)])));
    }

    [Fact]
    public void A_key_the_authority_does_not_list_is_not_in_force_even_at_threshold_zero()
    {
        Assert.False(KeyInForce.IsInForce(Authority(0, (KeyA, 1)), KeyB));
        Assert.True(KeyInForce.IsInForce(Authority(0, (KeyA, 1)), KeyA));
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => SigningAuthority.Of((ScheduleEntry)null!));
        Assert.Throws<ArgumentNullException>(() => SigningAuthority.Of((Antelope.SystemContract.BlockSigningAuthority)null!));
        Assert.Throws<ArgumentNullException>(() => KeyInForce.AuthorityOf((ScheduleEvidence)null!));
        Assert.Throws<ArgumentNullException>(() => KeyInForce.AuthorityOf((ProducerScheduleChanged)null!, "ours"));
        Assert.Throws<ArgumentNullException>(() => KeyInForce.HeldBy(Authority(1, (KeyA, 1)), null!));
    }
}
