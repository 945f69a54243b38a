namespace Failover.Antelope.Transactions;

/// <summary>A <c>transaction_extensions</c> entry: a type id and opaque data; equality compares the data bytes.</summary>
public sealed record TransactionExtension(ushort Type, byte[] Data)
{
    public bool Equals(TransactionExtension? other) =>
        other is not null && Type == other.Type && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Type, Data.Length);
}
