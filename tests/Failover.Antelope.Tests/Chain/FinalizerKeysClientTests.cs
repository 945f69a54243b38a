using System.Buffers.Text;
using System.Text.Json;
using Failover.Antelope.Chain;
using Failover.Antelope.Keys;

namespace Failover.Antelope.Tests.Chain;

/// <summary>
/// Reading a finalizer's Savanna keys from the system contract's <c>finkeys</c> and <c>finalizers</c> tables
/// (protocol.md §3.5, request shape §1.6): the two requests as nodeos takes them, the rows checked against each other,
/// and a clear error (never a crash, never a guess) for an answer that does not fit.
/// </summary>
public sealed class FinalizerKeysClientTests
{
    /// <summary>The swagger example key of protocol.md §3.5 (checked there) and one built the same way.</summary>
    private const string KeyA = "PUB_BLS_6j4Y3LfsRiBxY-DgvqrZNMCttHftBQPIWwDiN2CMhHWULjN1nGwM1O_nEEJefqwAG4X09n4Kdt4a1mfZ1ES1cLGjQo6uLLSloiVW4i9BUhMHU2nVujP1_U_9ihdI3egZ17N-iA";
    private static readonly string KeyB = Key(0xb0);

    private static string BinaryOf(string key) => BlsPublicKey.TryDecode(key, out var point) ? Convert.ToHexStringLower(point) : throw new ArgumentException(key);

    /// <summary>
    /// Fixture-like answers (the shape of <c>get_table_rows</c> with <c>json: true</c>: <c>{rows, more, next_key}</c>;
    /// a <c>finkeys</c> row is <c>finalizer_key_info</c>, a <c>finalizers</c> row <c>finalizer_info</c>, bytes as hex,
    /// a uint64 above 2^32 as a string).
    /// </summary>
    private static string FinKeysAnswer(params (ulong Id, string Finalizer, string Key)[] rows) => JsonSerializer.Serialize(new
    {
        rows = rows.Select(r => new Dictionary<string, object>
        {
            ["id"] = r.Id > uint.MaxValue ? r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : r.Id,
            ["finalizer_name"] = r.Finalizer,
            ["finalizer_key"] = r.Key,
            ["finalizer_key_binary"] = BinaryOf(r.Key),
        }),
        more = false,
        next_key = string.Empty,
    });

    private static string FinalizersAnswer(string finalizer, ulong activeId, string activeKey, uint count) =>
        $$"""{"rows":[{"finalizer_name":"{{finalizer}}","active_key_id":{{activeId}},"active_key_binary":"{{BinaryOf(activeKey)}}","finalizer_key_count":{{count}}}],"more":false,"next_key":""}""";

    private const string NoRows = """{"rows":[],"more":false,"next_key":""}""";

    private static (ChainApiClient Client, FakeNodeosHandler Handler) Node(string finKeys, string finalizers)
    {
        var handler = new FakeNodeosHandler((n, _) => Task.FromResult(FakeNodeosHandler.Response(200, n == 1 ? finKeys : finalizers)));
        return (new ChainApiClient(new HttpClient(handler), new ChainApiOptions { BaseAddress = new Uri("http://spring.test:8888"), ReadRetries = 0 }), handler);
    }

    [Fact]
    public async Task The_keys_are_read_through_the_byfinname_index_and_the_finalizers_row_names_the_active_one()
    {
        var (client, handler) = Node(
            FinKeysAnswer((7, "failover.bp", KeyB), (5_000_000_000, "failover.bp", KeyA)),
            FinalizersAnswer("failover.bp", 5_000_000_000, KeyA, 2));

        var keys = await client.GetFinalizerKeysAsync("failover.bp");

        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal("http://spring.test:8888/v1/chain/get_table_rows", r.Uri.AbsoluteUri));
        JsonRoundTrip.AssertSame(
            JsonDocument.Parse("""{"json":true,"code":"eosio","scope":"eosio","table":"finkeys","lower_bound":"failover.bp","upper_bound":"failover.bp","limit":1000,"key_type":"name","index_position":"2","encode_type":"dec"}""").RootElement,
            JsonDocument.Parse(handler.Requests[0].Body).RootElement,
            "finkeys");
        JsonRoundTrip.AssertSame(
            JsonDocument.Parse("""{"json":true,"code":"eosio","scope":"eosio","table":"finalizers","lower_bound":"failover.bp","upper_bound":"failover.bp","limit":1,"key_type":"name","index_position":"","encode_type":"dec"}""").RootElement,
            JsonDocument.Parse(handler.Requests[1].Body).RootElement,
            "finalizers");
        Assert.Equal("failover.bp", keys.Finalizer);
        Assert.Equal([KeyB, KeyA], keys.Keys.Select(k => k.FinalizerKey));
        Assert.Equal([7ul, 5_000_000_000ul], keys.Keys.Select(k => k.Id));
        Assert.Equal(KeyA, keys.Active!.FinalizerKey);
    }

    [Fact]
    public async Task A_finalizer_that_registered_no_key_has_neither_keys_nor_an_active_one()
    {
        var (client, _) = Node(NoRows, NoRows);

        var keys = await client.GetFinalizerKeysAsync("prod.none");

        Assert.Empty(keys.Keys);
        Assert.Null(keys.Active);
    }

    /// <summary>A row of another finalizer (a node that ignored the bounds), a key that is not one, more rows than one answer holds, bytes that are not hex.</summary>
    public static TheoryData<string, string> Misfits => new()
    {
        { FinKeysAnswer((1, "failover.bp", KeyA), (2, "prod.a", KeyB)), "finkeys row 2 belongs to prod.a" },
        { FinKeysAnswer((1, "failover.bp", KeyA)).Replace(KeyA, "PUB_BLS_garbage", StringComparison.Ordinal), "finkeys row 1 holds 'PUB_BLS_garbage', not a BLS public key" },
        { FinKeysAnswer((1, "failover.bp", KeyA)).Replace("\"more\":false", "\"more\":true", StringComparison.Ordinal), "more: true" },
        { FinKeysAnswer((1, "failover.bp", KeyA)).Replace(BinaryOf(KeyA), "zz", StringComparison.Ordinal), "finalizer_key_binary is not hex" },
    };

    [Theory]
    [MemberData(nameof(Misfits))]
    public async Task A_finkeys_answer_that_does_not_fit_the_request_is_a_format_error_saying_what(string finKeys, string message)
    {
        var (client, _) = Node(finKeys, FinalizersAnswer("failover.bp", 1, KeyA, 1));

        var error = await Assert.ThrowsAsync<FormatException>(() => client.GetFinalizerKeysAsync("failover.bp"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("the finalizer keys of failover.bp on chain", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9ul, 2u, "names active key id 9, which is not among the finkeys rows (1, 2)")]
    [InlineData(1ul, 3u, "finalizers counts 3 keys, finkeys lists 2")]
    public async Task A_finalizers_row_that_disagrees_with_the_finkeys_rows_is_a_format_error(ulong activeId, uint count, string message)
    {
        var (client, _) = Node(FinKeysAnswer((1, "failover.bp", KeyA), (2, "failover.bp", KeyB)), FinalizersAnswer("failover.bp", activeId, KeyA, count));

        var error = await Assert.ThrowsAsync<FormatException>(() => client.GetFinalizerKeysAsync("failover.bp"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_active_key_whose_bytes_are_not_its_rows_is_a_format_error()
    {
        var (client, _) = Node(FinKeysAnswer((1, "failover.bp", KeyA), (2, "failover.bp", KeyB)), FinalizersAnswer("failover.bp", 1, KeyB, 2));

        var error = await Assert.ThrowsAsync<FormatException>(() => client.GetFinalizerKeysAsync("failover.bp"));

        Assert.Contains("active_key_binary is not the bytes of finkeys row 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_without_a_finalizers_row_are_a_format_error()
    {
        var (client, _) = Node(FinKeysAnswer((1, "failover.bp", KeyA)), NoRows);

        var error = await Assert.ThrowsAsync<FormatException>(() => client.GetFinalizerKeysAsync("failover.bp"));

        Assert.Contains("finkeys lists 1 keys but finalizers has no row", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"rows":[{"finalizer_name":"failover.bp","finalizer_key":"x","finalizer_key_binary":""}],"more":false,"next_key":""}""")]
    [InlineData("""{"rows":["00010203"],"more":false,"next_key":""}""")]
    [InlineData("<html>bad gateway</html>")]
    public async Task A_row_of_the_wrong_shape_is_a_malformed_response(string finKeys)
    {
        var (client, _) = Node(finKeys, NoRows);

        var error = await Assert.ThrowsAsync<ChainApiMalformedResponseException>(() => client.GetFinalizerKeysAsync("failover.bp"));

        Assert.Equal("get_table_rows", error.Endpoint);
    }

    [Fact]
    public void Two_texts_of_one_key_are_the_same_key_and_two_keys_are_not()
    {
        Assert.True(BlsPublicKey.SameKey(KeyA, KeyA));
        Assert.False(BlsPublicKey.SameKey(KeyA, KeyB));
        Assert.False(BlsPublicKey.SameKey(KeyA, null));
        Assert.True(BlsPublicKey.TryDecode(KeyB, out var point));
        Assert.Equal(96, point.Length);
        Assert.False(BlsPublicKey.TryDecode("PUB_BLS_garbage", out _));
    }

    /// <summary>A text in the key format: 96 bytes and the first 4 bytes of their RIPEMD-160.</summary>
    private static string Key(byte fill)
    {
        var payload = Enumerable.Range(0, 96).Select(i => (byte)(fill + i)).ToArray();
        return BlsPublicKey.Prefix + Base64Url.EncodeToString([.. payload, .. KeyString.RipemdChecksum(payload, withK1Suffix: false).AsSpan(0, 4)]);
    }
}
