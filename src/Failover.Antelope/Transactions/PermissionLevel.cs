namespace Failover.Antelope.Transactions;

/// <summary>An <c>actor@permission</c> authorization.</summary>
public sealed record PermissionLevel(Name Actor, Name Permission)
{
    public override string ToString() => $"{Actor}@{Permission}";
}
