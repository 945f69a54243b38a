using Failover.Antelope;
using Failover.Antelope.Scheduling;
using Failover.Antelope.SystemContract;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Chain;

/// <summary>
/// issue 17.3: with a <see cref="SignatureCheck"/>, a block is recorded only when its signature recovers to a key its
/// producer is scheduled with — a lying endpoint cannot fabricate other producers' blocks — and only our producer's
/// keys are kept in the events. V1 is alice, bob, carol, dave, ours; S0 starts alice's window.
/// </summary>
public sealed class BlockSignatureCheckTests
{
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly SignatureCheck Checked = new(Name.Parse("ours"), IrreversibleUpTo: 100);

    private static ObservedBlock Signed(uint number, string previous, uint slot, uint header, string? key) =>
        Block(number, previous, slot, V1.ProducerAt(slot), header, signingKey: key);

    private static ObservedBlock SignedByProducer(uint number, string previous, uint slot, uint header = Savanna) =>
        Signed(number, previous, slot, header, V1.KeyOf(V1.ProducerAt(slot)).ToString());

    private static ChainDecision Decide(ObservedChain chain, ObservedBlock[] branch, TestSchedule? pending = null) =>
        ChainDecider.Decide(chain, Observe(branch, V1.ToSchedule(), pending?.ToSchedule()) with { Signatures = Checked });

    [Theory]
    [InlineData(1u)]
    [InlineData(Savanna)]
    public void Blocks_signed_by_their_producers_keys_are_recorded_and_only_our_producer_s_key_is_kept(uint header)
    {
        var alice = SignedByProducer(200, Id("before", 199), S0 + 11, header);
        var bob = SignedByProducer(201, alice.Id, S0 + 12, header);
        var ours = SignedByProducer(202, bob.Id, S0 + 48, header);

        var decision = Decide(ObservedChain.Empty, [alice, bob, ours]);

        Assert.Null(decision.Problem);
        var produced = decision.Events.OfType<BlockProduced>().ToList();
        Assert.Equal([null, null, V1.KeyOf("ours").ToString()], produced.Select(b => b.SigningKey));
    }

    [Fact]
    public void Without_a_check_recorded_blocks_are_replayed_as_they_were_recorded_keys_and_all()
    {
        var bob = Signed(200, Id("before", 199), S0 + 12, Savanna, V1.KeyOf("alice").ToString());

        var decision = ChainDecider.Decide(ObservedChain.Empty, Observe([bob], V1.ToSchedule()));

        Assert.Null(decision.Problem);
        Assert.Equal(V1.KeyOf("alice").ToString(), decision.Events.OfType<BlockProduced>().Single().SigningKey);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(Savanna)]
    public void A_block_signed_with_another_producer_s_key_is_refused_and_what_came_before_it_is_kept(uint header)
    {
        var alice = SignedByProducer(200, Id("before", 199), S0 + 11, header);
        var recorded = Fold(Decide(ObservedChain.Empty, [alice]).Events);
        var bob = SignedByProducer(201, alice.Id, S0 + 12, header);
        var forged = Signed(202, bob.Id, S0 + 13, header, V1.KeyOf("carol").ToString());

        var decision = Decide(recorded, [bob, forged]);

        Assert.Equal([201u], decision.Events.OfType<BlockProduced>().Select(b => b.BlockNum));
        Assert.Contains("block 202 names producer bob", decision.Problem, StringComparison.Ordinal);
        Assert.Contains(V1.KeyOf("carol").ToString(), decision.Problem, StringComparison.Ordinal);
        Assert.EndsWith("its producer did not sign it", decision.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_block_signed_by_a_key_no_one_is_scheduled_with_records_nothing()
    {
        var forged = Signed(200, Id("before", 199), S0 + 11, Savanna, TestKeys.Derive("forger").ToString());

        var decision = Decide(ObservedChain.Empty, [forged]);

        Assert.Empty(decision.Events);
        Assert.EndsWith("its producer did not sign it", decision.Problem, StringComparison.Ordinal);
    }

    /// <summary>A key written in its legacy EOS… form is the same key: compared as a key when the text differs.</summary>
    [Fact]
    public void A_signing_key_in_its_legacy_form_is_the_same_key()
    {
        var alice = Signed(200, Id("before", 199), S0 + 11, Savanna, V1.KeyOf("alice").ToLegacyString());

        Assert.Null(Decide(ObservedChain.Empty, [alice]).Problem);
    }

    [Fact]
    public void A_signing_key_that_is_not_a_public_key_is_refused()
    {
        var garbled = Signed(200, Id("before", 199), S0 + 11, Savanna, "PUB_K1_not-a-key");

        Assert.EndsWith("its producer did not sign it", Decide(ObservedChain.Empty, [garbled]).Problem, StringComparison.Ordinal);
    }

    /// <summary>A key change keeps the producers' names, so which window it took effect at is not always known: a key the pending schedule gives the producer is its own.</summary>
    [Fact]
    public void A_block_signed_with_the_key_a_reported_pending_schedule_gives_its_producer_is_recorded()
    {
        var v2 = V1.WithKey(2, "alice", "alice-dc2");
        var alice = Signed(200, Id("before", 199), S0 + 11, Savanna, v2.KeyOf("alice").ToString());

        Assert.Null(Decide(ObservedChain.Empty, [alice], pending: v2).Problem);
        Assert.EndsWith("its producer did not sign it", Decide(ObservedChain.Empty, [alice]).Problem, StringComparison.Ordinal);
    }

    /// <summary>A block both given to another producer and signed by a stranger is reported for the first: who the schedule gives the slot to.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_block_misattributed_and_unsigned_is_reported_as_misattributed(bool afterRecordedHead)
    {
        var alice = SignedByProducer(200, Id("before", 199), S0 + 11);
        var recorded = afterRecordedHead ? Fold(Decide(ObservedChain.Empty, [alice]).Events) : ObservedChain.Empty;
        var slot = afterRecordedHead ? S0 + 12 : S0 + 11;
        var stranger = Block(afterRecordedHead ? 201u : 200u, afterRecordedHead ? alice.Id : Id("before", 199), slot, "carol", Savanna, signingKey: TestKeys.Derive("forger").ToString());

        var problem = Decide(recorded, [stranger]).Problem;

        Assert.Contains("was produced by carol, but schedule v1 gives that slot to", problem, StringComparison.Ordinal);
    }

    /// <summary>The pending schedule may not list the producer at all: its key is then not one the producer has there, not an error.</summary>
    [Fact]
    public void A_pending_schedule_without_the_producer_is_no_reason_to_accept_or_to_fail()
    {
        var v2 = TestSchedule.Of(2, "bob", "carol", "dave", "ours", "zed");
        var alice = Signed(200, Id("before", 199), S0 + 11, Savanna, TestKeys.Derive("forger").ToString());

        Assert.EndsWith("its producer did not sign it", Decide(ObservedChain.Empty, [alice], pending: v2).Problem, StringComparison.Ordinal);
    }

    /// <summary>A producer's authority may hold several keys (WTMSIG): any one of them signs its blocks.</summary>
    [Fact]
    public void A_block_signed_by_any_key_of_its_producer_s_authority_is_recorded()
    {
        var second = TestKeys.Derive("alice-backup");
        var schedule = new ProducerSchedule(1, [.. V1.Producers.Select(p => p == "alice"
            ? new ScheduledProducer(Name.Parse(p), new BlockSigningAuthority(1, [new KeyWeight(V1.KeyOf(p), 1), new KeyWeight(second, 1)]))
            : ScheduledProducer.WithKey(Name.Parse(p), V1.KeyOf(p)))]);
        var alice = Signed(200, Id("before", 199), S0 + 11, Savanna, second.ToString());

        var decision = ChainDecider.Decide(ObservedChain.Empty, Observe([alice], schedule) with { Signatures = Checked });

        Assert.Null(decision.Problem);
    }

    [Fact]
    public void A_savanna_block_whose_signature_was_not_recovered_is_refused()
    {
        var unchecked_ = Signed(50, Id("before", 49), S0 + 11, Savanna, key: null);

        Assert.Contains("block 50 cannot be checked", Decide(ObservedChain.Empty, [unchecked_]).Problem, StringComparison.Ordinal);
    }

    /// <summary>Leap serves the header state a legacy signature is made over for reversible blocks only: history at or below the majority's LIB is taken unchecked, nothing above it.</summary>
    [Theory]
    [InlineData(100u, true)]
    [InlineData(99u, true)]
    [InlineData(101u, false)]
    public void A_legacy_block_without_its_header_state_is_recorded_only_at_or_below_the_irreversible_block(uint number, bool recorded)
    {
        var block = Signed(number, Id("before", number - 1), S0 + 11, 1, key: null);

        var decision = Decide(ObservedChain.Empty, [block]);

        Assert.Equal(recorded, decision.Problem is null);
        Assert.Equal(recorded, decision.Events.OfType<BlockProduced>().Any());
    }
}
