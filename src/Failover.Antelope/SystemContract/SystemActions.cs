using Failover.Antelope.Serialization;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.SystemContract;

/// <summary>An <c>eosio</c> system contract action this service sends or decodes.</summary>
public interface ISystemAction
{
    Name ActionName { get; }

    byte[] Encode();
}

/// <summary><c>regproducer(name producer, public_key producer_key, string url, uint16 location)</c>.</summary>
public sealed record RegProducer(Name Producer, PublicKey ProducerKey, string Url, ushort Location) : ISystemAction
{
    public Name ActionName => SystemActions.RegProducerName;

    public byte[] Encode()
    {
        var writer = new AbiWriter();
        writer.WriteName(Producer);
        writer.WritePublicKey(ProducerKey);
        writer.WriteString(Url);
        writer.WriteUInt16(Location);
        return writer.ToArray();
    }
}

/// <summary><c>regproducer2(name producer, block_signing_authority producer_authority, string url, uint16 location)</c>.</summary>
public sealed record RegProducer2(Name Producer, BlockSigningAuthority ProducerAuthority, string Url, ushort Location) : ISystemAction
{
    public Name ActionName => SystemActions.RegProducer2Name;

    public byte[] Encode()
    {
        var writer = new AbiWriter();
        writer.WriteName(Producer);
        ProducerAuthority.WriteTo(writer);
        writer.WriteString(Url);
        writer.WriteUInt16(Location);
        return writer.ToArray();
    }
}

/// <summary><c>unregprod(name producer)</c>.</summary>
public sealed record UnregProd(Name Producer) : ISystemAction
{
    public Name ActionName => SystemActions.UnregProdName;

    public byte[] Encode()
    {
        var writer = new AbiWriter();
        writer.WriteName(Producer);
        return writer.ToArray();
    }
}

/// <summary>
/// The native <c>updateauth(name account, name permission, name parent, authority auth)</c>, for an authority of keys
/// only (no accounts, no waits): what creates or changes the dedicated permission a rotation is signed with.
/// </summary>
public sealed record UpdateAuth(Name Account, Name Permission, Name Parent, uint Threshold, IReadOnlyList<KeyWeight> Keys) : ISystemAction
{
    public Name ActionName => SystemActions.UpdateAuthName;

    public byte[] Encode()
    {
        var writer = new AbiWriter();
        writer.WriteName(Account);
        writer.WriteName(Permission);
        writer.WriteName(Parent);
        writer.WriteUInt32(Threshold);
        writer.WriteVarUInt32((uint)Keys.Count);
        foreach (var key in Keys)
        {
            writer.WritePublicKey(key.Key);
            writer.WriteUInt16(key.Weight);
        }

        writer.WriteVarUInt32(0); // accounts
        writer.WriteVarUInt32(0); // waits
        return writer.ToArray();
    }

    internal static UpdateAuth ReadFrom(AbiReader reader)
    {
        var (account, permission, parent, threshold) = (reader.ReadName(), reader.ReadName(), reader.ReadName(), reader.ReadUInt32());
        var keys = new List<KeyWeight>();
        for (var count = reader.ReadVarUInt32(); count > 0; count--)
        {
            keys.Add(new KeyWeight(reader.ReadPublicKey(), reader.ReadUInt16()));
        }

        if (reader.ReadVarUInt32() != 0 || reader.ReadVarUInt32() != 0)
        {
            throw new AbiDecodeException(0, "eosio::updateauth with account or wait entries is not an authority of keys only.");
        }

        return new UpdateAuth(account, permission, parent, threshold, keys);
    }
}

/// <summary>The native <c>linkauth(name account, name code, name type, name requirement)</c>: <c>code::type</c> may be signed with <c>requirement</c>.</summary>
public sealed record LinkAuth(Name Account, Name Code, Name Type, Name Requirement) : ISystemAction
{
    public Name ActionName => SystemActions.LinkAuthName;

    public byte[] Encode()
    {
        var writer = new AbiWriter();
        writer.WriteName(Account);
        writer.WriteName(Code);
        writer.WriteName(Type);
        writer.WriteName(Requirement);
        return writer.ToArray();
    }
}

/// <summary><c>actfinkey(name finalizer_name, string finalizer_key)</c>; the BLS key is an opaque string here.</summary>
public sealed record ActFinKey(Name FinalizerName, string FinalizerKey) : ISystemAction
{
    public Name ActionName => SystemActions.ActFinKeyName;

    public byte[] Encode()
    {
        var writer = new AbiWriter();
        writer.WriteName(FinalizerName);
        writer.WriteString(FinalizerKey);
        return writer.ToArray();
    }
}

public static class SystemActions
{
    public static Name Eosio { get; } = Name.Parse("eosio");

    internal static Name RegProducerName { get; } = Name.Parse("regproducer");

    internal static Name RegProducer2Name { get; } = Name.Parse("regproducer2");

    internal static Name UnregProdName { get; } = Name.Parse("unregprod");

    internal static Name ActFinKeyName { get; } = Name.Parse("actfinkey");

    internal static Name UpdateAuthName { get; } = Name.Parse("updateauth");

    internal static Name LinkAuthName { get; } = Name.Parse("linkauth");

    /// <summary>
    /// The actions that give <paramref name="producer"/> a dedicated <paramref name="permission"/> (under <c>active</c>,
    /// held by <paramref name="key"/> alone) linked to the rotation's actions only: <c>regproducer</c>,
    /// <c>regproducer2</c> and <c>actfinkey</c> (protocol.md §3.6). Signed by <c>producer@active</c>.
    /// </summary>
    public static IReadOnlyList<ChainAction> DedicatedPermission(Name producer, Name permission, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var active = new PermissionLevel(producer, Name.Parse("active"));
        return
        [
            ToAction(new UpdateAuth(producer, permission, Name.Parse("active"), 1, [new KeyWeight(key, 1)]), active),
            .. new[] { RegProducerName, RegProducer2Name, ActFinKeyName }.Select(type => ToAction(new LinkAuth(producer, Eosio, type, permission), active)),
        ];
    }

    public static ChainAction ToAction(ISystemAction action, PermissionLevel authorization)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(authorization);
        return new ChainAction(Eosio, action.ActionName, [authorization], action.Encode());
    }

    /// <summary>Decodes the data of an <c>eosio</c> action; unknown actions, malformed data and trailing bytes throw.</summary>
    public static ISystemAction Decode(Name action, ReadOnlySpan<byte> data)
    {
        var reader = new AbiReader(data.ToArray());
        ISystemAction decoded = action switch
        {
            _ when action == RegProducerName =>
                new RegProducer(reader.ReadName(), reader.ReadPublicKey(), reader.ReadString(), reader.ReadUInt16()),
            _ when action == RegProducer2Name =>
                new RegProducer2(reader.ReadName(), BlockSigningAuthority.ReadFrom(reader), reader.ReadString(), reader.ReadUInt16()),
            _ when action == UnregProdName => new UnregProd(reader.ReadName()),
            _ when action == ActFinKeyName => new ActFinKey(reader.ReadName(), reader.ReadString()),
            _ when action == UpdateAuthName => UpdateAuth.ReadFrom(reader),
            _ when action == LinkAuthName => new LinkAuth(reader.ReadName(), reader.ReadName(), reader.ReadName(), reader.ReadName()),
            _ => throw new AbiDecodeException(0, $"eosio::{action} is not a system action this library decodes."),
        };
        reader.EnsureAtEnd($"eosio::{action} data");
        return decoded;
    }
}
