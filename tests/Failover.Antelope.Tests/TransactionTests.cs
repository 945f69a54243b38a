using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Tests;

public class TransactionTests
{
    public static TheoryData<int> Vectors => TransactionVector.All;

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Building_a_vector_transaction_gives_the_reference_packed_bytes_id_and_digest(int index)
    {
        var vector = TransactionVector.At(index);

        var transaction = vector.Build();

        Assert.Equal(vector.Json.Text("action_data_hex"), Hex.Encode(transaction.Actions[0].Data));
        Assert.Equal(vector.Json.Text("packed_trx"), Hex.Encode(transaction.Pack()));
        Assert.Equal(vector.Json.Text("transaction_id"), transaction.Id.ToString());
        Assert.Equal(vector.Json.Text("signing_digest"), transaction.SigningDigest(vector.ChainId).ToString());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Signing_a_vector_transaction_reproduces_the_reference_push_body_and_recovers_the_signers(int index)
    {
        var vector = TransactionVector.At(index);

        var packed = TransactionSigner.Sign(vector.Build(), vector.ChainId, vector.Signers);

        var reference = vector.Json.GetProperty("push_transaction_body");
        Assert.Equal(reference.GetProperty("signatures").EnumerateArray().Select(s => s.GetString()), packed.Signatures);
        Assert.Equal(reference.Text("packed_trx"), packed.PackedTrx);
        Assert.Equal(string.Empty, packed.PackedContextFreeData);
        Assert.Equal(0, packed.Compression);
        Assert.Equal(vector.Signers.Select(k => k.PublicKey), TransactionSigner.RecoverSigners(packed, vector.ChainId));
        Assert.All(packed.Signatures, s => Assert.True(Signature.Parse(s).IsCanonical));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_reference_signatures_recover_to_the_required_keys_also_from_the_wharfkit_push_body(int index)
    {
        var vector = TransactionVector.At(index);
        var body = vector.Json.GetProperty("wharfkit_push_transaction_body_compression_none");
        var packed = new PackedTransaction(
            [.. body.GetProperty("signatures").EnumerateArray().Select(s => s.GetString()!)],
            body.GetProperty("compression").GetInt32(),
            body.Text("packed_context_free_data"),
            body.Text("packed_trx"));

        var signers = TransactionSigner.RecoverSigners(packed, vector.ChainId);

        var required = vector.Json.GetProperty("keys_used").GetProperty("required_keys").EnumerateArray()
            .Select(k => PublicKey.Parse(k.GetString()!));
        Assert.Equal(required, signers);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void A_vector_transaction_unpacks_to_the_transaction_that_was_packed(int index)
    {
        var vector = TransactionVector.At(index);
        var transaction = vector.Build();

        var unpacked = Transaction.Unpack(Hex.Decode(vector.Json.Text("packed_trx")));

        Assert.Equal(transaction, unpacked);
        Assert.Equal(vector.Expiration, unpacked.Expiration);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_action_data_decodes_to_the_system_action_it_was_built_from(int index)
    {
        var vector = TransactionVector.At(index);
        var (expected, _) = vector.Actions[0];
        var action = vector.Build().Actions[0];

        var decoded = SystemActions.Decode(action.Name, action.Data);

        Assert.Equal(expected, decoded);
        Assert.Equal(vector.Json.GetProperty("transaction").GetProperty("actions")[0].Text("name"), decoded.ActionName.ToString());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Each_action_field_encodes_to_its_reference_layout(int index)
    {
        var vector = TransactionVector.At(index);
        var (action, _) = vector.Actions[0];

        var fields = vector.Json.GetProperty("action_data_field_layout").EnumerateArray().ToList();

        Assert.Equal(fields.Select(f => f.Text("hex")), FieldHex(action));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decoding_action_data_with_a_trailing_byte_is_rejected(int index)
    {
        var action = TransactionVector.At(index).Build().Actions[0];

        var error = Assert.Throws<AbiDecodeException>(() => SystemActions.Decode(action.Name, [.. action.Data, 0]));

        Assert.Contains("trailing", error.Message);
        Assert.Equal(action.Data.Length, error.Offset);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decoding_truncated_action_data_is_rejected_with_the_offset(int index)
    {
        var action = TransactionVector.At(index).Build().Actions[0];

        var error = Assert.Throws<AbiDecodeException>(() => SystemActions.Decode(action.Name, action.Data.AsSpan(0, action.Data.Length - 1)));

        Assert.Contains("At byte", error.Message);
    }

    [Fact]
    public void A_packed_transaction_with_trailing_bytes_is_rejected()
    {
        var packed = Hex.Decode(TransactionVector.At(0).Json.Text("packed_trx"));

        var error = Assert.Throws<AbiDecodeException>(() => Transaction.Unpack([.. packed, 1, 2]));

        Assert.Contains("2 unexpected trailing bytes", error.Message);
    }

    [Fact]
    public void The_published_abieos_transaction_packs_as_published()
    {
        var vector = VectorFile.Items("crosscheck_extra.json", "published_vectors")
            .Single(v => v.Text("what") == "transaction JSON -> packed hex");
        var input = vector.GetProperty("input");
        var action = input.GetProperty("actions")[0];
        var authorization = action.GetProperty("authorization")[0];
        var transaction = new Transaction(
            DateTimeOffset.Parse(input.Text("expiration") + "Z", System.Globalization.CultureInfo.InvariantCulture),
            input.GetProperty("ref_block_num").GetUInt16(),
            input.GetProperty("ref_block_prefix").GetUInt32(),
            0, 0, 0, [],
            [new ChainAction(
                Name.Parse(action.Text("account")),
                Name.Parse(action.Text("name")),
                [new PermissionLevel(Name.Parse(authorization.Text("actor")), Name.Parse(authorization.Text("permission")))],
                Hex.Decode(action.Text("data")))],
            []);

        Assert.Equal(vector.Text("expected"), Hex.Encode(transaction.Pack()));
    }

    [Fact]
    public void Decoding_an_unknown_action_or_a_bad_authority_variant_is_rejected()
    {
        Assert.Throws<AbiDecodeException>(() => SystemActions.Decode(Name.Parse("transfer"), []));

        var regproducer2 = TransactionVector.At(3).Build().Actions[0];
        byte[] badVariant = [.. regproducer2.Data];
        badVariant[8] = 1;
        var error = Assert.Throws<AbiDecodeException>(() => SystemActions.Decode(regproducer2.Name, badVariant));
        Assert.Contains("variant index 1", error.Message);
    }

    private static IEnumerable<string> FieldHex(ISystemAction action)
    {
        static string Hexed(Action<AbiWriter> write)
        {
            var writer = new AbiWriter();
            write(writer);
            return Hex.Encode(writer.ToArray());
        }

        return action switch
        {
            RegProducer a =>
            [
                Hexed(w => w.WriteName(a.Producer)), Hexed(w => w.WritePublicKey(a.ProducerKey)),
                Hexed(w => w.WriteString(a.Url)), Hexed(w => w.WriteUInt16(a.Location)),
            ],
            RegProducer2 a =>
            [
                Hexed(w => w.WriteName(a.Producer)), Hexed(a.ProducerAuthority.WriteTo),
                Hexed(w => w.WriteString(a.Url)), Hexed(w => w.WriteUInt16(a.Location)),
            ],
            ActFinKey a => [Hexed(w => w.WriteName(a.FinalizerName)), Hexed(w => w.WriteString(a.FinalizerKey))],
            _ => throw new InvalidOperationException("no layout for this action"),
        };
    }
}
