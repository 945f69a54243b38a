using Failover.Antelope.Transactions;

namespace Failover.Antelope.SystemContract;

/// <summary>
/// A key rotation: <c>regproducer</c> (or <c>regproducer2</c> with an authority) plus, on Savanna chains,
/// <c>actfinkey</c> for the new data center's finalizer key, in one transaction authorised by <c>producer@permission</c>
/// (protocol.md §3). The one builder behind <c>failover tx rotate</c>, the service and the demo.
/// </summary>
public sealed record KeyRotation(
    Checksum256 ChainId,
    Checksum256 RefBlockId,
    DateTimeOffset Expiration,
    PermissionLevel Authorization,
    ISystemAction Registration,
    ActFinKey? FinalizerActivation)
{
    /// <summary>
    /// The rotation to a single new signing key, keeping the registered URL and location, with <c>actfinkey</c> when a
    /// finalizer key is given.
    /// </summary>
    public static KeyRotation ToNewKey(
        Checksum256 chainId,
        Checksum256 refBlockId,
        DateTimeOffset expiration,
        PermissionLevel authorization,
        PublicKey newKey,
        string url,
        ushort location,
        string? finalizerKey)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return Registering(chainId, refBlockId, expiration, authorization, new RegProducer(authorization.Actor, newKey, url, location), finalizerKey);
    }

    /// <summary>
    /// The rotation to a block signing authority (<c>regproducer2</c>), keeping the registered URL and location, with
    /// <c>actfinkey</c> when a finalizer key is given.
    /// </summary>
    public static KeyRotation ToAuthority(
        Checksum256 chainId,
        Checksum256 refBlockId,
        DateTimeOffset expiration,
        PermissionLevel authorization,
        BlockSigningAuthority authority,
        string url,
        ushort location,
        string? finalizerKey)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return Registering(chainId, refBlockId, expiration, authorization, new RegProducer2(authorization.Actor, authority, url, location), finalizerKey);
    }

    private static KeyRotation Registering(
        Checksum256 chainId, Checksum256 refBlockId, DateTimeOffset expiration, PermissionLevel authorization, ISystemAction registration, string? finalizerKey) =>
        new(chainId, refBlockId, expiration, authorization, registration, finalizerKey is null ? null : new ActFinKey(authorization.Actor, finalizerKey));

    /// <summary>The action names, in order, e.g. <c>eosio::regproducer</c>, <c>eosio::actfinkey</c>.</summary>
    public IReadOnlyList<string> ActionNames =>
        [.. ToTransaction().Actions.Select(a => $"{a.Account}::{a.Name}")];

    public Transaction ToTransaction()
    {
        List<ChainAction> actions = [SystemActions.ToAction(Registration, Authorization)];
        if (FinalizerActivation is not null)
        {
            actions.Add(SystemActions.ToAction(FinalizerActivation, Authorization));
        }

        return Transaction.Create(RefBlockId, Expiration, actions);
    }

    /// <summary>Signs the transaction for this chain; the same inputs and keys always give the same bytes (RFC 6979).</summary>
    public PackedTransaction Sign(IEnumerable<PrivateKey> signers) => TransactionSigner.Sign(ToTransaction(), ChainId, signers);
}
