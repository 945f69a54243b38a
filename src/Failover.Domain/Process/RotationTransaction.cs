using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;

namespace Failover.Domain.Process;

/// <summary>
/// The one rotation the service builds — recorded by the decider, rebuilt by the signer's check (<see cref="SigningCheck"/>):
/// <c>regproducer</c> to the target's key, or <c>regproducer2</c> to the authority the target declares, keeping the URL
/// and location the chain holds, plus <c>actfinkey</c> when a finalizer key is to be activated, all under
/// <c>producer@permission</c>.
/// </summary>
public static class RotationTransaction
{
    public static KeyRotation Build(
        Checksum256 chainId,
        Checksum256 refBlockId,
        DateTimeOffset expiration,
        string producer,
        string permission,
        string signingKey,
        SigningAuthority? declaredAuthority,
        string url,
        ushort location,
        string? finalizerKey)
    {
        var authorization = new PermissionLevel(Name.Parse(producer), Name.Parse(permission));
        return declaredAuthority is null
            ? KeyRotation.ToNewKey(chainId, refBlockId, expiration, authorization, PublicKey.Parse(signingKey), url, location, finalizerKey)
            : KeyRotation.ToAuthority(chainId, refBlockId, expiration, authorization, declaredAuthority.ToBlockSigningAuthority(), url, location, finalizerKey);
    }

    /// <summary>What the transaction does, as an operator reads it.</summary>
    public static string Describe(string producer, string permission, string signingKey, SigningAuthority? declaredAuthority, string url, ushort location, string? finalizerKey) =>
        (declaredAuthority is null ? $"regproducer of {producer} to {signingKey}" : $"regproducer2 of {producer} to {declaredAuthority.Describe()}")
        + $" with URL \"{url}\" and location {location}{(finalizerKey is null ? string.Empty : " and actfinkey of its finalizer key")}, authorised by {producer}@{permission}, nothing else";
}
