using System.Globalization;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;

namespace Failover.Domain.Process;

/// <summary>What the signer holds a recorded rotation against: its configuration and the chain as it is now.</summary>
/// <param name="ChainId">The chain the service is configured for (or, unconfigured, the one its log records).</param>
/// <param name="Url">The URL the producers table holds for our producer now.</param>
/// <param name="Location">The location the producers table holds now.</param>
public sealed record SigningContext(
    string Producer, string Permission, string ChainId, IReadOnlyList<DataCenterConfig> DataCenters, string Url, ushort Location, DateTimeOffset Now);

/// <summary>
/// Signs only what the service would build (design §2.5): whoever can append to the store must not get any transaction
/// signed with the producer's key. A recorded rotation is decoded and rebuilt from its target data center's configured
/// keys, the configured permission and the producers table's URL and location, with its own TaPoS and expiration; the
/// bytes must be the same, its id theirs, its chain ours, and its expiration within a transaction's lifetime of now.
/// </summary>
public static class SigningCheck
{
    /// <summary>Every reason not to sign <paramref name="rotation"/> (empty: sign it). Never quotes key material beyond public keys.</summary>
    public static IReadOnlyList<string> Problems(Rotation rotation, SigningContext context)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        ArgumentNullException.ThrowIfNull(context);
        var problems = new List<string>();
        if (!SameChain(rotation.ChainId, context.ChainId))
        {
            problems.Add($"it is for chain {rotation.ChainId}, not {context.ChainId}");
        }

        if (context.DataCenters.FirstOrDefault(d => d.Name == rotation.TargetDataCenter) is not { } target)
        {
            problems.Add($"its target data center '{rotation.TargetDataCenter}' is not configured");
            return problems;
        }

        if (!KeyInForce.SameKey(rotation.TargetKey, target.SigningKey))
        {
            problems.Add($"its target key {rotation.TargetKey} is not {target.Name}'s configured signing key {target.SigningKey}");
        }

        var configured = SigningAuthority.For(target.SigningKey, target.SigningAuthority);
        if (!rotation.Target.SameAs(configured))
        {
            problems.Add($"its target authority {rotation.Target.Describe()} is not the one {target.Name} is configured to register ({configured.Describe()})");
        }

        if (rotation.TargetFinalizerKey is { } finalizer && finalizer != target.FinalizerKey)
        {
            problems.Add($"its finalizer key {finalizer} is not {target.Name}'s configured finalizer key");
        }

        if (Decode(rotation.PackedTransaction) is not { } transaction)
        {
            problems.Add("its packed transaction does not decode");
            return problems;
        }

        if (!string.Equals(transaction.Id.ToString(), rotation.TransactionId, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"its packed transaction has id {transaction.Id}, not the recorded {rotation.TransactionId}");
        }

        if (transaction.Expiration <= context.Now || transaction.Expiration > context.Now + RotationFollowUp.TransactionLifetime + TimeSpan.FromMinutes(1))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"its expiration {transaction.Expiration:O} is not within {RotationFollowUp.TransactionLifetime.TotalMinutes:0} minutes of now ({context.Now:O})"));
        }

        if (!SameBytes(transaction, Expected(transaction, rotation, target, context)))
        {
            problems.Add("its actions are not the rotation the service builds: " + RotationTransaction.Describe(
                context.Producer, context.Permission, target.SigningKey, target.SigningAuthority, context.Url, context.Location, rotation.TargetFinalizerKey));
        }

        return problems;
    }

    private static Transaction Expected(Transaction recorded, Rotation rotation, DataCenterConfig target, SigningContext context)
    {
        var rebuilt = RotationTransaction.Build(Checksum256.Zero, Checksum256.Zero, recorded.Expiration, context.Producer, context.Permission,
            target.SigningKey, target.SigningAuthority, context.Url, context.Location, rotation.TargetFinalizerKey).ToTransaction();
        return rebuilt with { RefBlockNum = recorded.RefBlockNum, RefBlockPrefix = recorded.RefBlockPrefix };
    }

    private static bool SameBytes(Transaction a, Transaction b) => a.Pack().AsSpan().SequenceEqual(b.Pack());

    private static bool SameChain(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static Transaction? Decode(string packedHex)
    {
        try
        {
            return Transaction.Unpack(Convert.FromHexString(packedHex));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
