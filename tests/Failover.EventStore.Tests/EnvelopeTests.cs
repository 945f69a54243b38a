using System.Text.Json.Serialization;

namespace Failover.EventStore.Tests;

public sealed record BlockProduced(string Producer, long BlockNum);

public sealed record BlockMissed(string Producer, long Slot);

[JsonSerializable(typeof(BlockProduced))]
[JsonSerializable(typeof(BlockMissed))]
internal sealed partial class EnvelopeJsonContext : JsonSerializerContext;

public sealed class EnvelopeTests
{
    private static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register("block-produced.v1", EnvelopeJsonContext.Default.BlockProduced)
        .Register("block-missed.v1", EnvelopeJsonContext.Default.BlockMissed);

    [Fact]
    public void An_event_is_stored_under_its_stable_name_not_its_clr_name_and_reads_back_as_its_type()
    {
        var registry = Registry();
        var data = registry.ToEventData(Guid.NewGuid(), new BlockProduced("eosnationftw", 42));
        var recorded = new RecordedEvent(1, "s", 0, data.EventId, data.Type, DateTimeOffset.UnixEpoch, data.Metadata, data.Payload, new byte[32]);

        Assert.Equal("block-produced.v1", data.Type);
        Assert.Equal("{\"Producer\":\"eosnationftw\",\"BlockNum\":42}", System.Text.Encoding.UTF8.GetString(data.Payload.Span));
        Assert.Equal(new BlockProduced("eosnationftw", 42), registry.Deserialize(recorded));
        Assert.Equal(typeof(BlockMissed), registry.ClrTypeOf("block-missed.v1"));
    }

    [Fact]
    public void Registering_a_name_or_a_type_twice_is_rejected()
    {
        var byName = Assert.Throws<ArgumentException>(() => Registry().Register("block-produced.v1", EnvelopeJsonContext.Default.String));
        var byType = Assert.Throws<ArgumentException>(() => Registry().Register("block-produced.v2", EnvelopeJsonContext.Default.BlockProduced));

        Assert.Contains("already registered", byName.Message);
        Assert.Contains("block-produced.v1", byType.Message);
    }

    [Fact]
    public void Unregistered_types_and_names_are_reported_clearly()
    {
        var unknown = new RecordedEvent(7, "s", 0, Guid.NewGuid(), "block-forked.v1", DateTimeOffset.UnixEpoch, EventMetadata.None, "{}"u8.ToArray(), new byte[32]);

        Assert.Contains("'block-forked.v1'", Assert.Throws<KeyNotFoundException>(() => Registry().Deserialize(unknown)).Message);
        Assert.Contains("not registered", Assert.Throws<KeyNotFoundException>(() => Registry().ToEventData(Guid.NewGuid(), "text")).Message);
    }

    [Theory]
    [InlineData("block-produced.v1", true)]
    [InlineData("failover-triggered.v12", true)]
    [InlineData("BlockProduced", false)]
    [InlineData("block-produced", false)]
    [InlineData("block_produced.v1", false)]
    [InlineData("block-produced.v0", false)]
    [InlineData("", false)]
    public void Type_names_are_lower_case_kebab_words_with_a_version(string name, bool valid)
    {
        Assert.Equal(valid, EventTypeName.IsValid(name));
    }

    [Fact]
    public void Event_data_rejects_an_empty_id_and_an_invalid_type_name()
    {
        Assert.Throws<ArgumentException>(() => new EventData(Guid.Empty, "x-happened.v1", "{}"u8.ToArray()));
        Assert.Contains("block-produced.v1", Assert.Throws<ArgumentException>(() => new EventData(Guid.NewGuid(), "Thing", "{}"u8.ToArray())).Message);
    }

    [Theory]
    [InlineData(null, true, false, false)]
    [InlineData(0L, false, true, false)]
    [InlineData(3L, false, true, true)]
    public void Expected_version_rules_match_the_streams_state(long? current, bool noStream, bool streamExists, bool exact3)
    {
        Assert.True(ExpectedVersion.Any.IsSatisfiedBy(current));
        Assert.Equal(noStream, ExpectedVersion.NoStream.IsSatisfiedBy(current));
        Assert.Equal(streamExists, ExpectedVersion.StreamExists.IsSatisfiedBy(current));
        Assert.Equal(exact3, ExpectedVersion.Exact(3).IsSatisfiedBy(current));
    }

    [Fact]
    public void A_negative_exact_version_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedVersion.Exact(-1));
    }
}
