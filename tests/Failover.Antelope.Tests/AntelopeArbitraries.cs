using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Tests;

/// <summary>FsCheck generators for the library's types; every generated value is valid on the wire.</summary>
public static class AntelopeArbitraries
{
    private const string NameChars = ".12345abcdefghijklmnopqrstuvwxyz";
    private static readonly string[] TextPieces = ["a", "Z", "0", " ", "/", ":", "ñ", "ú", "€", "漢", "😀", "\u0000", "\n"];

    public static Gen<byte> Byte => ArbMap.Default.GeneratorFor<byte>();

    public static Gen<byte[]> BytesGen => Gen.ArrayOf(Byte);

    public static Gen<Name> NameGen => Gen.OneOf(
        ArbMap.Default.GeneratorFor<ulong>().Select(Name.FromValue),
        Gen.ArrayOf(Byte, 8).Select(b => Name.FromValue(BitConverter.ToUInt64(b))),
        Gen.Choose(1, 12).SelectMany(length => Gen.ArrayOf(Gen.Elements(NameChars.ToCharArray()), length))
            .Select(chars => new string(chars).TrimEnd('.'))
            .Select(Name.Parse));

    public static Gen<string> TextGen => Gen.OneOf(
            Gen.Elements(TextPieces),
            ArbMap.Default.GeneratorFor<char>().Where(c => !char.IsSurrogate(c)).Select(c => c.ToString()))
        .ListOf()
        .Select(string.Concat);

    public static Gen<PrivateKey> PrivateKeyGen =>
        Gen.ArrayOf(Byte, 32).Select(seed => PrivateKey.FromSecret(SHA256.HashData(seed)));

    public static Gen<PublicKey> PublicKeyGen => Gen.Frequency(
        (9, PrivateKeyGen.Select(k => k.PublicKey)),
        (1, Gen.Constant(PublicKey.Zero)));

    public static Gen<Checksum256> ChecksumGen => Gen.ArrayOf(Byte, 32).Select(b => Checksum256.FromBytes(b));

    public static Gen<Signature> SignatureGen =>
        PrivateKeyGen.Zip(ChecksumGen, (key, digest) => key.SignDigest(digest.AsSpan()));

    public static Gen<DateTimeOffset> TimePointSecGen =>
        ArbMap.Default.GeneratorFor<uint>().Select(s => DateTimeOffset.FromUnixTimeSeconds(s));

    public static Gen<PermissionLevel> PermissionGen => NameGen.Zip(NameGen, (actor, permission) => new PermissionLevel(actor, permission));

    public static Gen<ChainAction> ChainActionGen =>
        from account in NameGen
        from name in NameGen
        from authorization in PermissionGen.ListOf()
        from data in BytesGen
        select new ChainAction(account, name, [.. authorization], data);

    public static Gen<Transaction> TransactionGen =>
        from expiration in TimePointSecGen
        from refBlockNum in ArbMap.Default.GeneratorFor<ushort>()
        from refBlockPrefix in ArbMap.Default.GeneratorFor<uint>()
        from maxNet in ArbMap.Default.GeneratorFor<uint>()
        from maxCpu in Byte
        from delay in ArbMap.Default.GeneratorFor<uint>()
        from contextFree in ChainActionGen.ListOf(2)
        from actions in ChainActionGen.ListOf()
        from extensions in ArbMap.Default.GeneratorFor<ushort>().Zip(BytesGen, (t, d) => new TransactionExtension(t, d)).ListOf(2)
        select new Transaction(expiration, refBlockNum, refBlockPrefix, maxNet, maxCpu, delay, [.. contextFree], [.. actions], [.. extensions]);

    public static Gen<BlockSigningAuthority> AuthorityGen =>
        from threshold in ArbMap.Default.GeneratorFor<uint>()
        from keys in PublicKeyGen.Zip(ArbMap.Default.GeneratorFor<ushort>(), (k, w) => new KeyWeight(k, w)).ListOf()
        select new BlockSigningAuthority(threshold, [.. keys]);

    public static Gen<ISystemAction> SystemActionGen => Gen.OneOf(
        from producer in NameGen
        from key in PublicKeyGen
        from url in TextGen
        from location in ArbMap.Default.GeneratorFor<ushort>()
        select (ISystemAction)new RegProducer(producer, key, url, location),
        from producer in NameGen
        from authority in AuthorityGen
        from url in TextGen
        from location in ArbMap.Default.GeneratorFor<ushort>()
        select (ISystemAction)new RegProducer2(producer, authority, url, location),
        NameGen.Select(producer => (ISystemAction)new UnregProd(producer)),
        NameGen.Zip(TextGen, (name, key) => (ISystemAction)new ActFinKey(name, key)));

    public static Arbitrary<Name> Names() => NameGen.ToArbitrary();

    public static Arbitrary<PrivateKey> PrivateKeys() => PrivateKeyGen.ToArbitrary();

    public static Arbitrary<PublicKey> PublicKeys() => PublicKeyGen.ToArbitrary();

    public static Arbitrary<Checksum256> Checksums() => ChecksumGen.ToArbitrary();

    public static Arbitrary<Signature> Signatures() => SignatureGen.ToArbitrary();

    public static Arbitrary<Transaction> Transactions() => TransactionGen.ToArbitrary();

    public static Arbitrary<ISystemAction> SystemActions() => SystemActionGen.ToArbitrary();
}
