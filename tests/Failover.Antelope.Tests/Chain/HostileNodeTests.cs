using System.Net;
using System.Text;
using Failover.Antelope.Chain;

namespace Failover.Antelope.Tests.Chain;

/// <summary>
/// Issue 17.3: a node that is broken or hostile decides what it answers, not what the client spends or keeps — a body
/// past the cap is not read on, a body nested past the JSON depth limit is malformed, and the text of its errors enters
/// messages (and from there events) as one bounded line.
/// </summary>
public sealed class HostileNodeTests
{
    private const int Cap = 64 * 1024;

    [Fact]
    public async Task A_body_declared_longer_than_the_cap_is_refused_unread()
    {
        var handler = new FakeNodeosHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(new byte[Cap + 1]),
        }));

        var error = await Assert.ThrowsAsync<ChainApiMalformedResponseException>(() => Client(handler).GetInfoAsync());

        Assert.Contains($"longer than the {Cap} bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal("(not read)", error.Excerpt);
    }

    [Fact]
    public async Task A_body_of_unknown_length_is_read_only_up_to_the_cap()
    {
        var endless = new EndlessStream();
        var handler = new FakeNodeosHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(endless) }));

        var error = await Assert.ThrowsAsync<ChainApiMalformedResponseException>(() => Client(handler).GetInfoAsync());

        Assert.Contains($"longer than the {Cap} bytes", error.Message, StringComparison.Ordinal);
        Assert.InRange(endless.Served, Cap, Cap + (64 * 1024));
    }

    [Fact]
    public async Task A_body_nested_past_the_json_depth_limit_is_a_malformed_answer_not_a_crash()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var handler = FakeNodeosHandler.Always(200, $$"""{"server_version":"x","extra":{{deep}}}""");

        var error = await Assert.ThrowsAsync<ChainApiMalformedResponseException>(() => Client(handler).GetInfoAsync());

        Assert.Contains("depth", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_nodes_error_text_enters_the_message_as_one_bounded_line()
    {
        var flood = string.Concat(Enumerable.Repeat("line\nbreak\r\u0007", 1_000));
        var escaped = flood.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\u0007", "\\u0007", StringComparison.Ordinal);
        var detail = $$$"""{"message":"{{{escaped}}}","file":"f","line_number":1,"method":"m"}""";
        var body = $$$"""{"code":500,"message":"Internal Service Error","error":{"code":3050003,"name":"{{{escaped}}}","what":"{{{escaped}}}","details":[{{{detail}}}]}}""";
        var handler = FakeNodeosHandler.Always(500, body);

        var error = await Assert.ThrowsAsync<ChainApiException>(() => Client(handler).PushTransactionAsync(new Transactions.PackedTransaction([], 0, "", "00")));

        Assert.InRange(error.Message.Length, 100, 700);
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Equal(3050003, error.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    public void Text_within_the_bound_is_kept_whole(string text) => Assert.Equal(text, NodeText.Bounded(text));

    [Fact]
    public void Text_past_the_bound_is_cut_and_marked()
    {
        var bounded = NodeText.Bounded(new string('x', 500), 10);

        Assert.Equal(new string('x', 10) + "…", bounded);
    }

    private static ChainApiClient Client(FakeNodeosHandler handler) =>
        new(new HttpClient(handler), new ChainApiOptions { BaseAddress = new Uri("http://node.test:8888"), ReadRetries = 0, MaxResponseBytes = Cap });

    /// <summary>A body that never ends, of unknown length, counting what it served.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)' ', offset, count);
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
