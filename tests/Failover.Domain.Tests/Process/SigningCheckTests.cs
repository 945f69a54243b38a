using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;
using static Failover.Domain.Tests.Support.DecisionFixtures;
using static Failover.Domain.Tests.Support.ProcessHistory;

namespace Failover.Domain.Tests.Process;

/// <summary>
/// The signer signs only what the service would build: a request the decider made passes; anything else in the store —
/// another chain, another key, another producer or permission, other actions, a wiped URL, a far expiration, bytes that
/// do not match their id — is refused, with every reason.
/// </summary>
public sealed class SigningCheckTests
{
    private const string Url = "https://ours.example";
    private const ushort Location = 840;

    private static readonly IReadOnlyList<DataCenterConfig> DataCenters =
    [
        new("dc-a", 1, KeyA, null, true),
        new("dc-b", 2, KeyB, FinalizerKeyB, true),
        new("dc-c", 3, KeyC, null, false),
    ];

    private static SigningContext Context => new(Producer, Permission, TestChain.ChainId, DataCenters, Url, Location, T.AddSeconds(1));

    /// <summary>The request the decider records for a healthy incident (dc-b, with actfinkey), as the fold holds it.</summary>
    private static Rotation Decided()
    {
        var draft = new RotationDraft(TestChain.ChainId, TestChain.Id("main", 1001), T.AddSeconds(90), Permission, Url, Location, SigningAuthority.SingleKey(KeyA));
        var requested = FailoverDecider.Decide(new FailoverCommand.Evaluate(Healthy(), new FailoverPolicy(), draft), FailoverProcess.Initial, Producer)
            .Events.OfType<KeyRotationRequested>().Single();
        return Failover.Domain.Process.Rotation.From(requested, manual: false);
    }

    /// <summary>A rotation whose bytes are <paramref name="transaction"/>, recorded with its true id.</summary>
    private static Rotation With(Transaction transaction) =>
        Decided() with { PackedTransaction = Convert.ToHexStringLower(transaction.Pack()), TransactionId = transaction.Id.ToString() };

    private static Transaction Built(string key, string url = Url, string permission = Permission, string producer = Producer, string? finalizerKey = FinalizerKeyB, DateTimeOffset? expiration = null) =>
        KeyRotation.ToNewKey(Checksum256.Parse(TestChain.ChainId), Checksum256.Parse(TestChain.Id("main", 1001)), expiration ?? T.AddSeconds(90),
            new PermissionLevel(Name.Parse(producer), Name.Parse(permission)), PublicKey.Parse(key), url, Location, finalizerKey).ToTransaction();

    [Fact]
    public void What_the_decider_built_is_signed()
    {
        Assert.Empty(SigningCheck.Problems(Decided(), Context));
        Assert.Empty(SigningCheck.Problems(With(Built(KeyB)), Context));
    }

    [Fact]
    public void A_forged_transaction_moving_the_key_elsewhere_is_refused_even_when_the_request_names_a_configured_target()
    {
        var attacker = TestKeys.Derive("attacker").ToString();

        var problems = SigningCheck.Problems(With(Built(attacker)), Context);

        Assert.Contains(problems, p => p == $"its actions are not the rotation the service builds: regproducer of {Producer} to {KeyB} with URL \"{Url}\" and location {Location} and actfinkey of its finalizer key, authorised by {Producer}@{Permission}, nothing else");
        var toDcC = SigningCheck.Problems(Decided() with { TargetDataCenter = "dc-c", TargetKey = KeyC, TargetFinalizerKey = null }, Context);
        Assert.Contains(toDcC, p => p == $"its actions are not the rotation the service builds: regproducer of {Producer} to {KeyC} with URL \"{Url}\" and location {Location}, authorised by {Producer}@{Permission}, nothing else");
    }

    [Fact]
    public void Another_permission_producer_url_finalizer_key_or_extra_action_is_refused()
    {
        Assert.NotEmpty(SigningCheck.Problems(With(Built(KeyB, permission: "active")), Context));
        Assert.NotEmpty(SigningCheck.Problems(With(Built(KeyB, producer: "someoneelse")), Context));
        Assert.NotEmpty(SigningCheck.Problems(With(Built(KeyB, url: string.Empty)), Context));
        Assert.NotEmpty(SigningCheck.Problems(With(Built(KeyB, finalizerKey: null)), Context));
        var extra = Built(KeyB);
        Assert.NotEmpty(SigningCheck.Problems(With(extra with { Actions = [.. extra.Actions, extra.Actions[0]] }), Context));
        Assert.NotEmpty(SigningCheck.Problems(With(extra with { DelaySec = 3600 }), Context));
        Assert.NotEmpty(SigningCheck.Problems(Decided(), Context with { Location = 0 }));
    }

    [Fact]
    public void A_target_or_key_that_is_not_configured_is_refused()
    {
        Assert.Contains(SigningCheck.Problems(Decided() with { TargetDataCenter = "dc-x" }, Context), p => p.Contains("dc-x", StringComparison.Ordinal));
        Assert.Contains(SigningCheck.Problems(Decided() with { TargetKey = KeyC }, Context), p => p.Contains("configured signing key", StringComparison.Ordinal));
        Assert.Contains(SigningCheck.Problems(Decided() with { TargetFinalizerKey = "PUB_BLS_other" }, Context), p => p == "its finalizer key PUB_BLS_other is not dc-b's configured finalizer key");
        Assert.Contains(SigningCheck.Problems(Decided(), Context with { DataCenters = [DataCenters[0], DataCenters[1] with { SigningKey = KeyC }] }), p => p.Contains("configured signing key", StringComparison.Ordinal));
    }

    [Fact]
    public void Another_chain_bytes_that_are_not_their_id_undecodable_bytes_and_an_expiration_out_of_range_are_refused()
    {
        Assert.Contains(SigningCheck.Problems(Decided() with { ChainId = new string('a', 64) }, Context), p => p.Contains("chain", StringComparison.Ordinal));
        Assert.Contains(SigningCheck.Problems(Decided() with { TransactionId = new string('0', 64) }, Context), p => p.Contains("recorded", StringComparison.Ordinal));
        Assert.Contains(SigningCheck.Problems(Decided() with { PackedTransaction = "00" }, Context), p => p.Contains("does not decode", StringComparison.Ordinal));
        Assert.Contains(SigningCheck.Problems(Decided() with { PackedTransaction = "zz" }, Context), p => p.Contains("does not decode", StringComparison.Ordinal));
        Assert.Contains(SigningCheck.Problems(With(Built(KeyB, expiration: T.AddHours(1))), Context), p => p.Contains("expiration", StringComparison.Ordinal));
        Assert.Contains(SigningCheck.Problems(Decided(), Context with { Now = T.AddSeconds(90) }), p => p.Contains("expiration", StringComparison.Ordinal));
        Assert.Empty(SigningCheck.Problems(Decided(), Context with { Now = T.AddSeconds(89) }));
        Assert.Empty(SigningCheck.Problems(With(Built(KeyB, expiration: T.AddSeconds(361))), Context));
        Assert.NotEmpty(SigningCheck.Problems(With(Built(KeyB, expiration: T.AddSeconds(362))), Context));
        Assert.Empty(SigningCheck.Problems(Decided() with { ChainId = TestChain.ChainId.ToUpperInvariant() }, Context));
    }

    [Fact]
    public void Nothing_is_refused_for_want_of_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => SigningCheck.Problems(null!, Context));
        Assert.Throws<ArgumentNullException>(() => SigningCheck.Problems(Decided(), null!));
    }
}
