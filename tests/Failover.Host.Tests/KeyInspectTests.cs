using Failover.Testing;

namespace Failover.Host.Tests;

public sealed class KeyInspectTests : IDisposable
{
    private readonly KeyFileDirectory _files = new();

    public static TheoryData<int> KeyIndexes => [.. Enumerable.Range(1, 12)];

    public static TheoryData<int> CorruptedPrivateKeys => new(
        ReferenceVectors.Indexes("keys.json", "corrupted")
            .Where(i => ReferenceVectors.Item("keys.json", "corrupted", i).Text("format") is "wif" or "pvt_k1"));

    [Theory]
    [MemberData(nameof(KeyIndexes))]
    public async Task Inspecting_a_wif_key_file_prints_exactly_both_public_key_forms(int index)
    {
        var vector = ReferenceVectors.Key(index);
        var path = _files.Write(vector.Text("wif") + "\n");

        var result = await CliRunner.RunAsync("key", "inspect", "--key-file", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            $"{{\"public_key_legacy\":\"{vector.Text("public_legacy")}\",\"public_key\":\"{vector.Text("pub_k1")}\"}}",
            result.Out.TrimEnd('\n'));
        Assert.DoesNotContain(vector.Text("wif"), result.Out + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KeyIndexes))]
    public async Task Inspecting_a_pvt_k1_key_from_stdin_prints_both_public_key_forms(int index)
    {
        var vector = ReferenceVectors.Key(index);

        var result = await CliRunner.RunWithInputAsync("  " + vector.Text("pvt_k1") + "\r\n", "key", "inspect");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            $"{{\"public_key_legacy\":\"{vector.Text("public_legacy")}\",\"public_key\":\"{vector.Text("pub_k1")}\"}}",
            result.Out.TrimEnd('\n'));
    }

    [Theory]
    [MemberData(nameof(CorruptedPrivateKeys))]
    public async Task A_corrupted_key_exits_with_the_usage_code_and_says_what_is_wrong_without_echoing_it(int index)
    {
        var vector = ReferenceVectors.Item("keys.json", "corrupted", index);
        var text = vector.Text("string");

        var result = await CliRunner.RunWithInputAsync(text, "key", "inspect");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        var expected = vector.Text("kind") switch
        {
            "wrong_prefix" => "bad prefix",
            "wrong_length" => "wrong length",
            _ => "bad checksum",
        };
        Assert.Contains(expected, result.Error);
        for (var i = 0; i + 8 <= text.Length; i++)
        {
            Assert.DoesNotContain(text.Substring(i, 8), result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Empty_input_exits_with_the_usage_code()
    {
        var result = await CliRunner.RunWithInputAsync("\n", "key", "inspect");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("empty", result.Error);
    }

    [Fact]
    public async Task A_key_file_with_two_keys_is_rejected_without_showing_either()
    {
        var first = ReferenceVectors.Key(1).Text("wif");
        var second = ReferenceVectors.Key(2).Text("wif");
        var path = _files.Write($"{first}\n{second}\n");

        var result = await CliRunner.RunAsync("key", "inspect", "--key-file", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("expected exactly one private key", result.Error);
        Assert.DoesNotContain(first, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(second, result.Error, StringComparison.Ordinal);
    }

    /// <summary>issue 18.7: the CLI refuses a key file its group or others can read, as the service does.</summary>
    [Theory]
    [InlineData("key", "inspect")]
    [InlineData("tx", "rotate")]
    public async Task A_key_file_readable_by_its_group_or_others_is_refused_by_the_cli_as_by_the_service(string command, string verb)
    {
        using var keys = new KeyFileDirectory();
        var wif = ReferenceVectors.Key(1).Text("wif");
        var path = keys.Write(wif, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var result = await CliRunner.RunAsync(command, verb, "--key-file", path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is readable or writable by its group or others (mode 640); chmod 400 it", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wif, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_key_file_exits_with_the_usage_code_and_names_the_file()
    {
        var result = await CliRunner.RunAsync("key", "inspect", "--key-file", _files.MissingPath);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.txt", result.Error);
    }

    public void Dispose() => _files.Dispose();
}
