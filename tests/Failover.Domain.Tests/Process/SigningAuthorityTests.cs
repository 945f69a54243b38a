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
/// A data center that declares a block signing authority is rotated to with <c>regproducer2</c>; what the producers table
/// registers is compared with what a rotation wrote and with what it replaces as a whole authority (a multi-key row's
/// <c>producer_key</c> is the all-zero key, so the key alone says nothing).
/// </summary>
public sealed class SigningAuthorityTests
{
    private const string Url = "https://ours.example";
    private const ushort Location = 840;

    private static readonly string BackupKey = TestKeys.Derive("dc-b backup").ToString();
    private static readonly string ZeroKey = PublicKey.Zero.ToString();

    /// <summary>dc-b's own key and a backup node's key, each able to sign alone.</summary>
    private static readonly SigningAuthority DcBAuthority = new(1, [new ScheduleKey(KeyB, 1), new ScheduleKey(BackupKey, 1)]);

    /// <summary>What the table shows after our regproducer2: the same authority, keys in another order and spelling.</summary>
    private static readonly SigningAuthority DcBAuthorityAsRead = new(1, [new ScheduleKey(BackupKey, 1), new ScheduleKey(PublicKey.Parse(KeyB).ToLegacyString(), 1)]);

    private static readonly SigningAuthority MultiKeyA = new(2, [new ScheduleKey(KeyA, 2), new ScheduleKey(KeyC, 1)]);

    private static Evidence WithDcBAuthority(Evidence evidence) =>
        evidence with { DataCenters = [.. evidence.DataCenters.Select(d => d.Name == "dc-b" ? d with { SigningAuthority = DcBAuthority } : d)] };

    private static KeyRotationRequested Request(SigningAuthority registered, Evidence? evidence = null)
    {
        var draft = new RotationDraft(TestChain.ChainId, TestChain.Id("main", 1001), T.AddSeconds(90), Permission, Url, Location, registered);
        return FailoverDecider.Decide(new FailoverCommand.Evaluate(evidence ?? WithDcBAuthority(Healthy()), new FailoverPolicy(), draft), FailoverProcess.Initial, Producer)
            .Events.OfType<KeyRotationRequested>().Single();
    }

    private static IProcessEvent[] Decided(SigningAuthority registered)
    {
        var requested = Request(registered);
        return [Triggered(MissedIncident(), T), requested, new KeyRotationSubmitted(Producer, requested.RotationId, requested.TransactionId, "https://api.example", PushOutcomes.Accepted, "accepted", T.AddSeconds(1))];
    }

    [Fact]
    public void Two_authorities_are_the_same_when_threshold_keys_and_weights_agree_in_any_order_and_spelling()
    {
        Assert.True(DcBAuthority.SameAs(DcBAuthorityAsRead));
        Assert.True(SigningAuthority.SingleKey(KeyA).SameAs(new SigningAuthority(1, [new ScheduleKey(PublicKey.Parse(KeyA).ToLegacyString(), 1)])));
        Assert.False(DcBAuthority.SameAs(DcBAuthority with { Threshold = 2 }));
        Assert.False(DcBAuthority.SameAs(new SigningAuthority(1, [new ScheduleKey(KeyB, 1), new ScheduleKey(BackupKey, 2)])));
        Assert.False(DcBAuthority.SameAs(SigningAuthority.SingleKey(KeyB)));
        Assert.False(SigningAuthority.SingleKey(KeyB).SameAs(DcBAuthority));
        Assert.False(DcBAuthority.SameAs(new SigningAuthority(1, [new ScheduleKey(KeyB, 1), new ScheduleKey(KeyC, 1)])));
        Assert.False(DcBAuthority.SameAs(null));
    }

    [Fact]
    public void An_authority_reads_as_its_key_alone_or_its_threshold_and_weighted_keys()
    {
        Assert.Equal(KeyA, SigningAuthority.SingleKey(KeyA).Describe());
        Assert.Equal($"threshold 2 of {KeyA} (weight 2), {KeyC} (weight 1)", MultiKeyA.Describe());
        Assert.Equal($"threshold 1 of {KeyA} (weight 2)", new SigningAuthority(1, [new ScheduleKey(KeyA, 2)]).Describe());
        Assert.True(SigningAuthority.SingleKey(KeyA).IsSingleKey);
        Assert.False(new SigningAuthority(2, [new ScheduleKey(KeyA, 2)]).IsSingleKey);
        Assert.False(new SigningAuthority(1, [new ScheduleKey(KeyA, 2)]).IsSingleKey);
        Assert.False(DcBAuthority.IsSingleKey);
    }

    [Fact]
    public void What_an_event_recorded_and_what_a_row_registers_are_read_back_as_authorities()
    {
        Assert.Null(SigningAuthority.Recorded(null, null));
        Assert.Equal(SigningAuthority.SingleKey(KeyA), SigningAuthority.Recorded(KeyA, null));
        Assert.Equal(MultiKeyA, SigningAuthority.Recorded(null, MultiKeyA));
        Assert.Equal(MultiKeyA, SigningAuthority.Recorded(KeyA, MultiKeyA));
        Assert.Equal(SigningAuthority.SingleKey(KeyA), SigningAuthority.For(KeyA, null));
        Assert.Equal(MultiKeyA, SigningAuthority.For(ZeroKey, MultiKeyA));
        Assert.Equal(SigningAuthority.SingleKey(KeyB), SigningAuthority.For(KeyB, null));
        Assert.Equal(DcBAuthority, SigningAuthority.For(KeyB, DcBAuthority));
    }

    [Fact]
    public void A_target_that_declares_an_authority_is_requested_with_regproducer2_of_it_and_a_single_replaced_key_as_its_key()
    {
        var requested = Request(SigningAuthority.SingleKey(KeyA));

        Assert.Equal(["eosio::regproducer2", "eosio::actfinkey"], requested.Actions);
        Assert.Equal((KeyB, DcBAuthority, KeyA, (SigningAuthority?)null), (requested.TargetKey, requested.TargetAuthority, requested.ReplacesKey, requested.ReplacesAuthority));
        var transaction = Transaction.Unpack(Convert.FromHexString(requested.PackedTransaction));
        var written = Assert.IsType<RegProducer2>(SystemActions.Decode(transaction.Actions[0].Name, transaction.Actions[0].Data));
        Assert.Equal((Url, Location), (written.Url, written.Location));
        Assert.True(DcBAuthority.SameAs(SigningAuthority.Of(written.ProducerAuthority)));
    }

    [Fact]
    public void A_rotation_replacing_a_multi_key_authority_records_it_whole_and_no_key()
    {
        var requested = Request(MultiKeyA, Healthy());

        Assert.Equal(["eosio::regproducer", "eosio::actfinkey"], requested.Actions);
        Assert.Equal((KeyB, (SigningAuthority?)null, (string?)null, MultiKeyA), (requested.TargetKey, requested.TargetAuthority, requested.ReplacesKey, requested.ReplacesAuthority));
    }

    [Fact]
    public void The_table_showing_the_target_authority_in_any_order_records_the_key_rotated()
    {
        var history = Decided(SigningAuthority.SingleKey(KeyA));
        var at = T.AddSeconds(3);

        Given(history).When(new FailoverCommand.ObserveRegistration(DcBAuthorityAsRead, at)).Then(Rotated("rotation-1", at));
        Given(history).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyA), at)).ThenNothing();
    }

    [Fact]
    public void The_target_key_alone_in_the_table_is_not_the_declared_authority_and_supersedes_the_rotation()
    {
        var history = Decided(SigningAuthority.SingleKey(KeyA));

        var failed = Given(history).When(new FailoverCommand.ObserveRegistration(SigningAuthority.SingleKey(KeyB), T.AddSeconds(3)))
            .ThenTypes(typeof(KeyRotationFailed)).Single<KeyRotationFailed>();

        Assert.Equal((RotationFailures.Superseded, KeyB, (SigningAuthority?)null), (failed.Reason, failed.RegisteredKey, failed.RegisteredAuthority));
        Assert.Contains($"nor its target threshold 1 of {KeyB} (weight 1), {BackupKey} (weight 1)", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multi_key_authority_still_registered_is_not_a_third_key_and_past_the_expiration_it_expires_the_rotation()
    {
        var history = Decided(MultiKeyA);
        var expiration = history.OfType<KeyRotationRequested>().Single().Expiration;
        var asRead = new SigningAuthority(2, [new ScheduleKey(KeyC, 1), new ScheduleKey(KeyA, 2)]);

        Given(history).When(new FailoverCommand.ObserveRegistration(asRead, T.AddSeconds(3))).ThenNothing();
        Given(history).When(new FailoverCommand.ObserveFinality(expiration, asRead, T.AddMinutes(6))).ThenNothing();
        var failed = Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddSeconds(1), asRead, T.AddMinutes(6)))
            .ThenTypes(typeof(KeyRotationFailed)).Single<KeyRotationFailed>();

        Assert.Equal((RotationFailures.Expired, asRead.Describe(), asRead), (failed.Reason, failed.RegisteredKey, failed.RegisteredAuthority));
        Assert.True(MultiKeyA.SameAs(failed.Registered()));
        Given(history).When(new FailoverCommand.ObserveFinality(expiration.AddSeconds(1), MultiKeyA with { Threshold = 3 }, T.AddMinutes(6))).ThenNothing();
        Given(history).When(new FailoverCommand.ObserveRegistration(MultiKeyA with { Threshold = 3 }, T.AddSeconds(3))).ThenTypes(typeof(KeyRotationFailed));
    }

    [Fact]
    public void The_schedule_carrying_an_authority_the_target_key_satisfies_alone_activates_the_rotation()
    {
        var history = Decided(SigningAuthority.SingleKey(KeyA));
        var at = T.AddMinutes(2);

        Given(history).When(new FailoverCommand.ObserveSchedule(9, DcBAuthorityAsRead, at)).ThenTypes(typeof(KeyRotated), typeof(SigningKeyActivated));
        Given(history).When(new FailoverCommand.ObserveSchedule(9, MultiKeyA, at)).ThenNothing();
    }

    [Fact]
    public void The_signer_signs_regproducer2_of_the_declared_authority_and_refuses_regproducer_to_its_key_alone()
    {
        var rotation = Failover.Domain.Process.Rotation.From(Request(SigningAuthority.SingleKey(KeyA)), manual: false);
        IReadOnlyList<DataCenterConfig> dataCenters = [new("dc-a", 1, KeyA, null, true), new("dc-b", 2, KeyB, FinalizerKeyB, true, DcBAuthority)];
        var context = new SigningContext(Producer, Permission, TestChain.ChainId, dataCenters, Url, Location, T.AddSeconds(1));
        var keyAlone = KeyRotation.ToNewKey(Checksum256.Parse(TestChain.ChainId), Checksum256.Parse(TestChain.Id("main", 1001)), T.AddSeconds(90),
            new PermissionLevel(Name.Parse(Producer), Name.Parse(Permission)), PublicKey.Parse(KeyB), Url, Location, FinalizerKeyB).ToTransaction();
        var forged = rotation with { PackedTransaction = Convert.ToHexStringLower(keyAlone.Pack()), TransactionId = keyAlone.Id.ToString(), TargetAuthority = null };

        Assert.Empty(SigningCheck.Problems(rotation, context));
        var problems = SigningCheck.Problems(forged, context);
        Assert.Contains($"its target authority {KeyB} is not the one dc-b is configured to register ({DcBAuthority.Describe()})", problems);
        Assert.Contains($"its actions are not the rotation the service builds: regproducer2 of {Producer} to {DcBAuthority.Describe()} with URL \"{Url}\" and location {Location} and actfinkey of its finalizer key, authorised by {Producer}@{Permission}, nothing else", problems);
        Assert.NotEmpty(SigningCheck.Problems(rotation, context with { DataCenters = [dataCenters[0], dataCenters[1] with { SigningAuthority = null }] }));
    }

    [Fact]
    public void A_registered_authority_that_is_not_the_one_in_force_is_a_rotation_in_flight_and_the_one_in_force_is_not()
    {
        var scheduled = Healthy().WithAuthority(2, (KeyA, 2), (KeyC, 1));

        Assert.True(PolicySpec.Given(scheduled with { RegisteredKey = ZeroKey, RegisteredAuthority = new SigningAuthority(2, [new ScheduleKey(KeyC, 1), new ScheduleKey(KeyA, 2)]) })
            .When().Gate(ReasonCodes.RotationInFlight).Passed);
        var inFlight = PolicySpec.Given(scheduled with { RegisteredKey = KeyA, RegisteredAuthority = SigningAuthority.SingleKey(KeyA) }).When().Gate(ReasonCodes.RotationInFlight);
        Assert.False(inFlight.Passed);
        Assert.Equal($"the producers table registers {KeyA}, which the schedule in force does not carry yet: a rotation is already on its way on chain", inFlight.Detail);
        Assert.False(PolicySpec.Given(Healthy() with { RegisteredKey = ZeroKey, RegisteredAuthority = MultiKeyA }).When().Gate(ReasonCodes.RotationInFlight).Passed);

        // Evidence recorded before the authority was read is judged as it was: on the key alone being in force.
        Assert.True(PolicySpec.Given(scheduled with { RegisteredKey = KeyA }).When().Gate(ReasonCodes.RotationInFlight).Passed);
        Assert.False(PolicySpec.Given(scheduled with { RegisteredKey = KeyC }).When().Gate(ReasonCodes.RotationInFlight).Passed);
        Assert.True(PolicySpec.Given(Healthy().NotScheduled() with { RegisteredAuthority = MultiKeyA }).When().Gate(ReasonCodes.RotationInFlight).Passed);
    }
}
