namespace Failover.Antelope.Tests;

public class KeyTests
{
    public static TheoryData<int> KeyIndexes => [.. Enumerable.Range(1, 12)];

    public static TheoryData<int> CorruptedKeys => VectorFile.Indexes("keys.json", "corrupted");

    [Theory]
    [MemberData(nameof(KeyIndexes))]
    public void A_wif_key_yields_the_reference_public_keys_in_both_forms(int index)
    {
        var vector = VectorFile.Key(index);
        var key = PrivateKey.Parse(vector.Text("wif"));

        Assert.Equal(vector.Text("public_legacy"), key.PublicKey.ToLegacyString());
        Assert.Equal(vector.Text("pub_k1"), key.PublicKey.ToString());
        Assert.Equal(vector.Text("public_key_compressed_hex"), Hex.Encode(key.PublicKey.Compressed.Span));
    }

    [Theory]
    [MemberData(nameof(KeyIndexes))]
    public void A_private_key_exports_to_the_reference_wif_and_pvt_k1_strings(int index)
    {
        var vector = VectorFile.Key(index);
        var fromSecret = PrivateKey.FromSecret(Hex.Decode(vector.Text("private_key_hex")));
        var fromPvtK1 = PrivateKey.Parse(vector.Text("pvt_k1"));

        Assert.Equal(vector.Text("wif"), fromSecret.ExportWif());
        Assert.Equal(vector.Text("pvt_k1"), fromSecret.ExportPvtK1());
        Assert.Equal(vector.Text("wif"), fromPvtK1.ExportWif());
        Assert.Equal(fromSecret.PublicKey, fromPvtK1.PublicKey);
    }

    [Theory]
    [MemberData(nameof(KeyIndexes))]
    public void Legacy_and_pub_k1_strings_of_a_key_parse_to_the_same_key(int index)
    {
        var vector = VectorFile.Key(index);
        var legacy = PublicKey.Parse(vector.Text("public_legacy"));
        var k1 = PublicKey.Parse(vector.Text("pub_k1"));

        Assert.Equal(legacy, k1);
        Assert.Equal(vector.Text("public_key_compressed_hex"), Hex.Encode(k1.Compressed.Span));
        Assert.Equal(vector.Text("pub_k1"), legacy.ToString());
        Assert.Equal(vector.Text("public_legacy"), k1.ToLegacyString());
    }

    [Theory]
    [MemberData(nameof(CorruptedKeys))]
    public void Every_corrupted_key_string_is_rejected_with_a_specific_message_that_does_not_echo_it(int index)
    {
        var vector = VectorFile.Item("keys.json", "corrupted", index);
        var text = vector.Text("string");
        var isPrivate = vector.Text("format") is "wif" or "pvt_k1";

        var error = isPrivate
            ? Assert.Throws<FormatException>(() => PrivateKey.Parse(text)).Message
            : Assert.Throws<FormatException>(() => PublicKey.Parse(text)).Message;

        var expected = vector.Text("kind") switch
        {
            "bad_checksum" or "extra_single_char_typo" => "bad checksum",
            "wrong_prefix" => "bad prefix",
            "wrong_length" => "wrong length",
            var kind => throw new InvalidOperationException($"unknown corruption kind {kind}"),
        };
        Assert.Contains(expected, error);
        KeyAssert.DoesNotEcho(text, error);
    }

    [Fact]
    public void A_wif_with_a_single_sha256_checksum_is_accepted_as_nodeos_accepts_it()
    {
        var vector = VectorFile.Key(3);
        byte[] payload = [0x80, .. Hex.Decode(vector.Text("private_key_hex"))];
        byte[] checksum = System.Security.Cryptography.SHA256.HashData(payload)[..4];
        var wif = Keys.Base58.Encode([.. payload, .. checksum]);

        Assert.Equal(vector.Text("pub_k1"), PrivateKey.Parse(wif).PublicKey.ToString());
    }

    [Theory]
    [InlineData("PUB_R1_6FPFZqw5ahYrR9jD96yDbbDNTdKtNqRbze6oTDLntrsANgQKZu", "only K1 keys")]
    [InlineData("", "empty")]
    [InlineData("EOS0OIl", "not valid base58")]
    public void An_unusable_public_key_string_is_rejected_with_its_reason(string text, string expected)
    {
        Assert.False(PublicKey.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void A_private_key_never_shows_its_secret_in_ToString()
    {
        var vector = VectorFile.Key(1);
        var key = PrivateKey.Parse(vector.Text("wif"));

        var shown = key.ToString();

        Assert.Contains(vector.Text("pub_k1"), shown);
        KeyAssert.DoesNotEcho(vector.Text("wif"), shown);
        KeyAssert.DoesNotEcho(vector.Text("pvt_k1"), shown);
        Assert.DoesNotContain(vector.Text("private_key_hex"), shown, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_zero_key_has_its_well_known_strings()
    {
        Assert.Equal("EOS1111111111111111111111111111111114T1Anm", PublicKey.Zero.ToLegacyString());
        Assert.Equal("PUB_K1_11111111111111111111111111111111149Mr2R", PublicKey.Zero.ToString());
        Assert.Equal(PublicKey.Zero, PublicKey.Parse("EOS1111111111111111111111111111111114T1Anm"));
    }

    [Fact]
    public void Every_published_abieos_key_vector_converts_as_published()
    {
        var vectors = VectorFile.Items("crosscheck_extra.json", "published_vectors")
            .Where(v => v.Text("what") is "legacy public key -> PUB_K1" or "WIF -> PVT_K1")
            .ToList();

        Assert.Equal(4, vectors.Count);
        Assert.All(vectors, v =>
        {
            var converted = v.Text("what") == "WIF -> PVT_K1"
                ? PrivateKey.Parse(v.Text("input")).ExportPvtK1()
                : PublicKey.Parse(v.Text("input")).ToString();
            Assert.Equal(v.Text("expected"), converted);
        });
    }
}

internal static class KeyAssert
{
    /// <summary>No 8-character piece of <paramref name="secretText"/> appears in <paramref name="shown"/>.</summary>
    public static void DoesNotEcho(string secretText, string shown)
    {
        for (var i = 0; i + 8 <= secretText.Length; i++)
        {
            Assert.DoesNotContain(secretText.Substring(i, 8), shown, StringComparison.Ordinal);
        }
    }
}
