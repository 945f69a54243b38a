namespace Failover.Antelope.Tests;

public class NameTests
{
    public static TheoryData<int> ValidNames => VectorFile.Indexes("names.json", "valid");

    public static TheoryData<int> InvalidNames => VectorFile.Indexes("names.json", "invalid");

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Every_valid_vector_name_encodes_to_its_reference_value_and_reads_back(int index)
    {
        var vector = VectorFile.Item("names.json", "valid", index);
        var name = Name.Parse(vector.Text("name"));

        Assert.Equal(ulong.Parse(vector.Text("uint64")), name.Value);
        Assert.Equal(vector.Text("serialized_le_hex"), Hex.Encode(BitConverter.GetBytes(name.Value)));
        Assert.Equal(vector.Text("roundtrip"), name.ToString());
        Assert.Equal(name, Name.FromValue(name.Value));
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Every_invalid_vector_name_is_rejected_rather_than_truncated(int index)
    {
        var text = VectorFile.Item("names.json", "invalid", index).Text("name");

        Assert.False(Name.TryParse(text, out _, out var error));
        var exception = Assert.Throws<FormatException>(() => Name.Parse(text));
        Assert.Equal(error, exception.Message);
    }

    [Theory]
    [InlineData("EOSIO", "lower case")]
    [InlineData("account6", "'6' at position 8")]
    [InlineData("zzzzzzzzzzzzz", "13th character must be one of . 1-5 a-j")]
    [InlineData("aaaaaaaaaaaaaa", "14 characters long")]
    [InlineData("eosio.", "not normalised")]
    [InlineData("..ab.cd.ef..", "not normalised")]
    [InlineData("a b", "' ' at position 2")]
    public void An_invalid_name_is_rejected_with_a_message_that_says_what_is_wrong(string text, string expected)
    {
        Assert.False(Name.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Every_published_abieos_name_vector_serializes_as_published()
    {
        var vectors = VectorFile.Items("crosscheck_extra.json", "published_vectors")
            .Where(v => v.Text("what") == "name -> serialized hex")
            .ToList();

        Assert.NotEmpty(vectors);
        Assert.All(vectors, v =>
            Assert.Equal(v.Text("expected"), Hex.Encode(BitConverter.GetBytes(Name.Parse(v.Text("input")).Value))));
    }

    [Fact]
    public void The_empty_name_is_zero()
    {
        Assert.Equal(0UL, Name.Parse(string.Empty).Value);
        Assert.Equal(string.Empty, Name.FromValue(0).ToString());
    }

    [Fact]
    public void Names_order_by_their_numeric_value()
    {
        var names = new[] { "zeta", "alpha", "eosio", "a.b", "a" }.Select(Name.Parse).Order().Select(n => n.ToString());

        Assert.Equal(["a", "a.b", "alpha", "eosio", "zeta"], names);
    }
}
