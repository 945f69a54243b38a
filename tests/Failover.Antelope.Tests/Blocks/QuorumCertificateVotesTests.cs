using System.Text.Json;
using Failover.Antelope.Blocks;
using Failover.Antelope.Chain.Wire;

namespace Failover.Antelope.Tests.Blocks;

/// <summary>
/// The Savanna quorum certificate (block extension 3) as Spring v1.2.2's source defines it (docs/antelope.md): no
/// recorded Spring block with a certificate is at hand, so the bytes here are written by hand from that definition.
/// </summary>
public sealed class QuorumCertificateVotesTests
{
    /// <summary>Ten finalizers; 0, 3 and 9 voted: byte 0 = bits 0 and 3 (0x09), byte 1 = bit 1 (finalizer 9, 0x02).</summary>
    private static readonly byte[] TenVotesBits = [0x0A, 0x09, 0x02];

    private static readonly byte[] Signature192 = [.. Enumerable.Range(0, 192).Select(i => (byte)i)];

    /// <summary>Block 1000; active policy: strong votes of 0, 3 and 9, no weak votes, a 192-byte signature; no pending policy.</summary>
    private static byte[] StrongCertificate() =>
    [
        0xE8, 0x03, 0x00, 0x00,
        0x01, .. TenVotesBits,
        0x00,
        0xC0, 0x01, .. Signature192,
        0x00,
    ];

    [Fact]
    public void A_certificate_unpacks_to_the_finalizers_whose_bits_are_set_and_packs_back_to_the_same_bytes()
    {
        var qc = QuorumCertificateVotes.Unpack(StrongCertificate());

        Assert.Equal(1000u, qc.BlockNum);
        Assert.Equal(10, qc.Active.Strong!.Count);
        Assert.Equal([0, 3, 9], Enumerable.Range(0, 12).Where(qc.Active.Voted));
        Assert.True(qc.Active.IsStrong);
        Assert.Null(qc.Active.Weak);
        Assert.Null(qc.Pending);
        Assert.Equal(Signature192, qc.Active.Signature);
        Assert.Equal(StrongCertificate(), qc.Pack());
        Assert.Equal(3, QuorumCertificateVotes.ExtensionId);
    }

    [Fact]
    public void The_json_of_get_block_names_finalizer_0_by_its_rightmost_character()
    {
        var json = new QcExtension(new QuorumCertificate(1000, new QcPolicySignature("SIG_BLS_x", Bits("1000001001"))));

        var qc = QuorumCertificateVotes.FromJson(json);

        Assert.Equal([0, 3, 9], Enumerable.Range(0, 10).Where(qc.Active.Voted));
        Assert.Equal("1000001001", qc.Active.Strong!.ToString());
        Assert.Equal(QuorumCertificateVotes.Unpack(StrongCertificate()).Active.Strong!.ToString(), qc.Active.Strong.ToString());
    }

    [Fact]
    public void A_weak_certificate_counts_weak_and_strong_votes_and_a_pending_policy_has_its_own_bitset()
    {
        byte[] bytes =
        [
            0x07, 0x00, 0x00, 0x00,
            0x01, 0x03, 0x01, // strong: 3 finalizers, 0 voted
            0x01, 0x03, 0x04, // weak: finalizer 2 voted
            0x01, 0xAA,
            0x01,
            0x00,
            0x01, 0x02, 0x02, // pending weak: 2 finalizers, 1 voted
            0x00,
        ];

        var qc = QuorumCertificateVotes.Unpack(bytes);

        Assert.False(qc.Active.IsStrong);
        Assert.Equal([0, 2], Enumerable.Range(0, 3).Where(qc.Active.Voted));
        Assert.Equal([1], Enumerable.Range(0, 2).Where(qc.Pending!.Voted));
        Assert.Null(qc.Pending.Strong);
        Assert.Equal(bytes, qc.Pack());
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "neither bitset", [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xAA, 0x00] },
        { "a byte left over", [.. StrongCertificate(), 0x00] },
        { "a bitset longer than the bytes left", [0x01, 0x00, 0x00, 0x00, 0x01, 0xFF, 0x01] },
        { "cut short in the signature", [.. StrongCertificate()[..^10]] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_certificate_is_a_format_error(string what, byte[] bytes)
    {
        Assert.Throws<Serialization.AbiDecodeException>(() => QuorumCertificateVotes.Unpack(bytes));
        Assert.NotEmpty(what);
    }

    [Fact]
    public void Json_bitsets_of_other_characters_or_types_and_signatures_without_votes_are_format_errors()
    {
        Assert.Throws<FormatException>(() => VoteBitset.Parse("10x1"));
        Assert.Throws<FormatException>(() => QuorumCertificateVotes.FromJson(new QcExtension(new(1, new QcPolicySignature("SIG_BLS_x")))));
        Assert.Throws<FormatException>(() => QuorumCertificateVotes.FromJson(new QcExtension(new(1, new QcPolicySignature("SIG_BLS_x", JsonDocument.Parse("[1,0]").RootElement)))));
    }

    [Fact]
    public void A_finalizer_beyond_the_bitset_did_not_vote()
    {
        var bits = VoteBitset.Parse("11");

        Assert.True(bits[1]);
        Assert.False(bits[2]);
        Assert.False(bits[-1]);
        Assert.Equal(string.Empty, VoteBitset.Parse(string.Empty).ToString());
    }

    private static JsonElement Bits(string text) => JsonDocument.Parse($"\"{text}\"").RootElement;
}
