using Failover.Antelope.Transactions;

namespace Failover.Host.Commands;

/// <summary>A signed key rotation: the transaction and its push body.</summary>
internal sealed record SignedRotation(Transaction Transaction, PackedTransaction Packed);
