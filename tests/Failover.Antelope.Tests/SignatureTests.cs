namespace Failover.Antelope.Tests;

public class SignatureTests
{
    public static TheoryData<int> Signatures => VectorFile.Indexes("signatures.json", "signatures");

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Signing_reproduces_the_eosjs_and_wharfkit_signature_byte_for_byte(int index)
    {
        var vector = VectorFile.Item("signatures.json", "signatures", index);
        var key = PrivateKey.Parse(vector.Text("private_key_wif"));

        var signature = key.SignDigest(Hex.Decode(vector.Text("digest_hex")));

        Assert.Equal(vector.Text("signature"), signature.ToString());
        Assert.Equal(vector.Text("signature_data_hex"), Hex.Encode(signature.Bytes.Span));
        Assert.True(signature.IsCanonical);
    }

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Every_reference_signature_verifies_and_recovers_to_its_key(int index)
    {
        var vector = VectorFile.Item("signatures.json", "signatures", index);
        var digest = Hex.Decode(vector.Text("digest_hex"));
        var signature = Signature.Parse(vector.Text("signature"));
        var expected = PublicKey.Parse(vector.Text("recovered_pub_k1"));

        Assert.Equal(expected, signature.RecoverPublicKey(digest));
        Assert.Equal(vector.Text("recovered_legacy"), signature.RecoverPublicKey(digest).ToLegacyString());
        Assert.True(signature.Verify(digest, expected));
        Assert.True(signature.IsCanonical);
        Assert.Equal(vector.Text("signature"), signature.ToString());
    }

    [Theory]
    [MemberData(nameof(Signatures))]
    public void A_reference_signature_does_not_verify_for_another_key_or_digest(int index)
    {
        var vector = VectorFile.Item("signatures.json", "signatures", index);
        var digest = Hex.Decode(vector.Text("digest_hex"));
        var signature = Signature.Parse(vector.Text("signature"));
        var signer = PublicKey.Parse(vector.Text("recovered_pub_k1"));
        var otherKey = PrivateKey.Parse(VectorFile.Key(vector.GetProperty("key_index").GetInt32() % 12 + 1).Text("wif")).PublicKey;
        var otherDigest = Checksum256.Hash(digest).ToArray();

        Assert.False(signature.Verify(digest, otherKey));
        Assert.False(signature.Verify(otherDigest, signer));
    }

    [Fact]
    public void The_plain_rfc6979_signature_of_a_vector_is_recognised_as_non_canonical()
    {
        var nonCanonical = VectorFile.Items("signatures.json", "signatures")
            .Select(v => v.GetProperty("rfc6979_without_extra_data"))
            .Where(v => !v.GetProperty("canonical_eosjs").GetBoolean())
            .Select(v => Signature.Parse(v.Text("signature")))
            .ToList();

        Assert.NotEmpty(nonCanonical);
        Assert.All(nonCanonical, s => Assert.False(s.IsCanonical));
    }

    [Theory]
    [InlineData("SIG_R1_KcV5jFhaqTf6iigYsVcnZAwuA73s8anjBDCYk1tkDjbfQWWzCkaPyoA8x4qxuh2P2hL9V3vZ1fCGQoBvbUFnbZmpDka2h6", "bad prefix")]
    [InlineData("SIG_K1_KcV5jFhaqTf6iigYsVcnZAwuA73s8anjBDCYk1tkDjbfQWWzCkaPyoA8x4qxuh2P2hL9V3vZ1fCGQoBvbUFnbZmpDka2h7", "bad checksum")]
    [InlineData("SIG_K1_KcV5jFhaqTf6iigYsVcnZAwuA73s8anjBDCYk1tkDjbfQWWzCkaPyoA8x4qxuh2P2hL9V3vZ1fCGQoBvbUFnbZmpDka2h", "wrong length")]
    public void A_damaged_signature_string_is_rejected_with_its_reason(string text, string expected)
    {
        Assert.False(Signature.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }
}
