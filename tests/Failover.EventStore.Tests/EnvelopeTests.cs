namespace Failover.EventStore.Tests;

public sealed class EnvelopeTests
{
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
