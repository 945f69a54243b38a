namespace Failover.Antelope.SystemContract;

/// <summary>A key and its weight in a block signing authority.</summary>
public sealed record KeyWeight(PublicKey Key, ushort Weight);
