using System.Text;

namespace Failover.EventStore.Tests;

/// <summary>
/// The canonical encoding and hash chain against vectors computed by an independent implementation of
/// docs/eventstore.md (vectors/canonical_event_vectors.py), so the documentation and the code cannot drift apart.
/// </summary>
public sealed class CanonicalEventTests
{
    private static readonly DateTimeOffset RecordedAt = new(2026, 1, 2, 3, 4, 5, 123, 456, TimeSpan.Zero);

    private static readonly RecordedEvent First = new(1, "producer-été", 0, Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"),
        "block-produced.v1", RecordedAt, new EventMetadata(Guid.Parse("11111111-2222-3333-4444-555555555555"), null, "observer-eu-1"),
        Encoding.UTF8.GetBytes("{\"block_num\":42}"), ReadOnlyMemory<byte>.Empty);

    private static readonly RecordedEvent Second = new(2, "producer-été", 1, Guid.Parse("fedcba98-7654-3210-fedc-ba9876543210"),
        "block-missed.v1", RecordedAt.AddMilliseconds(500), new EventMetadata(null, Guid.Parse("66666666-7777-8888-9999-aaaaaaaaaaaa")),
        "{}"u8.ToArray(), ReadOnlyMemory<byte>.Empty);

    [Fact]
    public void The_canonical_bytes_follow_the_documented_format_1()
    {
        Assert.Equal(
            "0100000000000000010000000e70726f64756365722dc3a974c3a900000000000000000123456789abcdef0123456789abcdef00000011626c6f636b2d70726f64756365642e76310006475ef64ed580011111111122223333444455555555555500010000000d6f627365727665722d65752d31000000107b22626c6f636b5f6e756d223a34327d",
            Convert.ToHexStringLower(CanonicalEvent.Encode(First)));
    }

    [Fact]
    public void The_chain_starts_from_32_zero_bytes_and_links_each_hash_to_the_previous_one()
    {
        var first = CanonicalEvent.ComputeHash(new byte[32], First);
        var second = CanonicalEvent.ComputeHash(first, Second);

        Assert.Equal("1efaeaa014f414c61c1c2d555133d5286d7fc046f59327c7424e9f7ca7ef1096", Convert.ToHexStringLower(first));
        Assert.Equal("57484b275e39d3bf3fbab2e0ea235a5ebdc841c2a1fb16a28626d5f7d9b4af5e", Convert.ToHexStringLower(second));
    }

    [Fact]
    public void Recorded_at_is_hashed_in_whole_microseconds()
    {
        var withNanoseconds = First with { RecordedAt = RecordedAt.AddTicks(7) };

        Assert.Equal(CanonicalEvent.Encode(First), CanonicalEvent.Encode(withNanoseconds));
    }

    [Fact]
    public void Every_envelope_field_changes_the_hash()
    {
        var original = Convert.ToHexStringLower(CanonicalEvent.ComputeHash(new byte[32], First));
        RecordedEvent[] variants =
        [
            First with { Position = 2 }, First with { Stream = "producer-ete" }, First with { Version = 1 },
            First with { EventId = Guid.Parse("01234567-89ab-cdef-0123-456789abcdee") }, First with { Type = "block-produced.v2" },
            First with { RecordedAt = RecordedAt.AddTicks(10) }, First with { Metadata = First.Metadata with { CausationId = null } },
            First with { Metadata = First.Metadata with { CorrelationId = Guid.Empty } }, First with { Metadata = First.Metadata with { ObserverId = "observer-eu-2" } },
            First with { Payload = Encoding.UTF8.GetBytes("{\"block_num\":43}") },
        ];

        Assert.All(variants, v => Assert.NotEqual(original, Convert.ToHexStringLower(CanonicalEvent.ComputeHash(new byte[32], v))));
    }

    [Fact]
    public void A_previous_hash_of_the_wrong_length_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => CanonicalEvent.ComputeHash(new byte[31], First));

        Assert.Contains("32 bytes", error.Message);
    }
}
