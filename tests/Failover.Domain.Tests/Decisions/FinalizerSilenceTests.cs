using Failover.Antelope.Blocks;
using Failover.Domain.Chain;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.TestChain;

namespace Failover.Domain.Tests.Decisions;

/// <summary>
/// Issue 16: our finalizer's votes in the quorum certificates (<see cref="FinalizerVote"/>), its silence on the recorded
/// branch (<see cref="FinalizerSilence"/>), and the <c>finalizer-silent</c> incident the evidence builder opens on it.
/// Schedule V1 is alice, bob, carol, dave, ours (60-slot rounds from S0; ours S0+48..S0+59).
/// </summary>
public sealed class FinalizerSilenceTests
{
    private const string Ours1 = "PUB_BLS_ours1";
    private const string Ours2 = "PUB_BLS_ours2";
    private static readonly TestSchedule V1 = TestSchedule.Of(1, "alice", "bob", "carol", "dave", "ours");
    private static readonly Antelope.Name OursName = Antelope.Name.Parse("ours");
    private static readonly HashSet<string> OurKeys = [Ours1, Ours2];
    private static readonly TimeSpan V = TimeSpan.FromSeconds(3);

    // ---- FinalizerVote: our bit in a certificate ----------------------------------------------------------------------

    private static QcPolicyVotes Strong(string bits) => new(VoteBitset.Parse(bits), null, []);

    private static FinalizerView View(IReadOnlyList<string> active, IReadOnlyList<string>? pending = null) => new(active, pending, OurKeys);

    [Theory]
    [InlineData("1111", true)] // everyone
    [InlineData("1101", true)] // finalizer 1 (b) silent, ours (finalizer 2) voted
    [InlineData("1011", false)] // ours is finalizer 2: bit 2 is the third character from the right
    public void Our_vote_is_the_bit_of_our_key_in_policy_order_rightmost_first(string bits, bool voted)
    {
        var qc = new QuorumCertificateVotes(99, Strong(bits), null);

        Assert.Equal(voted, FinalizerVote.Of(qc, View(["PUB_BLS_a", "PUB_BLS_b", Ours1, "PUB_BLS_c"])));
    }

    [Fact]
    public void A_weak_vote_counts_as_a_vote_and_a_strong_certificate_without_us_says_we_did_not_vote()
    {
        var weak = new QuorumCertificateVotes(99, new QcPolicyVotes(VoteBitset.Parse("011"), VoteBitset.Parse("100"), []), null);
        var strongWithoutUs = new QuorumCertificateVotes(99, Strong("011"), null);

        Assert.True(FinalizerVote.Of(weak, View(["PUB_BLS_a", "PUB_BLS_b", Ours1])));
        Assert.False(FinalizerVote.Of(strongWithoutUs, View(["PUB_BLS_a", "PUB_BLS_b", Ours1])));
    }

    [Fact]
    public void What_cannot_be_mapped_is_unknown_rather_than_silent()
    {
        var three = new QuorumCertificateVotes(99, Strong("011"), null);

        Assert.Null(FinalizerVote.Of(three, View(["PUB_BLS_a", Ours1]))); // bitset of 3, policy of 2: the policy changed
        Assert.Null(FinalizerVote.Of(three, View(["PUB_BLS_a", "PUB_BLS_b", "PUB_BLS_c"]))); // none of ours listed
        Assert.Null(FinalizerVote.Of(three, View(["PUB_BLS_a", "PUB_BLS_b", Ours1], ["PUB_BLS_a", Ours2]))); // the reading has a pending policy, the certificate not
        Assert.Null(FinalizerVote.Of(three with { Pending = Strong("01") }, View(["PUB_BLS_a", "PUB_BLS_b", Ours1]))); // and the other way round
        var mismatchedWeak = new QuorumCertificateVotes(99, new QcPolicyVotes(VoteBitset.Parse("011"), VoteBitset.Parse("00"), []), null);
        Assert.Null(FinalizerVote.Of(mismatchedWeak, View(["PUB_BLS_a", "PUB_BLS_b", Ours1])));
    }

    [Fact]
    public void Any_of_our_keys_voting_counts_once_however_many_policies_list_it_and_nothing_is_taken_without_a_certificate_or_a_reading()
    {
        // dc1's and dc2's keys both in the active policy (0 and 2): one of them voting is a vote.
        Assert.True(FinalizerVote.Of(new QuorumCertificateVotes(99, Strong("011"), null), View([Ours1, "PUB_BLS_a", Ours2])));
        // Listed and voting in both the active and the pending policy: still a vote, not two that cancel out.
        Assert.True(FinalizerVote.Of(new QuorumCertificateVotes(99, Strong("01"), Strong("01")), View([Ours1, "PUB_BLS_a"], [Ours1, "PUB_BLS_a"])));
        // A weak-only certificate whose bitset does not fit the policy is not read.
        Assert.Null(FinalizerVote.Of(new QuorumCertificateVotes(99, new QcPolicyVotes(null, VoteBitset.Parse("11"), []), null), View(["PUB_BLS_a", "PUB_BLS_b", Ours1])));
        Assert.Equal("certificate", Assert.Throws<ArgumentNullException>(() => FinalizerVote.Of(null!, View([Ours1]))).ParamName);
        Assert.Equal("view", Assert.Throws<ArgumentNullException>(() => FinalizerVote.Of(new QuorumCertificateVotes(99, Strong("1"), null), null!)).ParamName);
    }

    [Fact]
    public void While_a_policy_is_pending_a_vote_of_any_of_our_keys_in_either_policy_counts()
    {
        // Active lists dc1's key (silent, the node is down), pending lists dc2's (voting after actfinkey).
        var qc = new QuorumCertificateVotes(99, Strong("011"), Strong("011"));

        Assert.True(FinalizerVote.Of(qc, View(["PUB_BLS_a", "PUB_BLS_b", Ours1], ["PUB_BLS_a", Ours2, "PUB_BLS_b"])));
        Assert.False(FinalizerVote.Of(qc, View(["PUB_BLS_a", "PUB_BLS_b", Ours1], ["PUB_BLS_a", "PUB_BLS_b", Ours2])));
        Assert.Null(FinalizerVote.Of(qc with { Pending = Strong("11") }, View(["PUB_BLS_a", "PUB_BLS_b", Ours1], ["PUB_BLS_a", "PUB_BLS_b", Ours2])));
    }

    // ---- the chain decider records it; the fold finds the silence -------------------------------------------------------

    /// <summary>Blocks 1000… in every slot from S0 to S0+<paramref name="lastOffset"/>, each carrying a certificate of its parent with our vote as <paramref name="voted"/> says.</summary>
    private static List<ObservedBlock> Round(uint lastOffset, Func<uint, bool?> voted) =>
        [.. Branch("main", 1000, Id("before", 999), V1, Savanna, SlotRange(S0, S0 + lastOffset))
            .Select(b => b with { QcBlockNum = b.Number - 1, OurFinalizerVoted = voted(b.Slot - S0) })];

    private static ObservedChain Recorded(IReadOnlyList<ObservedBlock> blocks, DateTimeOffset? at = null)
    {
        var decision = ChainDecider.Decide(ObservedChain.Empty, Observe(blocks, V1.ToSchedule(), at: at));
        Assert.Null(decision.Problem);
        return decision.Events.Aggregate(ObservedChain.Empty, (c, e) => c.Apply(e));
    }

    [Fact]
    public void The_chain_decider_records_the_certificate_and_our_vote_and_no_vote_without_a_certificate()
    {
        var blocks = Round(2, o => o != 1);
        blocks[2] = blocks[2] with { QcBlockNum = null, OurFinalizerVoted = false };

        var produced = ChainDecider.Decide(ObservedChain.Empty, Observe(blocks, V1.ToSchedule())).Events.OfType<BlockProduced>().ToList();

        Assert.Equal([(999u, (bool?)true), (1000u, false), (null, null)], produced.Select(p => (p.QcBlockNum, p.OurFinalizerVoted)));
    }

    [Fact]
    public void The_silence_runs_from_the_first_certificate_without_us_after_our_last_vote_and_blocks_of_unknown_vote_neither_extend_nor_end_it()
    {
        // Votes until S0+9, silent from S0+10, unknown at S0+12 and S0+13.
        var chain = Recorded(Round(20, o => o is 12 or 13 ? null : o < 10));

        var silent = FinalizerSilence.Current(chain)!;

        Assert.Equal(1010u, silent.First.Number);
        Assert.Equal(1020u, silent.Latest.Number);
        Assert.Equal(9, silent.Certificates);
        Assert.Equal(TimeSpan.FromSeconds(5), silent.Span);
        Assert.Null(FinalizerSilence.Current(Recorded(Round(20, o => o != 10))));
        Assert.Null(FinalizerSilence.Current(Recorded(Round(20, _ => null))));
        Assert.Equal(1000u, FinalizerSilence.Current(Recorded(Round(20, _ => false)))!.First.Number);
    }

    // ---- the incident ----------------------------------------------------------------------------------------------------

    private static readonly DataCenterConfig[] DataCenters =
    [
        new("dc-a", 1, V1.KeyOf("ours").ToString(), Ours1, false),
        new("dc-b", 2, DecisionFixtures.KeyB, Ours2, false),
    ];

    private static Evidence Build(ObservedChain chain, ConsensusKind consensus = ConsensusKind.Savanna, TimeSpan? silence = null, bool earlyDetection = true) =>
        EvidenceBuilder.Build(OursName, consensus, 12, DataCenters, chain, ObserverState.Empty, FailoverProcess.Initial, ObservedAt.AddSeconds(30), finalizerSilence: earlyDetection ? silence ?? V : null);

    [Fact]
    public void Certificates_without_us_for_the_silence_threshold_open_a_finalizer_silent_incident_anchored_on_the_first_of_them()
    {
        // Silent from S0+10: at S0+16 (3 s) the threshold is reached, at S0+15 not yet.
        var reached = Recorded(Round(16, o => o < 10), ObservedAt);

        var incident = Build(reached).Incident!;

        Assert.Equal(
            new IncidentEvidence(S0 + 10, Antelope.BlockTimestamp.FromSlot(S0 + 10), 0, 1010, Id("main", 1010), ObservedAt,
                IncidentAnchor.FirstSilentCertificate, S0 + 10, IncidentKind.FinalizerSilent, 7),
            incident);
        Assert.Equal("finalizer-silent-1010", IncidentIds.For(incident));
        Assert.Null(Build(Recorded(Round(15, o => o < 10))).Incident);
        Assert.NotNull(Build(Recorded(Round(15, o => o < 10)), silence: TimeSpan.FromSeconds(2.5)).Incident);
    }

    [Fact]
    public void No_silent_incident_with_early_detection_off_on_a_legacy_chain_or_once_our_finalizer_votes_again()
    {
        var silent = Recorded(Round(30, o => o < 10));
        Assert.NotNull(Build(silent).Incident);

        Assert.Null(Build(silent, earlyDetection: false).Incident);
        Assert.Null(Build(silent, ConsensusKind.Legacy).Incident);
        Assert.Null(Build(Recorded(Round(30, o => o is < 10 or 30))).Incident);
    }

    [Fact]
    public void A_missed_run_that_reaches_the_threshold_is_the_incident_even_while_our_finalizer_is_silent()
    {
        // Our window S0+48..S0+59 empty, alice's S0+60 reveals it; our finalizer silent since S0+40.
        var blocks = Round(60, o => o < 40).Where(b => b.Slot < S0 + 48 || b.Slot >= S0 + 60).ToList();
        blocks[^1] = blocks[^1] with { Number = 1048, Previous = blocks[^2].Id, Id = Id("main", 1048) };

        var incident = Build(Recorded(blocks)).Incident!;

        Assert.Equal(IncidentKind.MissedRun, incident.Kind);
        Assert.Equal("missed-" + (S0 + 48), IncidentIds.For(incident));

        // Below the threshold (13 here) the silence is the incident, and it says how many of ours were missed by then.
        var silent = EvidenceBuilder.Build(OursName, ConsensusKind.Savanna, 13, DataCenters, Recorded(blocks), ObserverState.Empty, FailoverProcess.Initial, ObservedAt.AddSeconds(30), finalizerSilence: V).Incident!;
        Assert.Equal((IncidentKind.FinalizerSilent, 12), (silent.Kind!.Value, silent.ConsecutiveMissed));
    }

    // ---- the policy judges it from after the silence began -----------------------------------------------------------

    [Fact]
    public void The_finality_gate_waits_until_the_first_silent_block_is_final_and_names_it()
    {
        var healthy = DecisionFixtures.Healthy();
        var evidence = healthy with
        {
            Incident = healthy.Incident! with { RevealedByBlockNum = 1002, Anchor = IncidentAnchor.FirstSilentCertificate, Kind = IncidentKind.FinalizerSilent, SilentCertificates = 7 },
        };

        var waiting = Policy.Evaluate(evidence.WithChain(c => c with { LastIrreversibleBlockNum = 1001 }), new FailoverPolicy());
        var final = Policy.Evaluate(evidence.WithChain(c => c with { LastIrreversibleBlockNum = 1002 }), new FailoverPolicy());

        Assert.Equal(DecisionOutcome.Wait, waiting.Outcome);
        Assert.Contains("waiting for the block 1002 whose certificate first lacked our finalizer's vote (7 certificates without it so far) to become final", waiting.Gates.Single(g => g.Reason == ReasonCodes.LibStalled).Detail);
        Assert.Equal(DecisionOutcome.Trigger, final.Outcome);
    }

    // ---- the policy value --------------------------------------------------------------------------------------------

    [Fact]
    public void A_policy_without_finalizer_silence_hashes_as_before_and_one_with_it_hashes_apart_and_must_be_positive()
    {
        var before = new FailoverPolicy();

        Assert.Equal(new FailoverPolicy { FinalizerSilence = null }.Hash(), before.Hash());
        Assert.NotEqual(before.Hash(), (before with { FinalizerSilence = V }).Hash());
        Assert.NotEqual((before with { FinalizerSilence = V }).Hash(), (before with { FinalizerSilence = V * 2 }).Hash());
        Assert.Empty((before with { FinalizerSilence = V }).Validate());
        Assert.Contains("FinalizerSilence must be positive (or off), got 00:00:00.", (before with { FinalizerSilence = TimeSpan.Zero }).Validate());
    }

    [Fact]
    public void While_our_finalizer_is_silent_a_sample_is_due_whenever_the_head_moves()
    {
        var rules = new ObserverRules("observer-a", OursName, 12, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(15));
        var silentChain = Recorded(Round(16, o => o < 10));
        var votingChain = Recorded(Round(16, _ => true));
        var last = new ParticipationSampled(ChainId, "observer-a", ObservedAt, 1015, Id("main", 1015), Antelope.BlockTimestamp.FromSlot(S0 + 15), 1013, Id("main", 1013), 1, 5, null, null, [], [], 0);
        var state = ObserverState.Empty.Apply(last);

        Assert.True(ObserverDecider.IsSampleDue(state, silentChain, 1013, ObservedAt.AddSeconds(1), rules));
        Assert.False(ObserverDecider.IsSampleDue(state, votingChain, 1013, ObservedAt.AddSeconds(1), rules));
    }
}
