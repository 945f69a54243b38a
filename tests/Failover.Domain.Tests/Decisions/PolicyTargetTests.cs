using Failover.Domain.Decisions;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.PolicySpec;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// The target and the no-ready-standby gate (design §5): the first data center by priority (a lower number first,
/// ties by name) whose key is not in force and whose own node — when it has one — shows a head no older than
/// MaxStandbyHeadAge (6 s by default). A data center without a node cannot be checked and counts as ready.
/// </summary>
public sealed class PolicyTargetTests
{
    private static DataCenterEvidence Dc(string name, int priority, string key, bool hasNode = false, DateTimeOffset? head = null, string? error = null) =>
        new(name, priority, key, null, hasNode, head, error);

    [Fact]
    public void The_data_center_holding_the_key_in_force_is_never_the_target()
    {
        // dc-a has the best priority and a fresh node, but it holds the key in force.
        Given(Healthy().WithDataCenters(DcA with { NodeError = null, NodeHeadTime = T }, DcB, DcC))
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-b", "dc-a");
    }

    [Theory]
    [InlineData(ConsensusKind.Savanna, ConsensusKind.Legacy, "the configuration says savanna but the chain's block headers are legacy", "a legacy chain has no finalizers, so a rotation built for Savanna does not fit it; set Chain:Consensus to legacy")]
    [InlineData(ConsensusKind.Legacy, ConsensusKind.Savanna, "the configuration says legacy but the chain's block headers are savanna", "a rotation without actfinkey would leave the standby's node paused for want of its finalizer's votes; set Chain:Consensus to savanna")]
    public void A_chain_whose_consensus_is_not_the_configured_one_fails_its_own_gate_also_for_an_operator_and_leaves_the_target_to_priority(ConsensusKind configured, ConsensusKind chain, string mismatch, string consequence)
    {
        Given(Healthy(configured) with { ChainConsensus = chain })
            .When()
            .ThenSuppress(ReasonCodes.ConsensusMismatch)
            .ThenDetailMentions(ReasonCodes.ConsensusMismatch, mismatch, consequence)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "target dc-b");
        Given((Healthy(configured) with { ChainConsensus = chain }).WithManual("dc-b"))
            .When()
            .ThenSuppress(ReasonCodes.ConsensusMismatch);
    }

    [Theory]
    [InlineData(ConsensusKind.Savanna, ConsensusKind.Savanna)]
    [InlineData(ConsensusKind.Legacy, ConsensusKind.Legacy)]
    [InlineData(ConsensusKind.Savanna, null)]
    public void A_chain_of_the_configured_consensus_or_one_not_read_yet_leaves_the_target_to_priority(ConsensusKind configured, ConsensusKind? chain)
    {
        Given(Healthy(configured) with { ChainConsensus = chain })
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.ConsensusMismatch, chain is null ? "not read yet" : "as configured");
    }

    [Fact]
    public void Priority_decides_not_the_order_of_configuration()
    {
        Given(Healthy().WithDataCenters(DcC with { Priority = 1 }, DcB, DcA)).When().ThenTrigger("dc-c");
        Given(Healthy().WithDataCenters(DcC, DcA, DcB)).When().ThenTrigger("dc-b");
    }

    [Fact]
    public void Equal_priorities_are_ordered_by_name()
    {
        Given(Healthy().WithDataCenters(DcA, Dc("zulu", 2, KeyC), Dc("alpha", 2, KeyB))).When().ThenTrigger("alpha");
        Given(Healthy().WithDataCenters(DcA, Dc("alpha", 2, KeyB), Dc("zulu", 2, KeyC))).When().ThenTrigger("alpha");
    }

    [Fact]
    public void Names_of_equal_priority_compare_ordinally()
    {
        // Ordinal: "B" (0x42) before "a" (0x61); a culture-aware comparison would put "a" first.
        Given(Healthy().WithDataCenters(DcA, Dc("a", 2, KeyB), Dc("B", 2, KeyC))).When().ThenTrigger("B");
    }

    [Fact]
    public void A_standby_whose_node_head_is_exactly_max_standby_head_age_old_is_ready()
    {
        Given(Healthy().WithDataCenters(DcA, DcB with { NodeHeadTime = T.AddSeconds(-6) }, DcC)).When().ThenTrigger("dc-b");
    }

    [Fact]
    public void A_standby_whose_node_head_is_older_than_max_standby_head_age_is_skipped_for_the_next()
    {
        Given(Healthy().WithDataCenters(DcA, DcB with { NodeHeadTime = T.AddSeconds(-6).AddTicks(-1) }, DcC))
            .When()
            .ThenTrigger("dc-c")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-c", "dc-b's node head", "6.0 s old");
    }

    [Fact]
    public void The_max_standby_head_age_is_the_policys()
    {
        var evidence = Healthy().WithDataCenters(DcA, DcB with { NodeHeadTime = T.AddSeconds(-8) }, DcC);

        Given(evidence).When().ThenTrigger("dc-c");
        Given(evidence).When(new FailoverPolicy { MaxStandbyHeadAge = TimeSpan.FromSeconds(10) }).ThenTrigger("dc-b");
    }

    [Fact]
    public void A_standby_whose_node_reports_an_error_is_skipped()
    {
        Given(Healthy().WithDataCenters(DcA, DcB with { NodeError = "timeout" }, DcC))
            .When()
            .ThenTrigger("dc-c")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-b's node fails: timeout");
    }

    [Fact]
    public void A_standby_with_a_node_whose_head_is_unknown_is_skipped()
    {
        Given(Healthy().WithDataCenters(DcA, DcB with { NodeHeadTime = null }, DcC))
            .When()
            .ThenTrigger("dc-c")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-b's node head is unknown");
    }

    [Fact]
    public void A_standby_without_a_node_is_ready()
    {
        Given(Healthy().WithDataCenters(DcA, DcC)).When().ThenTrigger("dc-c");
    }

    [Fact]
    public void Only_data_centers_holding_the_key_or_not_ready_leave_no_ready_standby()
    {
        Given(Healthy().WithDataCenters(DcA, DcB with { NodeError = "down" }, DcC with { HasNode = true }))
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-a holds the key in force", "dc-b's node fails: down", "dc-c's node head is unknown");
    }

    [Fact]
    public void Each_key_that_alone_satisfies_our_authority_is_in_force()
    {
        // Threshold 1 over dc-a's and dc-b's keys: either alone signs our blocks, so neither is a target.
        Given(Healthy().WithAuthority(1, (KeyA, 1), (KeyB, 1)))
            .When()
            .ThenTrigger("dc-c")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-a holds the key in force", "dc-b holds the key in force");
        Given(Healthy().WithAuthority(1, (KeyA, 1), (KeyB, 1), (KeyC, 1)))
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-a holds the key in force", "dc-b holds the key in force", "dc-c holds the key in force");
    }

    [Fact]
    public void A_key_whose_weight_reaches_the_threshold_is_in_force_and_a_key_below_it_is_not()
    {
        // Threshold 2: dc-a's key (weight 2) signs alone, dc-b's (weight 1) cannot, so dc-b is the target.
        var spec = Given(Healthy().WithAuthority(2, (KeyA, 2), (KeyB, 1))).When().ThenTrigger("dc-b");
        Assert.Equal($"target dc-b (priority 2, key {KeyB}); skipped: dc-a holds the key in force", spec.Gate(ReasonCodes.NoReadyStandby).Detail);

        // dc-b's key weighs 3 of threshold 2 and dc-a's 1: dc-a, up now, is the target.
        Given(Healthy().WithAuthority(2, (KeyA, 1), (KeyB, 3)).WithDataCenters(DcA with { NodeError = null, NodeHeadTime = T }, DcB, DcC))
            .When()
            .ThenTrigger("dc-a");
    }

    [Fact]
    public void When_no_key_alone_satisfies_our_authority_none_is_in_force_and_the_first_ready_data_center_is_the_target()
    {
        // Threshold 2 over dc-a's and dc-b's keys of weight 1: a node holding only one of them cannot sign our blocks.
        // The rotation writes dc-a's key alone, which then satisfies the authority.
        var spec = Given(Healthy().WithAuthority(2, (KeyA, 1), (KeyB, 1)).WithDataCenters(DcA with { NodeError = null, NodeHeadTime = T }, DcB, DcC))
            .When()
            .ThenTrigger("dc-a");

        Assert.Equal($"target dc-a (priority 1, key {KeyA})", spec.Gate(ReasonCodes.NoReadyStandby).Detail);
    }

    [Fact]
    public void A_data_center_configured_with_the_legacy_spelling_of_the_key_in_force_holds_it()
    {
        // The schedule writes dc-a's key as PUB_K1_…, the configuration as EOS… (and the other way round): one key,
        // so dc-a, up and first by priority, is not the target.
        var legacyA = Antelope.PublicKey.Parse(KeyA).ToLegacyString();
        var upA = DcA with { NodeError = null, NodeHeadTime = T };

        Given(Healthy().WithDataCenters(upA with { SigningKey = legacyA }, DcB, DcC))
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-a holds the key in force");
        Given(Healthy().WithAuthority(1, (legacyA, 1)).WithDataCenters(upA, DcB, DcC))
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-a holds the key in force");
    }

    [Fact]
    public void A_key_that_does_not_parse_is_never_in_force_nor_the_target()
    {
        // The same text in the schedule and the configuration is no key: dc-a does not hold the key in force, and a
        // rotation could not be built to it.
        Given(Healthy().WithAuthority(1, ("not a key", 1)).WithDataCenters(DcA with { SigningKey = "not a key", NodeError = null, NodeHeadTime = T }, DcB, DcC))
            .When()
            .ThenTrigger("dc-b")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-a's key not a key is not a public key");
    }

    [Fact]
    public void In_evidence_recorded_before_it_carried_the_authority_each_listed_key_is_in_force()
    {
        Given(Healthy().WithSchedule(s => s with { ActiveKeys = [KeyA, KeyB], Authority = null })).When().ThenTrigger("dc-c");
        Given(Healthy().WithSchedule(s => s with { ActiveKeys = [KeyA, KeyB, KeyC], Authority = null })).When().ThenSuppress(ReasonCodes.NoReadyStandby);
    }

    [Fact]
    public void No_data_center_configured_leaves_no_ready_standby()
    {
        Given(Healthy().WithDataCenters())
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "no data center is configured");
    }

    [Fact]
    public void The_target_is_named_only_when_the_decision_triggers()
    {
        // dc-b would be the target, but the head is stale.
        Given(Healthy().WithChain(c => c with { HeadBlockTime = T.AddMinutes(-1) }))
            .When()
            .ThenSuppress(ReasonCodes.StaleHead)
            .ThenGatePassed(ReasonCodes.NoReadyStandby);
    }
}
