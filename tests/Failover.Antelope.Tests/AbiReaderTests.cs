using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Tests;

public class AbiReaderTests
{
    [Theory]
    [InlineData("8080808080", "varuint32 is longer than 5 bytes", 0)]
    [InlineData("ffffffff1f", "larger than 2^32 - 1", 0)]
    [InlineData("80", "expected varuint32", 1)]
    public void A_malformed_varuint32_is_rejected_with_its_offset(string hex, string expected, int offset)
    {
        var error = Assert.Throws<AbiDecodeException>(() => new AbiReader(Hex.Decode(hex)).ReadVarUInt32());

        Assert.Contains(expected, error.Message);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void A_bool_other_than_0_or_1_is_rejected() =>
        Assert.Contains("expected a bool", Assert.Throws<AbiDecodeException>(() => new AbiReader(new byte[] { 2 }).ReadBool()).Message);

    [Fact]
    public void A_string_that_is_not_utf8_is_rejected() =>
        Assert.Contains("not valid UTF-8", Assert.Throws<AbiDecodeException>(() => new AbiReader(Hex.Decode("02c328")).ReadString()).Message);

    [Fact]
    public void A_length_past_the_end_is_rejected_before_allocating() =>
        Assert.Contains("runs past the end", Assert.Throws<AbiDecodeException>(() => new AbiReader(Hex.Decode("ffffffff0f00")).ReadBytes()).Message);

    [Fact]
    public void A_vector_count_that_cannot_fit_is_rejected_before_allocating() =>
        Assert.Contains("cannot fit", Assert.Throws<AbiDecodeException>(() => new AbiReader(Hex.Decode("ffffffff0f")).ReadVector(r => r.ReadUInt8())).Message);

    [Theory]
    [InlineData("01", "public key type 1 is not supported")]
    [InlineData("0004" + "0000000000000000000000000000000000000000000000000000000000000001", "public key is invalid")]
    [InlineData("0002", "expected a 33-byte public key")]
    public void An_unusable_public_key_is_rejected(string hex, string expected) =>
        Assert.Contains(expected, Assert.Throws<AbiDecodeException>(() => new AbiReader(Hex.Decode(hex)).ReadPublicKey()).Message);

    [Fact]
    public void A_signature_with_an_impossible_recovery_byte_is_rejected()
    {
        byte[] data = [0, 26, .. new byte[64]];

        Assert.Contains("recovery byte 26", Assert.Throws<AbiDecodeException>(() => new AbiReader(data).ReadSignature()).Message);
    }

    [Property]
    public Property Random_bytes_never_crash_the_transaction_or_action_decoders() =>
        Prop.ForAll(AntelopeArbitraries.BytesGen.ToArbitrary(), bytes =>
        {
            foreach (var decode in new Action[]
            {
                () => Transaction.Unpack(bytes),
                () => SystemActions.Decode(Name.Parse("regproducer"), bytes),
                () => SystemActions.Decode(Name.Parse("regproducer2"), bytes),
                () => SystemActions.Decode(Name.Parse("actfinkey"), bytes),
                () => SystemActions.Decode(Name.Parse("unregprod"), bytes),
            })
            {
                try
                {
                    decode();
                }
                catch (AbiDecodeException)
                {
                    // Malformed input must surface as this exception and nothing else.
                }
            }
        });

    [Property]
    public void A_damaged_reference_transaction_either_decodes_or_fails_with_a_decode_error(byte vector, ushort position, byte value, bool truncate)
    {
        var packed = Hex.Decode(TransactionVector.At(vector % 6).Json.Text("packed_trx"));
        var index = position % packed.Length;
        byte[] damaged = truncate ? packed[..index] : [.. packed[..index], value, .. packed[(index + 1)..]];

        try
        {
            var transaction = Transaction.Unpack(damaged);
            foreach (var action in transaction.Actions)
            {
                SystemActions.Decode(action.Name, action.Data);
            }
        }
        catch (AbiDecodeException)
        {
            // Malformed input must surface as this exception and nothing else.
        }
    }
}
