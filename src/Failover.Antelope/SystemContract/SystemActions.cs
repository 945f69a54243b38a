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
            _ => throw new AbiDecodeException(0, $"eosio::{action} is not a system action this library decodes."),
        };
        reader.EnsureAtEnd($"eosio::{action} data");
        return decoded;
    }
}
