using Failover.Antelope.SystemContract;
using Failover.Domain.Decisions;
using Failover.Domain.Tests.Support;

namespace Failover.Domain.Tests.Decisions;

/// <summary>SigningPermissionRule: what is wrong with the permission the service signs with (design §2.5).</summary>
public sealed class SigningPermissionRuleTests
{
    private static readonly Antelope.PublicKey Key = TestKeys.Derive("signer");
    private static readonly Antelope.PublicKey Other = TestKeys.Derive("other");

    private static PermissionOnChain Dedicated(uint threshold = 1, ushort weight = 1, params (string, string?)[] links) =>
        new("failover", threshold, [new KeyWeight(Key, weight)], links.Length == 0 ? [("eosio", "regproducer"), ("eosio", "actfinkey")] : links);

    private static List<(string Text, bool Blocks)> Problems(PermissionOnChain? found, string permission = "failover", ConsensusKind consensus = ConsensusKind.Savanna, Antelope.PublicKey? key = null) =>
        [.. SigningPermissionRule.Problems("ours", permission, consensus, found, key ?? Key).Select(p => (p.Text, p.Blocks))];

    [Fact]
    public void A_dedicated_permission_linked_to_the_rotation_s_actions_and_satisfied_by_the_key_has_no_problem()
    {
        Assert.Empty(Problems(Dedicated()));
        Assert.Empty(Problems(Dedicated(links: ("eosio", "regproducer")), consensus: ConsensusKind.Legacy));
        Assert.Empty(SigningPermissionRule.Problems("ours", "failover", ConsensusKind.Savanna, Dedicated(threshold: 5), signingKey: null));
    }

    [Fact]
    public void A_missing_permission_blocks()
    {
        Assert.Equal([("ours has no permission 'failover': rotations signed for it will be rejected", true)], Problems(null));
    }

    [Theory]
    [InlineData("active")]
    [InlineData("owner")]
    public void Active_or_owner_is_unwise_but_works_and_its_links_are_not_checked(string permission)
    {
        var found = Dedicated(links: ("other", "x")) with { Name = permission };
        var problem = Assert.Single(Problems(found, permission));
        Assert.False(problem.Blocks);
        Assert.StartsWith($"the service signs with ours@{permission}, a key that can do anything", problem.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_rotation_action_not_linked_blocks_savanna_needing_actfinkey_and_legacy_not()
    {
        Assert.Equal(
            [("ours@failover is not linked to eosio::actfinkey: the rotation will be rejected for missing authority", true)],
            Problems(Dedicated(links: ("eosio", "regproducer"))));
        Assert.Equal(
            [
                ("ours@failover is not linked to eosio::regproducer: the rotation will be rejected for missing authority", true),
                ("ours@failover is not linked to eosio::actfinkey: the rotation will be rejected for missing authority", true),
            ],
            Problems(Dedicated(links: [("other", "regproducer"), ("eosio", "voteproducer")])));
        Assert.Single(Problems(Dedicated(links: ("eosio", "actfinkey")), consensus: ConsensusKind.Legacy));
    }

    /// <summary>Issue 15, finding 11: a link to the whole eosio contract lets the permission sign any system action.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_link_to_the_whole_eosio_contract_works_but_is_not_dedicated(string? wholeContract)
    {
        var problem = Assert.Single(Problems(Dedicated(links: ("eosio", wholeContract))));

        Assert.Equal(
            ("ours@failover is linked to the whole eosio contract, so its key can sign any system action (vote, stake, buy RAM, …); link it only to eosio::regproducer, regproducer2 and actfinkey", false),
            problem);
        Assert.Single(Problems(Dedicated(links: [("eosio", "regproducer"), ("eosio", "actfinkey"), ("eosio", wholeContract)])));
        Assert.Empty(Problems(Dedicated(links: [("eosio", "regproducer"), ("eosio", "actfinkey"), ("eosio.token", wholeContract)])));
    }

    [Fact]
    public void A_key_that_is_not_the_permission_s_or_weighs_less_than_its_threshold_blocks()
    {
        Assert.Equal(
            [($"the configured signing key ({Other}) is not a key of ours@failover: the rotation will be rejected for missing authority", true)],
            Problems(Dedicated(), key: Other));
        Assert.Equal(
            [($"the configured signing key ({Key}) weighs 1 in ours@failover, whose threshold is 2: it cannot sign the rotation alone", true)],
            Problems(Dedicated(threshold: 2)));
        Assert.Empty(Problems(Dedicated(threshold: 2, weight: 2)));
        Assert.Empty(Problems(Dedicated(threshold: 2) with { Keys = [new KeyWeight(Key, 1), new KeyWeight(Other, 5), new KeyWeight(Key, 1)] }));
    }

    [Fact]
    public void The_rotation_s_actions_are_regproducer_and_on_savanna_actfinkey()
    {
        Assert.Equal(["regproducer", "actfinkey"], SigningPermissionRule.RotationActions(ConsensusKind.Savanna));
        Assert.Equal(["regproducer"], SigningPermissionRule.RotationActions(ConsensusKind.Legacy));
    }
}
