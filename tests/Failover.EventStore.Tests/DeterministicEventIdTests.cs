namespace Failover.EventStore.Tests;

public sealed class DeterministicEventIdTests
{
    private static readonly Guid DnsNamespace = new("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    private static readonly Guid UrlNamespace = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    [Fact]
    public void Name_based_ids_match_the_rfc_9562_version_5_example()
    {
        // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), DeterministicEventId.NameBased(DnsNamespace, "www.example.com"u8));
    }

    [Fact]
    public void Our_namespace_is_the_version_5_id_of_its_urn_in_the_url_namespace()
    {
        Assert.Equal(DeterministicEventId.NameBased(UrlNamespace, "urn:failover:event-id"u8), DeterministicEventId.Namespace);
    }

    [Fact]
    public void Parts_are_named_as_their_nul_joined_utf8_bytes_in_our_namespace()
    {
        // Printed by Python: uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:failover:event-id"), "chain-aca376f2\0block-00000010")
        Assert.Equal(new Guid("33994d1f-71e6-5ada-8f10-f17ce9aec6b7"), DeterministicEventId.Create("chain-aca376f2", "block-00000010"));
    }

    [Fact]
    public void Every_id_carries_version_5_and_the_rfc_variant()
    {
        foreach (var name in Enumerable.Range(0, 256).Select(i => $"block-{i}"))
        {
            var bytes = DeterministicEventId.Create(name).ToByteArray(bigEndian: true);

            Assert.Equal(0x50, bytes[6] & 0xF0);
            Assert.Equal(0x80, bytes[8] & 0xC0);
        }
    }

    [Fact]
    public void The_same_parts_always_name_the_same_id_and_one_part_names_what_the_name_alone_does()
    {
        Assert.Equal(DeterministicEventId.Create("chain", "block", "10"), DeterministicEventId.Create("chain", "block", "10"));
        Assert.Equal(DeterministicEventId.Create("chain-aca376f2"), DeterministicEventId.Create(["chain-aca376f2"]));
    }

    [Fact]
    public void Parts_never_collide_by_concatenation()
    {
        Guid[] ids =
        [
            DeterministicEventId.Create("ab", "c"),
            DeterministicEventId.Create("a", "bc"),
            DeterministicEventId.Create("abc"),
            DeterministicEventId.Create("a", "b", "c"),
            DeterministicEventId.Create("abc", ""),
            DeterministicEventId.Create("", "abc"),
        ];

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void A_part_holding_the_separator_or_an_unpaired_surrogate_or_no_parts_at_all_is_rejected()
    {
        Assert.Contains("NUL", Assert.Throws<ArgumentException>(() => DeterministicEventId.Create("a\0b")).Message);
        Assert.Contains("surrogate", Assert.Throws<ArgumentException>(() => DeterministicEventId.Create("a", "\ud800")).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => DeterministicEventId.Create([])).Message);
    }
}
