using System.Globalization;
using System.Text.Json;
using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Tests;

/// <summary>
/// protocol.md's own computed vectors (serialization_vectors.json): an independent Python implementation cross-checked
/// against wharfkit, nodeos documentation and three real block ids. Its signatures use another nonce scheme, so they are
/// checked by recovery only.
/// </summary>
public class SerializationVectorTests
{
    private static JsonElement Root => VectorFile.Load("serialization_vectors.json");

    public static TheoryData<int> Transactions => VectorFile.Indexes("serialization_vectors.json", "transactions");

    [Fact]
    public void The_dev_key_and_the_wharfkit_key_give_their_published_strings_and_bytes()
    {
        var keys = Root.GetProperty("keys");
        foreach (var vector in new[] { keys, keys.GetProperty("wharfkit_vector") })
        {
            var key = PrivateKey.Parse(vector.Text("wif"));
            Assert.Equal(vector.Text("pvt_k1"), key.ExportPvtK1());
            Assert.Equal(vector.Text("pub_hex"), Hex.Encode(key.PublicKey.Compressed.Span));
            Assert.Equal(vector.Text("pub_k1"), key.PublicKey.ToString());
            Assert.Equal(vector.Text("pub_legacy"), key.PublicKey.ToLegacyString());
        }

        Assert.Equal(keys.Text("pub_packed_hex"), Packed(w => w.WritePublicKey(PublicKey.Parse(keys.Text("pub_k1")))));
        var empty = keys.GetProperty("empty_key_after_unregprod");
        Assert.Equal(empty.Text("packed_hex"), Packed(w => w.WritePublicKey(PublicKey.Parse(empty.Text("pub_k1")))));
    }

    [Fact]
    public void Every_name_vector_has_its_published_value_and_the_invalid_one_is_rejected()
    {
        foreach (var property in Root.GetProperty("names").EnumerateObject())
        {
            var name = Name.Parse(property.Name);
            Assert.Equal(ulong.Parse(property.Value.Text("u64"), CultureInfo.InvariantCulture), name.Value);
            Assert.Equal(property.Value.Text("le_hex"), Packed(w => w.WriteName(name)));
        }

        Assert.All(Root.GetProperty("invalid_names").EnumerateObject(), p => Assert.False(Name.TryParse(p.Name, out _, out _)));
    }

    [Fact]
    public void Every_varuint32_vector_encodes_and_decodes_as_published()
    {
        foreach (var property in Root.GetProperty("varuint32").EnumerateObject())
        {
            var value = uint.Parse(property.Name, CultureInfo.InvariantCulture);
            var hex = property.Value.GetString()!;
            Assert.Equal(hex, Packed(w => w.WriteVarUInt32(value)));
            Assert.Equal(value, new AbiReader(Hex.Decode(hex)).ReadVarUInt32());
        }
    }

    [Fact]
    public void The_ref_block_and_block_timestamp_vectors_hold()
    {
        var refBlock = Root.GetProperty("ref_block");
        foreach (var vector in new[] { refBlock, refBlock.GetProperty("docs_example") })
        {
            var id = Checksum256.Parse(vector.Text("block_id"));
            Assert.Equal(vector.GetProperty("block_num").GetUInt32(), BlockId.BlockNum(id));
            Assert.Equal(vector.GetProperty("ref_block_num").GetUInt16(), BlockId.RefBlockNum(id));
            Assert.Equal(vector.GetProperty("ref_block_prefix").GetUInt32(), BlockId.RefBlockPrefix(id));
        }

        foreach (var property in Root.GetProperty("block_timestamps").EnumerateObject())
        {
            var time = DateTimeOffset.Parse(property.Name + "Z", CultureInfo.InvariantCulture);
            var slot = property.Value.GetProperty("slot").GetUInt32();
            Assert.Equal(slot, BlockTimestamp.ToSlot(time));
            Assert.Equal(property.Value.Text("back_to_iso"), BlockTimestamp.Format(BlockTimestamp.FromSlot(slot)));
        }
    }

    [Theory]
    [MemberData(nameof(Transactions))]
    public void A_published_transaction_repacks_identically_and_its_signature_recovers_to_the_dev_key(int index)
    {
        var vector = VectorFile.Item("serialization_vectors.json", "transactions", index);
        var packed = Hex.Decode(vector.Text("packed_trx_hex"));
        var chainId = Checksum256.Parse(vector.Text("chain_id"));

        var transaction = Transaction.Unpack(packed);

        Assert.Equal(vector.Text("packed_trx_hex"), Hex.Encode(transaction.Pack()));
        Assert.Equal(vector.Text("transaction_id"), transaction.Id.ToString());
        Assert.Equal(vector.Text("signing_digest"), transaction.SigningDigest(chainId).ToString());
        Assert.Equal(vector.Text("signing_digest"), Checksum256.Hash(Hex.Decode(vector.Text("signing_digest_preimage_hex"))).ToString());
        var body = vector.GetProperty("push_transaction_body");
        var signers = TransactionSigner.RecoverSigners(
            new PackedTransaction([vector.Text("signature")], 0, body.Text("packed_context_free_data"), body.Text("packed_trx")), chainId);
        Assert.Equal([PublicKey.Parse(Root.GetProperty("keys").Text("pub_k1"))], signers);
        Assert.Equal(vector.Text("signature_raw_hex"), Hex.Encode(Signature.Parse(vector.Text("signature")).Bytes.Span));
    }

    [Theory]
    [MemberData(nameof(Transactions))]
    public void The_system_actions_of_a_published_transaction_decode_to_their_json_and_encode_back(int index)
    {
        var vector = VectorFile.Item("serialization_vectors.json", "transactions", index);
        var transaction = Transaction.Unpack(Hex.Decode(vector.Text("packed_trx_hex")));
        var json = vector.GetProperty("transaction_json").GetProperty("actions");

        for (var i = 0; i < transaction.Actions.Count; i++)
        {
            var action = transaction.Actions[i];
            Assert.Equal(json[i].Text("hex_data"), Hex.Encode(action.Data));
            var decoded = SystemActions.Decode(action.Name, action.Data);
            Assert.Equal(action.Data, decoded.Encode());
            if (decoded is UpdateAuth update)
            {
                var auth = json[i].GetProperty("data").GetProperty("auth");
                Assert.Equal(json[i].GetProperty("data").Text("permission"), update.Permission.ToString());
                Assert.Equal(json[i].GetProperty("data").Text("parent"), update.Parent.ToString());
                Assert.Equal(auth.GetProperty("threshold").GetUInt32(), update.Threshold);
                Assert.Equal([PublicKey.Parse(auth.GetProperty("keys")[0].Text("key"))], update.Keys.Select(k => k.Key));
                continue;
            }

            if (decoded is LinkAuth link)
            {
                var linked = json[i].GetProperty("data");
                Assert.Equal((linked.Text("account"), linked.Text("code"), linked.Text("type"), linked.Text("requirement")),
                    (link.Account.ToString(), link.Code.ToString(), link.Type.ToString(), link.Requirement.ToString()));
                continue;
            }

            if (json[i].Text("name") is not ("regproducer" or "regproducer2" or "unregprod"))
            {
                continue;
            }

            var data = json[i].GetProperty("data");
            Assert.Equal(data.Text("producer"), decoded switch
            {
                RegProducer r => r.Producer.ToString(),
                RegProducer2 r => r.Producer.ToString(),
                UnregProd r => r.Producer.ToString(),
                _ => null,
            });
            if (decoded is RegProducer regProducer)
            {
                Assert.Equal(PublicKey.Parse(data.Text("producer_key")), regProducer.ProducerKey);
                Assert.Equal(data.Text("url"), regProducer.Url);
                Assert.Equal(data.GetProperty("location").GetUInt16(), regProducer.Location);
            }

            Assert.Equal(action.Data, decoded.Encode());
        }
    }

    /// <summary>issue 18.5: the dedicated permission's actions encode as the published updateauth + linkauth vector.</summary>
    [Fact]
    public void The_dedicated_permission_s_actions_encode_as_the_published_updateauth_and_linkauth()
    {
        var vector = VectorFile.Items("serialization_vectors.json", "transactions").Single(v => v.Text("label").StartsWith("eosio::updateauth", StringComparison.Ordinal));
        var json = vector.GetProperty("transaction_json").GetProperty("actions");
        var key = PublicKey.Parse(json[0].GetProperty("data").GetProperty("auth").GetProperty("keys")[0].Text("key"));

        var actions = SystemActions.DedicatedPermission(Name.Parse("myproducer11"), Name.Parse("regprod"), key);

        Assert.Equal(["updateauth", "linkauth", "linkauth", "linkauth"], actions.Select(a => a.Name.ToString()));
        Assert.All(actions, a => Assert.Equal("myproducer11@active", $"{a.Authorization.Single().Actor}@{a.Authorization.Single().Permission}"));
        Assert.Equal(json[0].Text("hex_data"), Hex.Encode(actions[0].Data));
        Assert.Equal(json[1].Text("hex_data"), Hex.Encode(actions[1].Data));
        Assert.Equal(["regproducer", "regproducer2", "actfinkey"], actions.Skip(1).Select(a => ((LinkAuth)SystemActions.Decode(a.Name, a.Data)).Type.ToString()));
    }

    [Fact]
    public void The_wharfkit_transfer_transaction_has_its_published_id()
    {
        var vector = Root.GetProperty("wharfkit_crosscheck");

        var transaction = Transaction.Unpack(Hex.Decode(vector.Text("packed_trx_hex")));

        Assert.Equal(vector.Text("expected_id"), transaction.Id.ToString());
        Assert.Equal(DateTimeOffset.UnixEpoch, transaction.Expiration);
    }

    [Fact]
    public void Real_block_ids_follow_from_their_header_digest_and_the_savanna_producer_signature_recovers_over_the_id()
    {
        foreach (var vector in Root.GetProperty("block_header_vectors").EnumerateArray())
        {
            var digest = Checksum256.Hash(Hex.Decode(vector.Text("packed_header_hex")));
            var expected = Checksum256.Parse(vector.Text("block_id"));

            Assert.Equal(vector.Text("sha256_of_packed_header"), digest.ToString());
            Assert.Equal(expected, BlockId.FromDigest(digest, BlockId.BlockNum(expected)));
            if (vector.TryGetProperty("recovered_signer", out var signer))
            {
                var signature = Signature.Parse(vector.GetProperty("header_json").Text("producer_signature"));
                Assert.Equal(signer.GetString(), signature.RecoverPublicKey(expected.AsSpan()).ToLegacyString());
            }
        }
    }

    private static string Packed(Action<AbiWriter> write)
    {
        var writer = new AbiWriter();
        write(writer);
        return Hex.Encode(writer.ToArray());
    }
}
