using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.PolicySpec;
using static Failover.Domain.Tests.Support.ProcessHistory;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// Issue 15, finding 2: the target's finalizer key against the chain's finalizer tables. actfinkey asserts when the key
/// is not registered to us or already active, and takes the whole rotation with it; so a standby whose key is not ours
/// (or could not be checked) is not chosen, and a key already active is not activated again.
/// </summary>
public sealed class FinalizerKeyRuleTests
{
    /// <summary>A second key in the BLS text format (the first is dc-b's, <see cref="DecisionFixtures.FinalizerKeyB"/>).</summary>
    private const string OtherKey = "PUB_BLS_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fBxNv6A";

    private static readonly RotationDraft Draft = new(TestChain.ChainId, TestChain.Id("main", 1001), T.AddSeconds(90), Permission, "https://ours.example", 840, SigningAuthority.SingleKey(KeyA));

    private static Evidence Judged(OurFinalizerKeys? ours, Evidence? evidence = null) => FinalizerKeyRule.Judge(evidence ?? Healthy(), ours);

    [Fact]
    public void A_key_is_active_registered_not_registered_or_unknown_as_the_tables_show_it()
    {
        Assert.True(Antelope.BlsPublicKey.IsValid(OtherKey), Antelope.BlsPublicKey.Validate(OtherKey));
        Assert.Equal(FinalizerKeyStatus.Active, FinalizerKeyRule.StatusOf(FinalizerKeyB, new([OtherKey, FinalizerKeyB], FinalizerKeyB)));
        Assert.Equal(FinalizerKeyStatus.Registered, FinalizerKeyRule.StatusOf(FinalizerKeyB, new([OtherKey, FinalizerKeyB], OtherKey)));
        Assert.Equal(FinalizerKeyStatus.NotRegistered, FinalizerKeyRule.StatusOf(FinalizerKeyB, new([OtherKey], OtherKey)));
        Assert.Equal(FinalizerKeyStatus.NotRegistered, FinalizerKeyRule.StatusOf(FinalizerKeyB, new([], null)));
        Assert.Equal(FinalizerKeyStatus.Unknown, FinalizerKeyRule.StatusOf(FinalizerKeyB, null));
    }

    [Fact]
    public void Only_data_centers_with_a_finalizer_key_on_a_savanna_configuration_are_judged()
    {
        var savanna = Judged(new([OtherKey], OtherKey));
        Assert.Equal([null, FinalizerKeyStatus.NotRegistered, null], savanna.DataCenters.Select(d => d.FinalizerKeyOnChain));

        var legacy = Judged(new([OtherKey], OtherKey), Healthy(ConsensusKind.Legacy));
        Assert.All(legacy.DataCenters, d => Assert.Null(d.FinalizerKeyOnChain));
    }

    [Fact]
    public void A_savanna_standby_whose_finalizer_key_is_not_registered_to_us_is_skipped_naming_it_and_the_next_one_is_chosen()
    {
        Given(Judged(new([OtherKey], OtherKey)))
            .When()
            .ThenTrigger("dc-c")
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "target dc-c", $"dc-b's finalizer key {FinalizerKeyB} is not registered to {Producer} on chain", "finalizer key was not registered");
    }

    [Fact]
    public void When_no_other_standby_is_left_the_outage_is_suppressed_as_no_ready_standby_also_for_an_operator()
    {
        var evidence = Judged(new([OtherKey], OtherKey), Healthy().WithDataCenters(DcA, DcB));

        Given(evidence)
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "no ready standby", "dc-b's finalizer key", "is not registered to");
        Given(evidence.WithManual("dc-b")).When().ThenSuppress(ReasonCodes.NoReadyStandby);
    }

    [Fact]
    public void Finalizer_tables_that_could_not_be_read_fail_closed()
    {
        Given(Judged(null, Healthy().WithDataCenters(DcA, DcB)))
            .When()
            .ThenSuppress(ReasonCodes.NoReadyStandby)
            .ThenDetailMentions(ReasonCodes.NoReadyStandby, "dc-b's finalizer key could not be checked", "could not be read from any endpoint");
    }

    [Fact]
    public void On_a_chain_whose_headers_are_legacy_the_tables_are_not_held_against_the_target_consensus_mismatch_says_why()
    {
        Given(Judged(new([], null), Healthy().WithDataCenters(DcA, DcB)) with { ChainConsensus = ConsensusKind.Legacy })
            .When()
            .ThenSuppress(ReasonCodes.ConsensusMismatch)
            .ThenGatePassed(ReasonCodes.NoReadyStandby);
    }

    [Fact]
    public void A_target_whose_finalizer_key_is_registered_is_rotated_with_regproducer_and_actfinkey()
    {
        var evidence = Judged(new([OtherKey, FinalizerKeyB], OtherKey));

        var spec = ProcessSpec.Given().When(new FailoverCommand.Evaluate(evidence, new FailoverPolicy(), Draft));

        var requested = spec.Single<KeyRotationRequested>();
        Assert.Equal(("dc-b", FinalizerKeyB), (requested.TargetDataCenter, requested.TargetFinalizerKey));
        Assert.Equal(["eosio::regproducer", "eosio::actfinkey"], requested.Actions);
        Assert.Contains("actfinkey activates it", spec.Single<FailoverTriggered>().Decision.Gates.Single(g => g.Reason == ReasonCodes.NoReadyStandby).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_whose_finalizer_key_is_already_active_is_rotated_with_regproducer_alone()
    {
        var evidence = Judged(new([OtherKey, FinalizerKeyB], FinalizerKeyB));

        var spec = ProcessSpec.Given().When(new FailoverCommand.Evaluate(evidence, new FailoverPolicy(), Draft));

        var requested = spec.Single<KeyRotationRequested>();
        Assert.Equal("dc-b", requested.TargetDataCenter);
        Assert.Null(requested.TargetFinalizerKey);
        Assert.Equal(["eosio::regproducer"], requested.Actions);
        Assert.Equal(["regproducer"], Antelope.Transactions.Transaction.Unpack(Convert.FromHexString(requested.PackedTransaction)).Actions.Select(a => a.Name.ToString()));
        Assert.Contains("already active on chain: regproducer alone", spec.Single<FailoverTriggered>().Decision.Gates.Single(g => g.Reason == ReasonCodes.NoReadyStandby).Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// Evidence recorded before the service read the finalizer tables has no <c>finalizer_key_on_chain</c>: it reads as
    /// null, the policy decides on it as it did then, and the rotation carries actfinkey as it did then — so
    /// <c>audit verify</c> re-derives old logs unchanged.
    /// </summary>
    [Fact]
    public void Evidence_recorded_before_the_tables_were_read_deserializes_and_decides_as_it_did_then()
    {
        var old = Healthy();
        var json = JsonSerializer.SerializeToNode(old, DomainJsonContext.Default.Evidence)!;
        foreach (var dc in json["data_centers"]!.AsArray())
        {
            Assert.True(((JsonObject)dc!).Remove("finalizer_key_on_chain"));
        }

        var read = json.Deserialize(DomainJsonContext.Default.Evidence)!;

        Assert.All(read.DataCenters, d => Assert.Null(d.FinalizerKeyOnChain));
        Assert.Equal(Policy.Evaluate(old, new FailoverPolicy()), Policy.Evaluate(read, new FailoverPolicy()), new DecisionComparer());
        var requested = ProcessSpec.Given().When(new FailoverCommand.Evaluate(read, new FailoverPolicy(), Draft)).Single<KeyRotationRequested>();
        Assert.Equal(["eosio::regproducer", "eosio::actfinkey"], requested.Actions);
    }

    [Fact]
    public void The_status_is_recorded_in_the_evidence_as_a_stable_string()
    {
        var json = JsonSerializer.SerializeToNode(Judged(new([FinalizerKeyB], FinalizerKeyB)), DomainJsonContext.Default.Evidence)!;

        Assert.Equal("active", (string?)json["data_centers"]![1]!["finalizer_key_on_chain"]);
        Assert.Null(json["data_centers"]![0]!["finalizer_key_on_chain"]);
    }

    private sealed class DecisionComparer : IEqualityComparer<Decision>
    {
        public bool Equals(Decision? x, Decision? y) =>
            x is not null && y is not null && x.Outcome == y.Outcome && x.Reasons.SequenceEqual(y.Reasons) && x.TargetDataCenter == y.TargetDataCenter
            && x.Gates.SequenceEqual(y.Gates) && x.PolicyHash == y.PolicyHash;

        public int GetHashCode(Decision obj) => obj.Outcome.GetHashCode();
    }

    [Fact]
    public void The_target_note_and_the_readiness_blocker_say_what_the_key_means_and_nothing_is_judged_without_its_arguments()
    {
        var savanna = Healthy();
        var active = DcB with { FinalizerKeyOnChain = FinalizerKeyStatus.Active };

        Assert.Contains("already active on chain: regproducer alone", FinalizerKeyRule.TargetNote(savanna, active), StringComparison.Ordinal);
        Assert.Contains("actfinkey activates it", FinalizerKeyRule.TargetNote(savanna, DcB with { FinalizerKeyOnChain = FinalizerKeyStatus.Registered }), StringComparison.Ordinal);
        Assert.Equal(string.Empty, FinalizerKeyRule.TargetNote(savanna, DcC));
        Assert.Equal(string.Empty, FinalizerKeyRule.TargetNote(Healthy(ConsensusKind.Legacy), active));
        Assert.Equal(string.Empty, FinalizerKeyRule.TargetNote(savanna, DcB with { FinalizerKeyOnChain = null }));
        Assert.StartsWith($"data center dc-b's finalizer key {FinalizerKeyB} is not registered to ours on chain", FinalizerKeyRule.NotRegisteredBlocker("ours", "dc-b", FinalizerKeyB), StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => FinalizerKeyRule.Judge(null!, null));
        Assert.Throws<ArgumentNullException>(() => FinalizerKeyRule.Applies(null!));
        Assert.Throws<ArgumentNullException>(() => FinalizerKeyRule.Problem(null!, DcB));
        Assert.Throws<ArgumentNullException>(() => FinalizerKeyRule.Problem(savanna, null!));
        Assert.Throws<ArgumentNullException>(() => FinalizerKeyRule.TargetNote(null!, DcB));
        Assert.Throws<ArgumentNullException>(() => FinalizerKeyRule.TargetNote(savanna, null!));
        Assert.Throws<ArgumentNullException>(() => FinalizerKeyRule.ActivatesFinalizerKey(ConsensusKind.Savanna, null!));
    }
}
