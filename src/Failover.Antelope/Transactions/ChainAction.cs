using Failover.Antelope.Serialization;

namespace Failover.Antelope.Transactions;

/// <summary>A contract action with its data already serialized; equality compares the data bytes.</summary>
public sealed record ChainAction(Name Account, Name Name, IReadOnlyList<PermissionLevel> Authorization, byte[] Data)
{
    public bool Equals(ChainAction? other) =>
        other is not null
        && Account == other.Account
        && Name == other.Name
        && Authorization.SequenceEqual(other.Authorization)
        && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Account, Name, Authorization.Count, Data.Length);

    internal void WriteTo(AbiWriter writer)
    {
        writer.WriteName(Account);
        writer.WriteName(Name);
        writer.WriteVector(Authorization, static (w, level) =>
        {
            w.WriteName(level.Actor);
            w.WriteName(level.Permission);
        });
        writer.WriteBytes(Data);
    }

    internal static ChainAction ReadFrom(AbiReader reader) => new(
        reader.ReadName(),
        reader.ReadName(),
        reader.ReadVector(static r => new PermissionLevel(r.ReadName(), r.ReadName())),
        reader.ReadBytes());
}
