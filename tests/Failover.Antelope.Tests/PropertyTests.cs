using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Tests;

[Properties(Arbitrary = [typeof(AntelopeArbitraries)])]
public class PropertyTests
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    [Property]
    public bool Every_name_reads_back_from_its_text(Name name) =>
        Name.Parse(name.ToString()) == name;

    [Property]
    public bool Every_64_bit_value_is_a_name_whose_text_reads_back(ulong value) =>
        Name.Parse(Name.FromValue(value).ToString()).Value == value;

    [Property]
    public bool A_name_with_a_character_outside_the_alphabet_is_rejected(Name name, char bad, byte position)
    {
        var text = name.ToString();
        if (".12345abcdefghijklmnopqrstuvwxyz".Contains(bad, StringComparison.Ordinal))
        {
            bad = '6';
        }

        var damaged = text.Insert(position % (text.Length + 1), bad.ToString());
        return !Name.TryParse(damaged, out _, out var error) && error.Length > 0;
    }

    [Property]
    public bool A_varuint32_reads_back_and_uses_one_byte_per_seven_bits(uint value)
    {
        var writer = new AbiWriter();
        writer.WriteVarUInt32(value);
        var bytes = writer.ToArray();
        var expectedLength = Math.Max(1, (32 - (int)uint.LeadingZeroCount(value) + 6) / 7);
        var reader = new AbiReader(bytes);
        return reader.ReadVarUInt32() == value && reader.AtEnd && bytes.Length == expectedLength;
    }

    [Property]
    public bool Integers_and_bools_read_back(byte u8, ushort u16, uint u32, ulong u64, long i64, bool flag)
    {
        var writer = new AbiWriter();
        writer.WriteUInt8(u8);
        writer.WriteUInt16(u16);
        writer.WriteUInt32(u32);
        writer.WriteUInt64(u64);
        writer.WriteInt64(i64);
        writer.WriteBool(flag);
        var reader = new AbiReader(writer.ToArray());
        return reader.ReadUInt8() == u8 && reader.ReadUInt16() == u16 && reader.ReadUInt32() == u32
            && reader.ReadUInt64() == u64 && reader.ReadInt64() == i64 && reader.ReadBool() == flag && reader.AtEnd;
    }

    [Property]
    public Property Strings_bytes_and_vectors_of_them_read_back() =>
        Prop.ForAll(
            AntelopeArbitraries.TextGen.ListOf().ToArbitrary(),
            AntelopeArbitraries.BytesGen.ToArbitrary(),
            (texts, bytes) =>
            {
                var writer = new AbiWriter();
                writer.WriteVector([.. texts], static (w, s) => w.WriteString(s));
                writer.WriteBytes(bytes);
                writer.WriteRaw(bytes);
                var reader = new AbiReader(writer.ToArray());
                return reader.ReadVector(static r => r.ReadString()).SequenceEqual(texts)
                    && reader.ReadBytes().SequenceEqual(bytes)
                    && reader.ReadRaw(bytes.Length).SequenceEqual(bytes)
                    && reader.AtEnd;
            });

    [Property]
    public bool Names_keys_signatures_checksums_times_and_optionals_read_back(
        Name name, PublicKey key, Signature signature, Checksum256 checksum, uint seconds, bool present)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var optional = present ? name.ToString() : null;
        var writer = new AbiWriter();
        writer.WriteName(name);
        writer.WritePublicKey(key);
        writer.WriteSignature(signature);
        writer.WriteChecksum256(checksum);
        writer.WriteTimePointSec(time);
        writer.WriteOptional(optional, static (w, s) => w.WriteString(s));
        writer.WriteBinaryExtension(optional, static (w, s) => w.WriteString(s));
        var reader = new AbiReader(writer.ToArray());
        return reader.ReadName() == name
            && reader.ReadPublicKey() == key
            && reader.ReadSignature() == signature
            && reader.ReadChecksum256() == checksum
            && reader.ReadTimePointSec() == time
            && reader.ReadOptional(static r => r.ReadString()) == optional
            && reader.ReadBinaryExtension(static r => r.ReadString()) == optional
            && reader.AtEnd;
    }

    [Property]
    public bool A_transaction_unpacks_to_itself_and_its_id_is_the_hash_of_its_bytes(Transaction transaction)
    {
        var packed = transaction.Pack();
        return Transaction.Unpack(packed) == transaction && transaction.Id == Checksum256.Hash(packed);
    }

    [Property]
    public bool A_system_action_decodes_to_itself(ISystemAction action) =>
        SystemActions.Decode(action.ActionName, action.Encode()).Equals(action);

    [Property]
    public bool A_signature_is_canonical_and_recovers_to_its_key(PrivateKey key, Checksum256 digest)
    {
        var signature = key.SignDigest(digest.AsSpan());
        return signature.IsCanonical
            && signature.RecoverPublicKey(digest.AsSpan()) == key.PublicKey
            && signature.Verify(digest.AsSpan(), key.PublicKey)
            && Signature.Parse(signature.ToString()) == signature;
    }

    [Property]
    public bool A_signed_transaction_recovers_to_its_signers(Transaction transaction, Checksum256 chainId, PrivateKey first, PrivateKey second)
    {
        var packed = TransactionSigner.Sign(transaction, chainId, [first, second]);
        return TransactionSigner.RecoverSigners(packed, chainId).SequenceEqual([first.PublicKey, second.PublicKey]);
    }

    [Property]
    public bool Key_strings_read_back_in_every_format(PrivateKey key) =>
        PublicKey.Parse(key.PublicKey.ToString()) == key.PublicKey
        && PublicKey.Parse(key.PublicKey.ToLegacyString()) == key.PublicKey
        && PrivateKey.Parse(key.ExportWif()).PublicKey == key.PublicKey
        && PrivateKey.Parse(key.ExportPvtK1()).PublicKey == key.PublicKey;

    [Property]
    public bool A_one_character_typo_in_a_private_key_is_rejected_not_turned_into_another_key(PrivateKey key, byte position, byte shift, bool wif)
    {
        var text = wif ? key.ExportWif() : key.ExportPvtK1();
        var start = wif ? 1 : "PVT_K1_".Length; // the first WIF character only carries the version byte
        var index = start + (position % (text.Length - start));
        var replacement = Base58Alphabet[(Base58Alphabet.IndexOf(text[index], StringComparison.Ordinal) + 1 + (shift % 57)) % 58];
        var typo = string.Concat(text.AsSpan(0, index), replacement.ToString(), text.AsSpan(index + 1));

        return !PrivateKey.TryParse(typo, out _, out var error) && !error.Contains(typo[start..], StringComparison.Ordinal);
    }

    [Property]
    public bool A_one_character_typo_in_a_public_key_is_rejected(PrivateKey key, byte position, byte shift, bool legacy)
    {
        var text = legacy ? key.PublicKey.ToLegacyString() : key.PublicKey.ToString();
        var start = legacy ? "EOS".Length : "PUB_K1_".Length;
        var index = start + (position % (text.Length - start));
        var replacement = Base58Alphabet[(Base58Alphabet.IndexOf(text[index], StringComparison.Ordinal) + 1 + (shift % 57)) % 58];
        var typo = string.Concat(text.AsSpan(0, index), replacement.ToString(), text.AsSpan(index + 1));

        return !PublicKey.TryParse(typo, out _, out _);
    }
}
