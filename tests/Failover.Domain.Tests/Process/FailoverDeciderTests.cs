using System.Buffers.Binary;
using System.Security.Cryptography;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.ProcessHistory;
using static Failover.Domain.Tests.Support.ProcessSpec;

namespace Failover.Domain.Tests.Process;

/// <summary>
/// The failover process as a decider (design §3): Given the stream, When a command, Then the events. Design §2.2 (at
/// most one rotation per incident), §2.3 (nothing new while a rotation is in flight), §2.4 (the decision and the exact
/// transaction are recorded before anything is sent) and the follow-up of §3: the producers table shows the key
/// (KeyRotated), the schedule carries it (SigningKeyActivated), a block signed by it appears (FailoverCompleted).
/// </summary>
public sealed class FailoverDeciderTests
{
    private static readonly string Incident1 = MissedIncident();
    private static readonly string Incident2 = MissedIncident(IncidentSlot + 252);

    /// <summary>TaPoS from the LIB (block 1001), expiration 90 s after the evidence, the registered URL and location.</summary>
    private static readonly RotationDraft Draft = new(TestChain.ChainId, TestChain.Id("main", 1001), T.AddSeconds(90), Permission, "https://ours.example", 840, SigningAuthority.SingleKey(KeyA));

    private static FailoverCommand.Evaluate Evaluate(Evidence evidence, FailoverPolicy? policy = null, RotationDraft? draft = null) =>
        new(evidence, policy ?? new FailoverPolicy(), draft ?? Draft);

    private static Evidence ForIncident(Evidence evidence, uint slot) =>
        evidence with { Incident = evidence.Incident! with { FirstMissedSlot = slot, BeganAt = BlockTimestamp.FromSlot(slot) } };

    /// <summary>What the decider records for a suppression: the policy's own decision on that evidence.</summary>
    private static FailoverSuppressed Suppressed(string incident, Evidence evidence)
    {
        var policy = new FailoverPolicy();
        var decision = Policy.Evaluate(evidence, policy);
        Assert.Equal(DecisionOutcome.Suppress, decision.Outcome);
        return new FailoverSuppressed(Producer, incident, decision.Reasons, decision, evidence, policy, evidence.EvaluatedAt);
    }

    private static Evidence Stale(Evidence evidence) => evidence.WithChain(c => c with { HeadBlockTime = evidence.EvaluatedAt.AddMinutes(-1) });

    private static Evidence LibStalled(Evidence evidence) => evidence.WithChain(c => c with { LibAdvancedAt = null });

    /// <summary>Our block signing authority in a schedule: the threshold and each key with its weight.</summary>
    private static SigningAuthority Authority(uint threshold, params (string Key, ushort Weight)[] keys) =>
        new(threshold, [.. keys.Select(k => new ScheduleKey(k.Key, k.Weight))]);

    // ---- evaluate -----------------------------------------------------------------------------------------------

    [Fact]
    public void Evaluating_evidence_without_an_incident_or_a_manual_request_decides_nothing()
    {
        Given().When(Evaluate(Healthy() with { Incident = null })).ThenNothing();
    }

    [Fact]
    public void On_a_legacy_chain_the_rotation_is_regproducer_alone_even_when_the_target_lists_a_finalizer_key()
    {
        var evidence = Healthy(ConsensusKind.Legacy);
        Assert.NotNull(evidence.DataCenters.Single(d => d.Name == "dc-b").FinalizerKey);

        var requested = Given().When(Evaluate(evidence)).Single<KeyRotationRequested>();

        Assert.Equal("dc-b", requested.TargetDataCenter);
        Assert.Null(requested.TargetFinalizerKey);
        Assert.Equal(["eosio::regproducer"], requested.Actions);
        var unpacked = Failover.Antelope.Transactions.Transaction.Unpack(Convert.FromHexString(requested.PackedTransaction));
        Assert.Equal(["regproducer"], unpacked.Actions.Select(a => a.Name.ToString()));
    }

    [Fact]
    public void A_trigger_records_the_decision_with_its_evidence_and_policy_and_then_the_rotation_request()
    {
        var evidence = Healthy();
        var policy = new FailoverPolicy { MinParticipation = 0.75 };

        var spec = Given().When(Evaluate(evidence, policy)).ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));

        var triggered = spec.Single<FailoverTriggered>();
        Assert.Equal((Producer, Incident1, "dc-b", KeyB, T), (triggered.Producer, triggered.IncidentId, triggered.TargetDataCenter, triggered.TargetKey, triggered.DecidedAt));
        Assert.Same(evidence, triggered.Evidence);
        Assert.Equal(policy, triggered.Policy);
        Assert.Equal(
            EventCatalogue.Serialize(triggered with { Decision = Policy.Evaluate(evidence, policy) }),
            EventCatalogue.Serialize(triggered));
        var requested = spec.Single<KeyRotationRequested>();
        Assert.Equal((Producer, Incident1, "dc-b", KeyB, FinalizerKeyB), (requested.Producer, requested.IncidentId, requested.TargetDataCenter, requested.TargetKey, requested.TargetFinalizerKey));
        Assert.Equal((Permission, TestChain.ChainId, Draft.Expiration, T), (requested.Permission, requested.ChainId, requested.Expiration, requested.RequestedAt));
        Assert.Equal(["eosio::regproducer", "eosio::actfinkey"], requested.Actions);
        Assert.Equal("rotation-1", requested.RotationId); // the first rotation of the stream
    }

    [Fact]
    public void The_requested_transaction_unpacks_to_regproducer_and_actfinkey_under_the_drafts_tapos_authorised_by_the_failover_permission()
    {
        var spec = Given().When(Evaluate(Healthy()));
        var requested = spec.Single<KeyRotationRequested>();

        var packed = Convert.FromHexString(requested.PackedTransaction);
        var transaction = Transaction.Unpack(packed);

        // protocol.md §4.2: ref_block_num = low 16 bits of the block number (1001); ref_block_prefix = LE32(id[8..11]).
        var refId = Convert.FromHexString(Draft.RefBlockId);
        Assert.Equal((ushort)1001, transaction.RefBlockNum);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(refId.AsSpan(8, 4)), transaction.RefBlockPrefix);
        Assert.Equal(Draft.Expiration, transaction.Expiration);
        Assert.Equal((0u, (byte)0, 0u), (transaction.MaxNetUsageWords, transaction.MaxCpuUsageMs, transaction.DelaySec));
        Assert.Empty(transaction.ContextFreeActions);
        Assert.Empty(transaction.Extensions);
        var authority = new PermissionLevel(Name.Parse(Producer), Name.Parse(Permission));
        Assert.Equal(2, transaction.Actions.Count);
        Assert.All(transaction.Actions, a => Assert.Equal("eosio", a.Account.ToString()));
        Assert.All(transaction.Actions, a => Assert.Equal([authority], a.Authorization));
        Assert.Equal(["regproducer", "actfinkey"], transaction.Actions.Select(a => a.Name.ToString()));
        Assert.Equal(
            new RegProducer(Name.Parse(Producer), PublicKey.Parse(KeyB), "https://ours.example", 840),
            SystemActions.Decode(transaction.Actions[0].Name, transaction.Actions[0].Data));
        Assert.Equal(new ActFinKey(Name.Parse(Producer), FinalizerKeyB), SystemActions.Decode(transaction.Actions[1].Name, transaction.Actions[1].Data));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(packed)), requested.TransactionId);
    }

    [Fact]
    public void A_target_without_a_finalizer_key_gets_regproducer_only()
    {
        var spec = Given().When(Evaluate(Healthy().WithDataCenters(DcA, DcC)));
        var requested = spec.Single<KeyRotationRequested>();

        var transaction = Transaction.Unpack(Convert.FromHexString(requested.PackedTransaction));

        Assert.Equal(("dc-c", KeyC, (string?)null), (requested.TargetDataCenter, requested.TargetKey, requested.TargetFinalizerKey));
        Assert.Equal(["eosio::regproducer"], requested.Actions);
        var action = Assert.Single(transaction.Actions);
        Assert.Equal(new RegProducer(Name.Parse(Producer), PublicKey.Parse(KeyC), "https://ours.example", 840), SystemActions.Decode(action.Name, action.Data));
    }

    [Fact]
    public void A_triggered_incident_is_handled_and_its_rotation_is_in_flight()
    {
        var spec = Given().When(Evaluate(Healthy()));
        var requested = spec.Single<KeyRotationRequested>();

        var after = spec.After;

        Assert.Equal(Incident1, after.HandledIncident);
        Assert.True(after.RotationInFlight);
        var phase = Assert.IsType<Phase.Requested>(after.Phase);
        Assert.Equal((requested.RotationId, requested.TransactionId, requested.PackedTransaction, KeyB, false), (phase.Rotation.RotationId, phase.Rotation.TransactionId, phase.Rotation.PackedTransaction, phase.Rotation.TargetKey, phase.Rotation.Manual));
        Assert.Equal(1, after.RotationsRequested);
    }

    [Fact]
    public void The_same_incident_is_not_decided_again_once_triggered()
    {
        var first = Given().When(Evaluate(Healthy()));

        Given(first.Stream).When(Evaluate(Healthy(at: T.AddSeconds(1)))).ThenNothing();
        Given(CompletedRotation("rotation-1", Incident1, T.AddHours(-1))).When(Evaluate(Healthy())).ThenNothing();
    }

    [Fact]
    public void Each_rotation_of_a_stream_has_its_own_id_and_transaction()
    {
        // The first rotation is decided, then expires unapplied; the same incident is decided again.
        var first = Given().When(Evaluate(Healthy()));
        var firstRotation = first.Single<KeyRotationRequested>();
        var expired = new KeyRotationFailed(Producer, firstRotation.RotationId, firstRotation.TransactionId, RotationFailures.Expired, null, null, "expired", T.AddSeconds(200));

        var second = Given([.. first.Stream, expired]).When(Evaluate(Healthy(at: T.AddSeconds(201)), draft: Draft with { Expiration = T.AddSeconds(291) }));

        var secondRotation = second.Single<KeyRotationRequested>();
        Assert.NotEqual(firstRotation.RotationId, secondRotation.RotationId);
        Assert.NotEqual(firstRotation.TransactionId, secondRotation.TransactionId);
        Assert.Equal(2, second.After.RotationsRequested);
    }

    [Fact]
    public void A_wait_decides_nothing()
    {
        Given().When(Evaluate(Healthy().RevealingBlockNotFinal())).ThenNothing();
    }

    // ---- suppression: once per incident and reason ----------------------------------------------------------------

    [Fact]
    public void A_suppression_is_recorded_with_the_policys_decision()
    {
        var evidence = Stale(Healthy());

        Given().When(Evaluate(evidence)).Then(Suppressed(Incident1, evidence));
    }

    [Fact]
    public void The_same_reasons_for_the_same_incident_are_not_recorded_again()
    {
        var first = Suppressed(Incident1, Stale(Healthy()));

        Given(first).When(Evaluate(Stale(Healthy(at: T.AddSeconds(5))))).ThenNothing();
    }

    [Fact]
    public void A_new_reason_for_the_same_incident_is_recorded_with_all_the_decisions_reasons()
    {
        var first = Suppressed(Incident1, Stale(Healthy()));
        var worse = LibStalled(Stale(Healthy(at: T.AddSeconds(5))));

        var spec = Given(first).When(Evaluate(worse)).Then(Suppressed(Incident1, worse));

        Assert.Equal([ReasonCodes.StaleHead, ReasonCodes.LibStalled], spec.Single<FailoverSuppressed>().Reasons);
        Assert.Equal([ReasonCodes.LibStalled, ReasonCodes.StaleHead], spec.After.SuppressedReasons.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reasons_already_recorded_for_the_incident_in_earlier_suppressions_are_not_recorded_again()
    {
        var history = new[] { Suppressed(Incident1, Stale(Healthy())), Suppressed(Incident1, LibStalled(Healthy())) };

        Given(history).When(Evaluate(LibStalled(Stale(Healthy(at: T.AddSeconds(9)))))).ThenNothing();
    }

    [Fact]
    public void A_new_incident_records_its_suppression_again()
    {
        var first = Suppressed(Incident1, Stale(Healthy()));
        var next = ForIncident(Stale(Healthy(at: T.AddMinutes(3))), IncidentSlot + 252);

        var spec = Given(first).When(Evaluate(next)).Then(Suppressed(Incident2, next));

        Assert.Equal(Incident2, spec.After.SuppressedIncident);
        Assert.Equal([ReasonCodes.StaleHead], spec.After.SuppressedReasons);
    }

    [Fact]
    public void A_suppressed_incident_can_still_trigger_when_its_gates_hold_later()
    {
        var first = Suppressed(Incident1, Stale(Healthy()));

        Given(first).When(Evaluate(Healthy(at: T.AddSeconds(5)))).ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));
    }

    // ---- push -----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(PushOutcomes.Accepted)]
    [InlineData(PushOutcomes.Duplicate)]
    [InlineData(PushOutcomes.Unknown)]
    public void A_push_the_node_took_or_whose_answer_was_lost_is_recorded_as_submitted_with_its_outcome(string outcome)
    {
        var spec = Given(Rotation("rotation-1", Incident1, T))
            .When(new FailoverCommand.RecordPush("rotation-1", "https://api.example", new PushResult(outcome, "what the node said"), T.AddSeconds(1)))
            .Then(new KeyRotationSubmitted(Producer, "rotation-1", TransactionIdOf("rotation-1"), "https://api.example", outcome, "what the node said", T.AddSeconds(1)));

        var phase = Assert.IsType<Phase.Submitted>(spec.After.Phase);
        Assert.Equal(outcome, phase.Outcome);
        Assert.True(spec.After.RotationInFlight);
    }

    [Fact]
    public void A_rejected_push_fails_the_rotation_with_the_nodes_error()
    {
        var spec = Given(Rotation("rotation-1", Incident1, T))
            .When(new FailoverCommand.RecordPush("rotation-1", "https://api.example", new PushResult(PushOutcomes.Rejected, "missing authority", 3090003, "unsatisfied_authorization"), T.AddSeconds(1)))
            .Then(new KeyRotationFailed(Producer, "rotation-1", TransactionIdOf("rotation-1"), RotationFailures.Rejected, 3090003, "unsatisfied_authorization", "missing authority", T.AddSeconds(1)));

        Assert.IsType<Phase.Idle>(spec.After.Phase);
        Assert.False(spec.After.RotationInFlight);
        Assert.Equal(Incident1, spec.After.HandledIncident);
    }

    [Fact]
    public void After_a_rejected_rotation_the_same_incident_is_not_retried_blindly()
    {
        Given([.. Rotation("rotation-1", Incident1, T), Failed("rotation-1", RotationFailures.Rejected, T.AddSeconds(1))])
            .When(Evaluate(Healthy(at: T.AddSeconds(30))))
            .ThenNothing();
    }

    [Fact]
    public void A_push_for_a_rotation_that_is_not_waiting_for_it_is_refused()
    {
        var push = new FailoverCommand.RecordPush("rotation-1", "https://api.example", new PushResult(PushOutcomes.Accepted, "ok"), T.AddSeconds(5));

        Given().When(push).ThenRefused("rotation-1");
        Given(Rotation("rotation-2", Incident1, T)).When(push).ThenRefused("rotation-1");
        Given([.. Rotation("rotation-1", Incident1, T), Rotated("rotation-1", T.AddSeconds(1))]).When(push).ThenRefused("rotation-1");
        Given([.. Rotation("rotation-1", Incident1, T), Failed("rotation-1", RotationFailures.Rejected, T.AddSeconds(1))]).When(push).ThenRefused("rotation-1");
        Given([.. Rotation("rotation-1", Incident1, T), Submitted("rotation-1", T.AddSeconds(1), PushOutcomes.Unknown)]).When(push).ThenTypes(typeof(KeyRotationSubmitted));
    }

    [Fact]
    public void A_rotation_recorded_but_not_sent_fails_as_a_dry_run()
    {
        var spec = Given(Rotation("rotation-1", Incident1, T)).When(new FailoverCommand.RecordNotSent("rotation-1", T.AddSeconds(1)));

        var failed = spec.ThenTypes(typeof(KeyRotationFailed)).Single<KeyRotationFailed>();
        Assert.Equal((Producer, "rotation-1", TransactionIdOf("rotation-1"), RotationFailures.DryRun, (long?)null, T.AddSeconds(1)), (failed.Producer, failed.RotationId, failed.TransactionId, failed.Reason, failed.ErrorCode, failed.FailedAt));
        Assert.Contains("DryRun", failed.Detail, StringComparison.Ordinal);
        Assert.IsType<Phase.Idle>(spec.After.Phase);
        Assert.Equal(Incident1, spec.After.HandledIncident);
    }

    [Fact]
    public void Not_sending_a_rotation_that_is_not_waiting_to_be_sent_records_nothing()
    {
        Given(Rotation("rotation-1", Incident1, T)).When(new FailoverCommand.RecordNotSent("rotation-2", T)).ThenNothing();
        Given([.. Rotation("rotation-1", Incident1, T), Submitted("rotation-1", T)]).When(new FailoverCommand.RecordNotSent("rotation-1", T)).ThenNothing();
        Given().When(new FailoverCommand.RecordNotSent("rotation-1", T)).ThenNothing();
    }

    // ---- following the rotation -------------------------------------------------------------------------------------

    private static IProcessEvent[] SubmittedRotation() => [.. Rotation("rotation-1", Incident1, T), Submitted("rotation-1", T.AddSeconds(1))];

    [Fact]
    public void The_producers_table_showing_the_target_key_records_the_key_rotated()
    {
        var at = T.AddSeconds(3);

        var spec = Given(SubmittedRotation()).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyB), at)).Then(Rotated("rotation-1", at));

        Assert.IsType<Phase.Rotated>(spec.After.Phase);
        Assert.True(spec.After.RotationInFlight);
        Given(Rotation("rotation-1", Incident1, T)).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyB), at)).Then(Rotated("rotation-1", at));
    }

    [Fact]
    public void The_target_key_in_its_legacy_spelling_is_the_same_key()
    {
        var at = T.AddSeconds(3);

        Given(SubmittedRotation()).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(PublicKey.Parse(KeyB).ToLegacyString()), at)).Then(Rotated("rotation-1", at));
    }

    [Fact]
    public void The_producers_table_showing_the_replaced_key_records_nothing()
    {
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyA), T.AddSeconds(3))).ThenNothing();
        Given().When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyB), T.AddSeconds(3))).ThenNothing();
        Given([.. SubmittedRotation(), Rotated("rotation-1", T.AddSeconds(2))]).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyB), T.AddSeconds(3))).ThenNothing();
    }

    [Fact]
    public void The_schedule_carrying_the_target_key_records_the_missing_key_rotated_and_the_activation()
    {
        var at = T.AddSeconds(60);

        var spec = Given(SubmittedRotation())
            .When(new FailoverCommand.ObserveSchedule(8, SigningAuthority.SingleKey(KeyB), at))
            .Then(Rotated("rotation-1", at), Activated("rotation-1", at, version: 8));

        Assert.IsType<Phase.Activated>(spec.After.Phase);
        Assert.False(spec.After.RotationInFlight);
    }

    [Fact]
    public void The_schedule_carrying_the_target_key_after_the_table_showed_it_records_only_the_activation()
    {
        var at = T.AddSeconds(60);

        Given([.. SubmittedRotation(), Rotated("rotation-1", T.AddSeconds(3))])
            .When(new FailoverCommand.ObserveSchedule(9, Authority(1, (KeyA, 1), (KeyB, 1)), at))
            .Then(Activated("rotation-1", at, version: 9));
    }

    [Fact]
    public void A_schedule_without_the_target_key_or_with_no_rotation_in_flight_records_nothing()
    {
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveSchedule(8, SigningAuthority.SingleKey(KeyA), T)).ThenNothing();
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveSchedule(8, null, T)).ThenNothing();
        Given().When(new FailoverCommand.ObserveSchedule(8, SigningAuthority.SingleKey(KeyB), T)).ThenNothing();
        Given([.. SubmittedRotation(), Activated("rotation-1", T.AddSeconds(50))]).When(new FailoverCommand.ObserveSchedule(8, SigningAuthority.SingleKey(KeyB), T.AddSeconds(60))).ThenNothing();
    }

    [Fact]
    public void A_schedule_whose_authority_the_target_key_alone_does_not_satisfy_records_nothing()
    {
        // Threshold 2 over the target key and another, each of weight 1: the target's node cannot sign alone yet.
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveSchedule(8, Authority(2, (KeyA, 1), (KeyB, 1)), T.AddSeconds(60))).ThenNothing();
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveSchedule(8, Authority(3, (KeyB, 2)), T.AddSeconds(60))).ThenNothing();
    }

    [Fact]
    public void A_schedule_whose_authority_the_target_key_alone_satisfies_records_the_activation()
    {
        var at = T.AddSeconds(60);

        Given(SubmittedRotation())
            .When(new FailoverCommand.ObserveSchedule(8, Authority(2, (KeyA, 1), (KeyB, 2)), at))
            .Then(Rotated("rotation-1", at), Activated("rotation-1", at, version: 8));
    }

    [Fact]
    public void A_schedule_writing_the_target_key_in_its_legacy_spelling_carries_it_and_one_writing_no_key_does_not()
    {
        var at = T.AddSeconds(60);

        Given(SubmittedRotation())
            .When(new FailoverCommand.ObserveSchedule(8, SigningAuthority.SingleKey(PublicKey.Parse(KeyB).ToLegacyString()), at))
            .Then(Rotated("rotation-1", at), Activated("rotation-1", at, version: 8));
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveSchedule(8, SigningAuthority.SingleKey("not a key"), at)).ThenNothing();
    }

    [Fact]
    public void A_block_of_ours_signed_by_the_target_key_records_the_missing_steps_and_completes_the_failover()
    {
        var at = T.AddSeconds(70);
        var blockId = TestChain.Id("main", 2100);

        var spec = Given(SubmittedRotation())
            .When(new FailoverCommand.ObserveOurBlock(2100, blockId, KeyB, at))
            .Then(
                Rotated("rotation-1", at),
                Activated("rotation-1", at, version: 0),
                new FailoverCompleted(Producer, "rotation-1", "dc-b", KeyB, 2100, blockId, at));

        Assert.IsType<Phase.Idle>(spec.After.Phase);
        Assert.Equal(at, spec.After.LastCompletedAt);
        Assert.Equal(Incident1, spec.After.HandledIncident);
    }

    [Fact]
    public void A_block_signed_by_the_target_key_after_the_key_rotated_records_the_activation_and_the_completion()
    {
        var at = T.AddSeconds(70);
        var blockId = TestChain.Id("main", 2100);

        Given([.. SubmittedRotation(), Rotated("rotation-1", T.AddSeconds(3))])
            .When(new FailoverCommand.ObserveOurBlock(2100, blockId, KeyB, at))
            .Then(Activated("rotation-1", at, version: 0), new FailoverCompleted(Producer, "rotation-1", "dc-b", KeyB, 2100, blockId, at));
        Given([.. SubmittedRotation(), Rotated("rotation-1", T.AddSeconds(3)), Activated("rotation-1", T.AddSeconds(60))])
            .When(new FailoverCommand.ObserveOurBlock(2100, blockId, KeyB, at))
            .Then(new FailoverCompleted(Producer, "rotation-1", "dc-b", KeyB, 2100, blockId, at));
    }

    [Fact]
    public void A_block_signed_by_the_target_key_in_its_legacy_spelling_completes_the_failover()
    {
        var at = T.AddSeconds(70);
        var blockId = TestChain.Id("main", 2100);

        Given([.. SubmittedRotation(), Rotated("rotation-1", T.AddSeconds(3)), Activated("rotation-1", T.AddSeconds(60))])
            .When(new FailoverCommand.ObserveOurBlock(2100, blockId, PublicKey.Parse(KeyB).ToLegacyString(), at))
            .Then(new FailoverCompleted(Producer, "rotation-1", "dc-b", KeyB, 2100, blockId, at));
    }

    [Fact]
    public void A_block_of_ours_signed_by_another_key_or_by_none_records_nothing()
    {
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveOurBlock(2100, TestChain.Id("main", 2100), KeyA, T)).ThenNothing();
        Given(SubmittedRotation()).When(new FailoverCommand.ObserveOurBlock(2100, TestChain.Id("main", 2100), null, T)).ThenNothing();
        Given().When(new FailoverCommand.ObserveOurBlock(2100, TestChain.Id("main", 2100), KeyB, T)).ThenNothing();
    }

    [Fact]
    public void After_a_completed_failover_the_cooldown_runs_from_its_completion()
    {
        var completedAt = T.AddSeconds(70);
        var spec = Given(SubmittedRotation()).When(new FailoverCommand.ObserveOurBlock(2100, TestChain.Id("main", 2100), KeyB, completedAt));
        var later = ForIncident(Healthy(at: completedAt.AddMinutes(5)), IncidentSlot + 2520)
            .WithProcess(p => p with { LastRotationCompletedAt = spec.After.LastCompletedAt });

        var next = Given(spec.Stream).When(Evaluate(later));

        Assert.Equal([ReasonCodes.Cooldown], next.Single<FailoverSuppressed>().Reasons);
    }

    // ---- expiry -----------------------------------------------------------------------------------------------------

    [Fact]
    public void A_lib_past_the_expiration_with_the_key_not_registered_fails_the_rotation_as_expired()
    {
        var expiration = T.AddSeconds(60);
        IProcessEvent[] history = [.. Rotation("rotation-1", Incident1, T, expiration: expiration), Submitted("rotation-1", T.AddSeconds(1))];

        var spec = Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddMilliseconds(500), SigningAuthority.SingleKey(KeyA), T.AddSeconds(300)));

        var failed = spec.ThenTypes(typeof(KeyRotationFailed)).Single<KeyRotationFailed>();
        Assert.Equal((Producer, "rotation-1", TransactionIdOf("rotation-1"), RotationFailures.Expired, (long?)null, (string?)null, T.AddSeconds(300)), (failed.Producer, failed.RotationId, failed.TransactionId, failed.Reason, failed.ErrorCode, failed.ErrorName, failed.FailedAt));
        Assert.Contains("expired", failed.Detail, StringComparison.Ordinal);
        Assert.IsType<Phase.Idle>(spec.After.Phase);
        Assert.Null(spec.After.HandledIncident);
        Assert.Equal(KeyA, failed.RegisteredKey);
        Given(Rotation("rotation-1", Incident1, T, expiration: expiration))
            .When(new FailoverCommand.ObserveFinality(expiration.AddSeconds(1), SigningAuthority.SingleKey(KeyA), T.AddSeconds(300)))
            .ThenTypes(typeof(KeyRotationFailed));
    }

    [Fact]
    public void Without_a_reading_of_the_producers_table_a_rotation_past_its_expiration_is_not_expired()
    {
        var expiration = T.AddSeconds(60);
        IProcessEvent[] history = [.. Rotation("rotation-1", Incident1, T, expiration: expiration), Submitted("rotation-1", T.AddSeconds(1), PushOutcomes.Unknown)];

        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddMinutes(5), null, T.AddMinutes(6))).ThenNothing();
    }

    [Fact]
    public void A_reading_of_a_key_that_is_not_the_one_replaced_does_not_expire_the_rotation()
    {
        var expiration = T.AddSeconds(60);
        IProcessEvent[] history = [.. Rotation("rotation-1", Incident1, T, expiration: expiration), Submitted("rotation-1", T.AddSeconds(1))];

        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddMinutes(5), SigningAuthority.SingleKey(KeyC), T.AddMinutes(6))).ThenNothing();
    }

    [Fact]
    public void A_request_from_before_the_replaced_key_was_recorded_expires_on_any_key_but_its_target()
    {
        var expiration = T.AddSeconds(60);
        IProcessEvent[] history = [Triggered(Incident1, T), Requested("rotation-1", Incident1, T, expiration: expiration, replaces: null)];

        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddSeconds(1), SigningAuthority.SingleKey(KeyC), T.AddMinutes(6))).ThenTypes(typeof(KeyRotationFailed));
        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddSeconds(1), SigningAuthority.SingleKey(KeyB), T.AddMinutes(6))).ThenNothing();
        Given(history).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyC), T.AddMinutes(6))).ThenNothing();
    }

    [Fact]
    public void A_table_showing_a_third_key_supersedes_the_rotation_and_leaves_the_incident_to_an_operator()
    {
        IProcessEvent[] history = [.. Rotation("rotation-1", Incident1, T), Submitted("rotation-1", T.AddSeconds(1), PushOutcomes.NotApplied)];

        var spec = Given(history).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyC), T.AddSeconds(2)));

        var failed = spec.ThenTypes(typeof(KeyRotationFailed)).Single<KeyRotationFailed>();
        Assert.Equal((RotationFailures.Superseded, KeyC), (failed.Reason, failed.RegisteredKey));
        Assert.StartsWith($"the producers table registers {KeyC}, neither {KeyA}, which this rotation replaces, nor its target {KeyB}", failed.Detail, StringComparison.Ordinal);
        Assert.Equal(Incident1, spec.After.HandledIncident);
        Assert.Contains(RotationFailures.Superseded, spec.After.AwaitingOperator, StringComparison.Ordinal);
        Given(history).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyA), T.AddSeconds(2))).ThenNothing();
        Given(history).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(PublicKey.Parse(KeyA).ToLegacyString()), T.AddSeconds(2))).ThenNothing();
        Given([.. history, Rotated("rotation-1", T.AddSeconds(2))]).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyC), T.AddSeconds(3))).ThenNothing();
    }

    [Fact]
    public void A_refusal_to_sign_fails_the_rotation_with_its_problems_and_waits_for_an_operator()
    {
        var spec = Given(Rotation("rotation-1", Incident1, T)).When(new FailoverCommand.RefuseToSign("rotation-1", "it is for chain x", T.AddSeconds(1)));

        var failed = spec.ThenTypes(typeof(KeyRotationFailed)).Single<KeyRotationFailed>();
        Assert.Equal((RotationFailures.RefusedToSign, "it is for chain x"), (failed.Reason, failed.Detail));
        Assert.NotNull(spec.After.AwaitingOperator);
        Given(Rotation("rotation-1", Incident1, T)).When(new FailoverCommand.RefuseToSign("rotation-2", "x", T.AddSeconds(1))).ThenNothing();
        Given().When(new FailoverCommand.RefuseToSign("rotation-1", "x", T.AddSeconds(1))).ThenNothing();
    }

    [Fact]
    public void A_push_refused_for_a_passing_cause_is_recorded_as_not_applied_and_the_rotation_stays_under_way()
    {
        var spec = Given(Rotation("rotation-1", Incident1, T))
            .When(new FailoverCommand.RecordPush("rotation-1", "api1", new PushResult(PushOutcomes.NotApplied, "cpu", 3080004, "tx_cpu_usage_exceeded"), T.AddSeconds(1)));

        var submitted = spec.ThenTypes(typeof(KeyRotationSubmitted)).Single<KeyRotationSubmitted>();
        Assert.Equal((PushOutcomes.NotApplied, 3080004L, "tx_cpu_usage_exceeded", "api1"), (submitted.Outcome, submitted.ErrorCode, submitted.ErrorName, submitted.Endpoint));
        Assert.True(spec.After.RotationInFlight);
        Assert.Equal([new PushAttempt("api1", PushOutcomes.NotApplied, T.AddSeconds(1))], spec.After.Pushes);

        var again = Given([.. Rotation("rotation-1", Incident1, T), submitted])
            .When(new FailoverCommand.RecordPush("rotation-1", "api2", new PushResult(PushOutcomes.Accepted, "ok"), T.AddSeconds(2)));
        again.ThenTypes(typeof(KeyRotationSubmitted));
        Assert.Equal(["api1", "api2"], again.After.Pushes.Select(p => p.Endpoint));
        Assert.Equal(new Phase.Submitted(again.After.CurrentRotation!, PushOutcomes.Accepted), again.After.Phase);
    }

    [Fact]
    public void A_refusal_awaiting_an_operator_names_the_error_and_a_reopened_or_dry_run_rotation_awaits_no_one()
    {
        var rejected = new KeyRotationFailed(Producer, "rotation-1", TransactionIdOf("rotation-1"), RotationFailures.Rejected, 3090003, "unsatisfied_authorization", "denied", T.AddSeconds(2));

        Assert.Equal("rotation rotation-1 to dc-b failed (rejected, 3090003 unsatisfied_authorization): denied", Fold([.. Rotation("rotation-1", Incident1, T), rejected]).AwaitingOperator);
        Assert.Equal("rotation rotation-1 to dc-b failed (superseded): superseded", Fold([.. Rotation("rotation-1", Incident1, T), Failed("rotation-1", RotationFailures.Superseded, T.AddSeconds(2))]).AwaitingOperator);
        Assert.Null(Fold([.. Rotation("rotation-1", Incident1, T), Failed("rotation-1", RotationFailures.Expired, T.AddMinutes(6))]).AwaitingOperator);
        Assert.Null(Fold([.. Rotation("rotation-1", Incident1, T), Failed("rotation-1", RotationFailures.DryRun, T.AddSeconds(1))]).AwaitingOperator);
    }

    [Fact]
    public void Without_the_producers_table_a_suppression_is_recorded_but_nothing_is_triggered()
    {
        Given().When(new FailoverCommand.Evaluate(Healthy(), new FailoverPolicy(), null)).ThenNothing();
        Given().When(new FailoverCommand.Evaluate(Healthy().WithProcess(p => p with { AutomationPaused = true }), new FailoverPolicy(), null))
            .ThenTypes(typeof(FailoverSuppressed));
    }

    [Fact]
    public void A_rotation_refused_after_an_earlier_push_may_have_applied_still_counts_towards_the_cap()
    {
        IProcessEvent[] lost = [.. Rotation("rotation-1", Incident1, T), Submitted("rotation-1", T.AddSeconds(1), PushOutcomes.Unknown)];
        IProcessEvent[] refusedOnly = [.. Rotation("rotation-1", Incident1, T), Submitted("rotation-1", T.AddSeconds(1), PushOutcomes.NotApplied)];

        Assert.Equal([T], Fold([.. lost, Failed("rotation-1", RotationFailures.Rejected, T.AddSeconds(5))]).AutomaticRotations);
        Assert.Empty(Fold([.. refusedOnly, Failed("rotation-1", RotationFailures.Rejected, T.AddSeconds(5))]).AutomaticRotations);
        Assert.Empty(Fold([.. lost, Failed("rotation-1", RotationFailures.Expired, T.AddMinutes(6))]).AutomaticRotations);
        Assert.Empty(Fold([.. Rotation("rotation-1", Incident1, T), Failed("rotation-1", RotationFailures.Rejected, T.AddSeconds(5))]).AutomaticRotations);
    }

    [Fact]
    public void After_the_third_transaction_of_an_incident_expires_no_fourth_is_built_and_an_operator_is_needed()
    {
        IProcessEvent[] history =
        [
            .. Rotation("rotation-1", Incident1, T), Failed("rotation-1", RotationFailures.Expired, T.AddMinutes(6)),
            .. Rotation("rotation-2", Incident1, T.AddMinutes(7)), Failed("rotation-2", RotationFailures.Expired, T.AddMinutes(13)),
            .. Rotation("rotation-3", Incident1, T.AddMinutes(14)),
        ];
        Assert.Equal(3, Fold(history).RequestsForIncident);
        Assert.Null(Fold(history[..^2]).HandledIncident);

        var after = Fold([.. history, Failed("rotation-3", RotationFailures.Expired, T.AddMinutes(20))]);

        Assert.Equal(Incident1, after.HandledIncident);
        Assert.Contains("3 transactions", after.AwaitingOperator, StringComparison.Ordinal);
        Assert.Null(Fold([.. history, Failed("rotation-3", RotationFailures.Expired, T.AddMinutes(20)), ManualRequested("dc-c", T.AddMinutes(21))]).AwaitingOperator);
        Assert.Equal(1, Fold([.. history, .. Rotation("rotation-4", Incident2, T.AddMinutes(30))]).RequestsForIncident);
    }

    [Fact]
    public void A_lib_at_or_before_the_expiration_does_not_expire_the_rotation()
    {
        var expiration = T.AddSeconds(60);
        IProcessEvent[] history = [.. Rotation("rotation-1", Incident1, T, expiration: expiration), Submitted("rotation-1", T.AddSeconds(1))];

        Given(history).When(new FailoverCommand.ObserveFinality(expiration, null, T.AddSeconds(90))).ThenNothing();
        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddSeconds(-10), null, T.AddSeconds(90))).ThenNothing();
    }

    [Fact]
    public void A_rotation_whose_key_is_registered_does_not_expire()
    {
        var expiration = T.AddSeconds(60);
        IProcessEvent[] history = [.. Rotation("rotation-1", Incident1, T, expiration: expiration), Submitted("rotation-1", T.AddSeconds(1))];

        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddMinutes(5), SigningAuthority.SingleKey(KeyB), T.AddMinutes(6))).ThenNothing();
        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddMinutes(5), SigningAuthority.SingleKey(PublicKey.Parse(KeyB).ToLegacyString()), T.AddMinutes(6))).ThenNothing();
        Given([.. history, Rotated("rotation-1", T.AddSeconds(5))]).When(new FailoverCommand.ObserveFinality(expiration.AddMinutes(5), null, T.AddMinutes(6))).ThenNothing();
        Given().When(new FailoverCommand.ObserveFinality(expiration.AddMinutes(5), null, T.AddMinutes(6))).ThenNothing();
    }

    [Fact]
    public void After_an_expired_rotation_the_incident_is_decided_again_with_a_new_transaction()
    {
        var expiration = T.AddSeconds(60);
        IProcessEvent[] history =
        [
            .. Rotation("rotation-1", Incident1, T, expiration: expiration),
            Submitted("rotation-1", T.AddSeconds(1)),
            Failed("rotation-1", RotationFailures.Expired, T.AddSeconds(300)),
        ];
        var later = Healthy(at: T.AddSeconds(301));

        var spec = Given(history).When(Evaluate(later, draft: Draft with { Expiration = T.AddSeconds(391) })).ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));

        var requested = spec.Single<KeyRotationRequested>();
        Assert.Equal(Incident1, requested.IncidentId);
        Assert.NotEqual("rotation-1", requested.RotationId);
        Assert.NotEqual(TransactionIdOf("rotation-1"), requested.TransactionId);
        Assert.Equal(T.AddSeconds(391), Transaction.Unpack(Convert.FromHexString(requested.PackedTransaction)).Expiration);
    }

    // ---- manual requests --------------------------------------------------------------------------------------------

    [Fact]
    public void A_pending_manual_request_is_decided_as_its_own_incident_and_is_no_longer_pending()
    {
        var evidence = Healthy().WithManual("dc-c") with { Incident = null };

        var spec = Given(ManualRequested("dc-c", T.AddSeconds(-5))).When(Evaluate(evidence)).ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));

        var requested = spec.Single<KeyRotationRequested>();
        Assert.StartsWith("manual-", requested.IncidentId, StringComparison.Ordinal);
        Assert.Equal(requested.IncidentId, spec.Single<FailoverTriggered>().IncidentId);
        Assert.Equal("dc-c", requested.TargetDataCenter);
        Assert.Null(spec.After.PendingManual);
        Assert.True(Assert.IsType<Phase.Requested>(spec.After.Phase).Rotation.Manual);
    }

    [Fact]
    public void Manual_evidence_without_a_manual_request_in_the_stream_decides_nothing()
    {
        Given().When(Evaluate(Healthy().WithManual("dc-c") with { Incident = null })).ThenNothing();
    }

    [Fact]
    public void A_manual_request_that_is_suppressed_is_recorded_and_no_longer_pending()
    {
        var evidence = Healthy().WithManual("dc-a") with { Incident = null };

        var spec = Given(ManualRequested("dc-a", T.AddSeconds(-5))).When(Evaluate(evidence));

        var suppressed = spec.ThenTypes(typeof(FailoverSuppressed)).Single<FailoverSuppressed>();
        Assert.Equal([ReasonCodes.NoReadyStandby], suppressed.Reasons);
        Assert.StartsWith("manual-", suppressed.IncidentId, StringComparison.Ordinal);
        Assert.Null(spec.After.PendingManual);
    }

    [Fact]
    public void A_manual_request_already_suppressed_is_not_decided_again()
    {
        var evidence = Healthy().WithManual("dc-a") with { Incident = null };
        var first = Given(ManualRequested("dc-a", T.AddSeconds(-5))).When(Evaluate(evidence)).ThenTypes(typeof(FailoverSuppressed));

        Given(first.Stream).When(Evaluate(Healthy(at: T.AddSeconds(5)).WithManual("dc-c") with { Incident = null })).ThenNothing();
    }

    [Fact]
    public void A_manual_request_waiting_while_an_automatic_incident_is_suppressed_is_still_decided()
    {
        var automatic = Suppressed(Incident1, Stale(Healthy()));

        Given(ManualRequested("dc-c", T.AddSeconds(-5)), automatic)
            .When(Evaluate(Healthy(at: T.AddSeconds(1)).WithManual("dc-c")))
            .ThenTypes(typeof(FailoverTriggered), typeof(KeyRotationRequested));
    }

    [Fact]
    public void Two_manual_requests_are_two_incidents()
    {
        var evidence = Healthy().WithManual("dc-a") with { Incident = null };
        var first = Given(ManualRequested("dc-a", T.AddSeconds(-5))).When(Evaluate(evidence));
        var again = Given([.. first.Stream, ManualRequested("dc-a", T.AddSeconds(1))]).When(Evaluate(evidence with { EvaluatedAt = T.AddSeconds(2) }));

        Assert.NotEqual(first.Single<FailoverSuppressed>().IncidentId, again.Single<FailoverSuppressed>().IncidentId);
    }

    [Fact]
    public void A_manual_request_already_decided_is_not_decided_again()
    {
        // Design §2.2: at most one rotation per incident. The operator's request was triggered and completed; evidence
        // that still carries the request (a redelivered or stale command) must not rotate a second time.
        var manual = Given(ManualRequested("dc-c", T.AddSeconds(-5))).When(Evaluate(Healthy().WithManual("dc-c") with { Incident = null }));
        var rotationId = manual.Single<KeyRotationRequested>().RotationId;
        IProcessEvent[] done =
        [
            .. manual.Stream,
            new KeyRotationSubmitted(Producer, rotationId, manual.Single<KeyRotationRequested>().TransactionId, "https://api.example", PushOutcomes.Accepted, "ok", T.AddSeconds(1)),
            new FailoverCompleted(Producer, rotationId, "dc-c", KeyC, 2000, TestChain.Id("main", 2000), T.AddSeconds(70)),
        ];

        Given(done).When(Evaluate(Healthy(at: T.AddMinutes(20)).WithManual("dc-c") with { Incident = null })).ThenNothing();
    }
}
