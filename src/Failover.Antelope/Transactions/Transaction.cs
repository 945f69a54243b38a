using Failover.Antelope.Serialization;

namespace Failover.Antelope.Transactions;

/// <summary>
/// An Antelope transaction (protocol.md §4.1): header with TaPoS, context-free actions, actions and extensions.
/// <see cref="Pack"/> gives the bytes of <c>packed_trx</c>; <see cref="Id"/> and <see cref="SigningDigest"/> derive from them.
/// </summary>
public sealed record Transaction(
    DateTimeOffset Expiration,
    ushort RefBlockNum,
    uint RefBlockPrefix,
    uint MaxNetUsageWords,
    byte MaxCpuUsageMs,
    uint DelaySec,
    IReadOnlyList<ChainAction> ContextFreeActions,
    IReadOnlyList<ChainAction> Actions,
    IReadOnlyList<TransactionExtension> Extensions)
{
    /// <summary>A transaction referencing <paramref name="refBlockId"/> (TaPoS) with no resource limits or delay.</summary>
    public static Transaction Create(Checksum256 refBlockId, DateTimeOffset expiration, IReadOnlyList<ChainAction> actions)
    {
        if (expiration.ToUnixTimeMilliseconds() % 1000 != 0)
        {
            throw new ArgumentException("Expiration must be a whole number of seconds.", nameof(expiration));
        }

        return new Transaction(
            expiration.ToUniversalTime(),
            BlockId.RefBlockNum(refBlockId),
            BlockId.RefBlockPrefix(refBlockId),
            MaxNetUsageWords: 0,
            MaxCpuUsageMs: 0,
            DelaySec: 0,
            ContextFreeActions: [],
            actions,
            Extensions: []);
    }

    public Checksum256 Id => Checksum256.Hash(Pack());

    public byte[] Pack()
    {
        var writer = new AbiWriter();
        writer.WriteTimePointSec(Expiration);
        writer.WriteUInt16(RefBlockNum);
        writer.WriteUInt32(RefBlockPrefix);
        writer.WriteVarUInt32(MaxNetUsageWords);
        writer.WriteUInt8(MaxCpuUsageMs);
        writer.WriteVarUInt32(DelaySec);
        writer.WriteVector(ContextFreeActions, static (w, action) => action.WriteTo(w));
        writer.WriteVector(Actions, static (w, action) => action.WriteTo(w));
        writer.WriteVector(Extensions, static (w, extension) =>
        {
            w.WriteUInt16(extension.Type);
            w.WriteBytes(extension.Data);
        });
        return writer.ToArray();
    }

    /// <summary>Reads a packed transaction; trailing bytes are an error.</summary>
    public static Transaction Unpack(ReadOnlySpan<byte> packed)
    {
        var reader = new AbiReader(packed.ToArray());
        var transaction = new Transaction(
            reader.ReadTimePointSec(),
            reader.ReadUInt16(),
            reader.ReadUInt32(),
            reader.ReadVarUInt32(),
            reader.ReadUInt8(),
            reader.ReadVarUInt32(),
            reader.ReadVector(ChainAction.ReadFrom),
            reader.ReadVector(ChainAction.ReadFrom),
            reader.ReadVector(static r => new TransactionExtension(r.ReadUInt16(), r.ReadBytes())));
        reader.EnsureAtEnd("the transaction");
        return transaction;
    }

    /// <summary><c>sha256(chain_id ‖ packed_trx ‖ 32 zero bytes)</c>: the digest signers sign when there is no context-free data.</summary>
    public Checksum256 SigningDigest(Checksum256 chainId) => SigningDigest(chainId, Pack(), Checksum256.Zero);

    internal static Checksum256 SigningDigest(Checksum256 chainId, ReadOnlySpan<byte> packedTrx, Checksum256 contextFreeDataDigest) =>
        Checksum256.Hash([.. chainId.AsSpan(), .. packedTrx, .. contextFreeDataDigest.AsSpan()]);

    public bool Equals(Transaction? other) =>
        other is not null
        && Expiration == other.Expiration
        && RefBlockNum == other.RefBlockNum
        && RefBlockPrefix == other.RefBlockPrefix
        && MaxNetUsageWords == other.MaxNetUsageWords
        && MaxCpuUsageMs == other.MaxCpuUsageMs
        && DelaySec == other.DelaySec
        && ContextFreeActions.SequenceEqual(other.ContextFreeActions)
        && Actions.SequenceEqual(other.Actions)
        && Extensions.SequenceEqual(other.Extensions);

    public override int GetHashCode() => HashCode.Combine(Expiration, RefBlockNum, RefBlockPrefix, Actions.Count);
}
