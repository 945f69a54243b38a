using System.Net;
using System.Text.Json;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Transactions;
using static Failover.Antelope.Tests.Chain.ChainJson;

namespace Failover.Antelope.Tests.Chain;

public sealed class ChainApiClientTests
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Real-time bound on a call the test expects to end (an unexpected retry would wait for the fake clock forever).</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, (Func<ChainApiClient, Task<object>> Call, string Endpoint, string Body, string Fixture)> Calls = new()
    {
        ["info"] = (async c => await c.GetInfoAsync(), "get_info", "{}", "get_info.savanna_constructed.json"),
        ["block by number"] = (async c => await c.GetBlockAsync(400838396u), "get_block", """{"block_num_or_id":"400838396"}""", "get_block.savanna_constructed.json"),
        ["block by id"] = (async c => await c.GetBlockAsync("17e44efcfcd9cb439ab93de5f1e4328c4d02382281da17f0478f6f2810ee4789"), "get_block",
            """{"block_num_or_id":"17e44efcfcd9cb439ab93de5f1e4328c4d02382281da17f0478f6f2810ee4789"}""", "get_block.savanna_constructed.json"),
        ["block info"] = (async c => await c.GetBlockInfoAsync(400838396), "get_block_info", """{"block_num":400838396}""", "get_block_info.savanna_constructed.json"),
        ["block header state"] = (async c => await c.GetBlockHeaderStateAsync("400838396"), "get_block_header_state",
            """{"block_num_or_id":"400838396"}""", "get_block_header_state.savanna_spring.json"),
        ["producer schedule"] = (async c => await c.GetProducerScheduleAsync(), "get_producer_schedule", "{}", "get_producer_schedule.jungle4.json"),
        ["producers"] = (async c => await c.GetProducersAsync("", 2), "get_producers", """{"json":true,"lower_bound":"","limit":2}""", "get_producers.constructed.json"),
        ["producer rows"] = (async c => await c.GetProducerRowsAsync("", 2), "get_table_rows",
            """{"json":true,"code":"eosio","scope":"eosio","table":"producers","lower_bound":"","upper_bound":"","limit":2,"key_type":"","index_position":"","encode_type":"dec"}""",
            "get_table_rows.producers_constructed.json"),
        ["table rows"] = (async c => await c.GetTableRowsAsync(new GetTableRowsRequest(true, "eosio.token", "EOS", "stat", ShowPayer: true)), "get_table_rows",
            """{"json":true,"code":"eosio.token","scope":"EOS","table":"stat","lower_bound":"","upper_bound":"","limit":10,"key_type":"","index_position":"","encode_type":"dec","show_payer":true}""",
            "get_table_rows.show_payer.json"),
        ["account"] = (async c => await c.GetAccountAsync("teamgreymass"), "get_account", """{"account_name":"teamgreymass"}""", "get_account.teamgreymass_bp.json"),
        ["raw abi"] = (async c => await c.GetRawAbiAsync("eosio"), "get_raw_abi", """{"account_name":"eosio"}""", "get_raw_abi.eosio_system_constructed.json"),
        ["raw abi if changed"] = (async c => await c.GetRawAbiAsync("eosio.token", "d8"), "get_raw_abi", """{"account_name":"eosio.token","abi_hash":"d8"}""", "get_raw_abi.json"),
        ["abi"] = (async c => await c.GetAbiAsync("eosio"), "get_abi", """{"account_name":"eosio"}""", "get_abi.eosio_system.json"),
        ["required keys"] = (async c => await c.GetRequiredKeysAsync(RequiredKeysRequest.Transaction, RequiredKeysRequest.AvailableKeys), "get_required_keys",
            ChainFixture.Load("get_required_keys.constructed.json").RequestJson.GetRawText(), "get_required_keys.constructed.json"),
        ["push"] = (async c => await c.PushTransactionAsync(SignedRegProducer), "push_transaction",
            ChainFixture.Load("push_transaction.request_constructed.json").RequestJson.GetRawText(), "push_transaction.setabi_202.json"),
        ["send"] = (async c => await c.SendTransactionAsync(SignedRegProducer), "send_transaction",
            ChainFixture.Load("push_transaction.request_constructed.json").RequestJson.GetRawText(), "send_transaction.flat_202.json"),
        ["send2"] = (async c => await c.SendTransaction2Async(SendTransaction2), "send_transaction2",
            ChainFixture.Load("send_transaction2.request_constructed.json").RequestJson.GetRawText(), "send_transaction2.request_constructed.json"),
    };

    public static TheoryData<string> CallNames => [.. Calls.Keys];

    public static TheoryData<string> ErrorFixtures => [.. ChainFixture.AllNames.Where(n => n.StartsWith("error.", StringComparison.Ordinal))];

    private static GetRequiredKeysRequest RequiredKeysRequest =>
        ChainFixture.Load("get_required_keys.constructed.json").RequestJson.Deserialize(Json.GetRequiredKeysRequest)!;

    private static PackedTransaction SignedRegProducer =>
        ChainFixture.Load("push_transaction.request_constructed.json").RequestJson.Deserialize(Json.PackedTransaction)!;

    private static SendTransaction2Request SendTransaction2 =>
        ChainFixture.Load("send_transaction2.request_constructed.json").RequestJson.Deserialize(Json.SendTransaction2Request)!;

    [Theory]
    [MemberData(nameof(CallNames))]
    public async Task Each_endpoint_is_a_json_post_to_its_path_with_nodeos_body(string name)
    {
        var (call, endpoint, body, fixtureName) = Calls[name];
        var fixture = ChainFixture.Load(fixtureName);
        var handler = FakeNodeosHandler.Always(fixture.HttpStatus ?? 200, fixture.ResponseText);

        var result = await call(Client(handler)).WaitAsync(Limit);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal($"http://node.test:8888/v1/chain/{endpoint}", request.Uri.AbsoluteUri);
        Assert.Equal("application/json", request.ContentType);
        JsonRoundTrip.AssertSame(JsonDocument.Parse(body).RootElement, JsonDocument.Parse(request.Body).RootElement, endpoint);
        Assert.NotNull(result);
    }

    [Fact]
    public async Task The_base_address_may_carry_a_path_prefix()
    {
        var handler = FakeNodeosHandler.Always(200, ChainFixture.Load("get_info.wax_leap5.json").ResponseText);
        var client = new ChainApiClient(new HttpClient(handler), new ChainApiOptions { BaseAddress = new Uri("https://proxy.test/wax") });

        var info = await client.GetInfoAsync();

        Assert.Equal("https://proxy.test/wax/v1/chain/get_info", Assert.Single(handler.Requests).Uri.AbsoluteUri);
        Assert.Equal(324182164u, info.HeadBlockNum);
    }

    [Fact]
    public async Task Without_options_base_address_the_http_clients_base_address_is_used()
    {
        var handler = FakeNodeosHandler.Always(200, ChainFixture.Load("get_info.wax_leap5.json").ResponseText);
        var client = new ChainApiClient(new HttpClient(handler) { BaseAddress = new Uri("http://other.test:8888/") }, new ChainApiOptions());

        await client.GetInfoAsync();

        Assert.Equal("http://other.test:8888/v1/chain/get_info", Assert.Single(handler.Requests).Uri.AbsoluteUri);
    }

    [Fact]
    public void A_client_without_any_base_address_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ChainApiClient(new HttpClient(), new ChainApiOptions()));
        Assert.Contains("base address", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(5, -1)]
    public void Options_with_a_non_positive_timeout_or_negative_retries_are_refused(int timeoutSeconds, int retries)
    {
        var options = new ChainApiOptions { BaseAddress = new Uri("http://node.test"), Timeout = TimeSpan.FromSeconds(timeoutSeconds), ReadRetries = retries };
        Assert.Throws<ArgumentException>(() => new ChainApiClient(new HttpClient(), options));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12x")]
    [InlineData("-1")]
    [InlineData("17e44efcfcd9cb439ab93de5f1e4328c4d02382281da17f0478f6f2810ee47890")]
    public async Task A_malformed_block_number_or_id_is_rejected_before_any_request(string blockNumOrId)
    {
        var handler = FakeNodeosHandler.Always(200, "{}");

        var error = await Fails<ArgumentException>(() => Client(handler).GetBlockAsync(blockNumOrId));

        Assert.Contains("block_num_or_id", error.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [MemberData(nameof(ErrorFixtures))]
    public async Task A_nodeos_error_body_becomes_a_chain_api_exception_with_its_fields(string name)
    {
        var fixture = ChainFixture.Load(name);
        var expected = fixture.ResponseJson.Deserialize(Json.ChainErrorBody)!;
        var handler = FakeNodeosHandler.Always(fixture.HttpStatus!.Value, fixture.ResponseText);

        var error = await Fails<ChainApiException>(() => Client(handler, readRetries: 0).GetAccountAsync("myproducer11"));

        Assert.Equal((HttpStatusCode)fixture.HttpStatus.Value, error.HttpStatus);
        Assert.Equal(expected.Error.Code, error.Code);
        Assert.Equal(expected.Error.Name, error.ErrorName);
        Assert.Equal(expected.Error.What, error.What);
        Assert.Equal(expected.Error.Details, error.Details);
        Assert.Equal("get_account", error.Endpoint);
        Assert.Contains($"get_account failed with HTTP {fixture.HttpStatus} {expected.Error.Name} ({expected.Error.Code})", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error.push_transaction.duplicate_500.json", nameof(ChainApiException.IsDuplicate))]
    [InlineData("error.push_transaction.expired_500.json", nameof(ChainApiException.IsExpired))]
    [InlineData("error.push_transaction.invalid_ref_block_500.json", nameof(ChainApiException.IsInvalidRefBlock))]
    [InlineData("error.push_transaction.unsatisfied_authorization_500.json", nameof(ChainApiException.IsUnsatisfiedAuthorization))]
    [InlineData("error.push_transaction.eosio_assert_500.json", nameof(ChainApiException.IsAssert))]
    public async Task Push_failures_reported_as_http_500_are_classified_by_error_code(string name, string classification)
    {
        var fixture = ChainFixture.Load(name);
        var handler = FakeNodeosHandler.Always(500, fixture.ResponseText);

        var error = await Fails<ChainApiException>(() => Client(handler).PushTransactionAsync(SignedRegProducer));

        Assert.Equal(HttpStatusCode.InternalServerError, error.HttpStatus);
        Assert.Equal([classification], Classifications(error));
        Assert.False(error.IsTransient);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("error.get_block.unknown_block_400.json", 400, nameof(ChainApiException.IsUnknownBlock))]
    [InlineData("error.get_block.unknown_block_400.json", 500, nameof(ChainApiException.IsUnknownBlock))]
    [InlineData("error.get_account.unknown_account_400.json", 400, nameof(ChainApiException.IsAccountLookup))]
    [InlineData("error.invalid_request_400.json", 400, nameof(ChainApiException.IsInvalidRequest))]
    public async Task Deterministic_read_errors_are_classified_by_error_code_and_not_retried(string name, int status, string classification)
    {
        var handler = FakeNodeosHandler.Always(status, ChainFixture.Load(name).ResponseText);

        var error = await Fails<ChainApiException>(() => Client(handler).GetBlockAsync(999999999u));

        Assert.Equal([classification], Classifications(error));
        Assert.False(error.IsTransient);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_busy_node_is_a_transient_503()
    {
        var handler = FakeNodeosHandler.Always(503, ChainFixture.Load("error.busy_503.json").ResponseText);

        var error = await Fails<ChainApiException>(() => Client(handler).PushTransactionAsync(SignedRegProducer));

        Assert.True(error.IsBusy);
        Assert.True(error.IsTransient);
        Assert.Equal(503, error.Code);
        Assert.Empty(error.Details);
    }

    [Fact]
    public async Task An_unknown_endpoint_is_a_404_with_the_generic_code_0()
    {
        var handler = FakeNodeosHandler.Always(404, ChainFixture.Load("error.unknown_endpoint_404.json").ResponseText);

        var error = await Fails<ChainApiException>(() => Client(handler).GetBlockInfoAsync(1));

        Assert.Equal(HttpStatusCode.NotFound, error.HttpStatus);
        Assert.Equal(0, error.Code);
        Assert.Equal("Unknown Endpoint", Assert.Single(error.Details).Message);
        Assert.Empty(Classifications(error));
        Assert.False(error.IsTransient);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData(200, "<html><body>502 Bad Gateway</body></html>", "<html><body>502 Bad Gateway</body></html>")]
    [InlineData(200, "{\"server_version\":\"905c5cc9\",\"chain_id\":", "{\"server_version\":\"905c5cc9\",\"chain_id\":")]
    [InlineData(200, "{\"rows\":[],\"more\":false}", "{\"rows\":[],\"more\":false}")]
    [InlineData(200, "[]", "[]")]
    [InlineData(200, "null", "null")]
    [InlineData(200, "", "(empty body)")]
    [InlineData(202, "{\"head_block_num\":\"soon\"}", "{\"head_block_num\":\"soon\"}")]
    [InlineData(400, "{\"error\":\"bad\"}", "{\"error\":\"bad\"}")]
    [InlineData(500, "Internal error\nat line 3", "Internal error at line 3")]
    public async Task A_body_that_is_not_the_expected_json_is_a_malformed_response(int status, string body, string excerpt)
    {
        var handler = FakeNodeosHandler.Always(status, body);

        var error = await Fails<ChainApiMalformedResponseException>(() => Client(handler, readRetries: 0).GetInfoAsync());

        Assert.Equal("get_info", error.Endpoint);
        Assert.Equal((HttpStatusCode)status, error.HttpStatus);
        Assert.Equal(excerpt, error.Excerpt);
        Assert.Contains($"get_info returned a malformed HTTP {status} response", error.Message, StringComparison.Ordinal);
        Assert.Equal(status >= 500, error.IsTransient);
    }

    [Fact]
    public async Task The_excerpt_of_a_long_body_is_cut()
    {
        var handler = FakeNodeosHandler.Always(200, "<html>" + new string('x', 5000) + "</html>");

        var error = await Fails<ChainApiMalformedResponseException>(() => Client(handler).GetInfoAsync());

        Assert.Equal(201, error.Excerpt.Length);
        Assert.EndsWith("…", error.Excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_that_outlives_its_timeout_fails_with_a_timeout_naming_endpoint_and_limit()
    {
        var time = new TimerWatchingTimeProvider();
        var handler = Hanging();
        var call = Client(handler, time, readRetries: 0).GetProducerScheduleAsync();

        await time.WaitForTimerAsync(CallTimeout);
        time.Advance(CallTimeout);
        var error = await Assert.ThrowsAsync<ChainApiTimeoutException>(() => Bounded(call));

        Assert.Equal("get_producer_schedule", error.Endpoint);
        Assert.Equal(CallTimeout, error.Timeout);
        Assert.Equal("get_producer_schedule timed out after 30000 ms", error.Message);
        Assert.Null(error.HttpStatus);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_timeout()
    {
        var time = new TimerWatchingTimeProvider();
        var handler = Hanging();
        using var cancellation = new CancellationTokenSource();
        var call = Client(handler, time).GetInfoAsync(cancellation.Token);

        await time.WaitForTimerAsync(CallTimeout);
        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Bounded(call));
        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_read_is_retried_after_the_retry_delay_until_it_succeeds()
    {
        var time = new TimerWatchingTimeProvider();
        var busy = ChainFixture.Load("error.busy_503.json").ResponseText;
        var handler = FakeNodeosHandler.Replay((503, busy), (503, busy), (200, ChainFixture.Load("get_info.jungle4_leap3.json").ResponseText));
        var call = Client(handler, time).GetInfoAsync();

        await time.WaitForTimerAsync(RetryDelay);
        time.Advance(RetryDelay - TimeSpan.FromMilliseconds(1));
        Assert.Single(handler.Requests);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await time.WaitForTimerAsync(RetryDelay);
        Assert.Equal(2, handler.Requests.Count);
        time.Advance(RetryDelay);

        var info = await Bounded(call);
        Assert.Equal(90841411u, info.HeadBlockNum);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task A_read_gives_up_after_the_configured_number_of_retries()
    {
        var time = new TimerWatchingTimeProvider();
        var handler = FakeNodeosHandler.Always(503, ChainFixture.Load("error.busy_503.json").ResponseText);
        var call = Client(handler, time, readRetries: 3).GetBlockInfoAsync(5);

        for (var pause = 0; pause < 3; pause++)
        {
            await time.WaitForTimerAsync(RetryDelay);
            time.Advance(RetryDelay);
        }

        var error = await Assert.ThrowsAsync<ChainApiException>(() => Bounded(call));
        Assert.True(error.IsBusy);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task A_timed_out_read_is_retried()
    {
        var time = new TimerWatchingTimeProvider();
        var info = ChainFixture.Load("get_info.wax_leap5.json").ResponseText;
        var handler = new FakeNodeosHandler(async (n, token) =>
        {
            if (n == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            return FakeNodeosHandler.Response(200, info);
        });
        var call = Client(handler, time).GetInfoAsync();

        await time.WaitForTimerAsync(CallTimeout);
        time.Advance(CallTimeout);
        await time.WaitForTimerAsync(RetryDelay);
        time.Advance(RetryDelay);

        Assert.Equal(324182164u, (await Bounded(call)).HeadBlockNum);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_connection_failure_is_a_transient_connection_exception_and_reads_retry_it()
    {
        var time = new TimerWatchingTimeProvider();
        var handler = new FakeNodeosHandler((_, _) => throw new HttpRequestException("Connection refused (node.test:8888)"));
        var call = Client(handler, time, readRetries: 1).GetAccountAsync("eosio");

        await time.WaitForTimerAsync(RetryDelay);
        time.Advance(RetryDelay);

        var error = await Assert.ThrowsAsync<ChainApiConnectionException>(() => Bounded(call));
        Assert.Equal("get_account failed: Connection refused (node.test:8888)", error.Message);
        Assert.True(error.IsTransient);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_502_page_from_a_proxy_is_retried_for_reads()
    {
        var time = new TimerWatchingTimeProvider();
        var handler = FakeNodeosHandler.Replay((502, "<html>Bad Gateway</html>"), (200, ChainFixture.Load("get_producer_schedule.jungle4.json").ResponseText));
        var call = Client(handler, time).GetProducerScheduleAsync();

        await time.WaitForTimerAsync(RetryDelay);
        time.Advance(RetryDelay);

        Assert.Equal(72u, (await Bounded(call)).Active?.Version);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_push_is_never_retried_even_when_the_node_is_busy()
    {
        var handler = FakeNodeosHandler.Always(503, ChainFixture.Load("error.busy_503.json").ResponseText);

        await Fails<ChainApiException>(() => Client(handler).PushTransactionAsync(SignedRegProducer));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_send_is_never_retried_after_a_connection_failure()
    {
        var handler = new FakeNodeosHandler((_, _) => throw new HttpRequestException("Connection reset by peer"));

        await Fails<ChainApiConnectionException>(() => Client(handler).SendTransactionAsync(SignedRegProducer));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_push_that_times_out_is_not_repeated_because_it_may_have_been_accepted()
    {
        var time = new TimerWatchingTimeProvider();
        var handler = Hanging();
        var call = Client(handler, time).PushTransactionAsync(SignedRegProducer);

        await time.WaitForTimerAsync(CallTimeout);
        time.Advance(CallTimeout);

        var error = await Assert.ThrowsAsync<ChainApiTimeoutException>(() => Bounded(call));
        Assert.Equal("push_transaction", error.Endpoint);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_send_transaction2_failure_trace_is_returned_not_thrown()
    {
        var trace = System.Text.Json.Nodes.JsonNode.Parse(ChainFixture.Load("push_transaction.setabi_202.json").ResponseText)!;
        trace["processed"]!["except"] = System.Text.Json.Nodes.JsonNode.Parse("""{"code":3050003,"name":"eosio_assert_message_exception"}""");
        trace["processed"]!["error_code"] = 10000000000000000000UL.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var handler = FakeNodeosHandler.Always(202, trace.ToJsonString());

        var result = await Client(handler).SendTransaction2Async(SendTransaction2);

        Assert.Equal(3050003, result.Processed.Except?.GetProperty("code").GetInt64());
        Assert.Single(handler.Requests);
    }

    /// <summary>A call driven by the fake clock must end promptly once the clock has moved; a regression fails, not hangs.</summary>
    private static Task<T> Bounded<T>(Task<T> call) => call.WaitAsync(Limit);

    private static Task<TException> Fails<TException>(Func<Task> call)
        where TException : Exception =>
        Assert.ThrowsAsync<TException>(() => call().WaitAsync(Limit));

    private static ChainApiClient Client(FakeNodeosHandler handler, TimeProvider? time = null, int readRetries = 2) =>
        new(new HttpClient(handler), new ChainApiOptions
        {
            BaseAddress = new Uri("http://node.test:8888"),
            Timeout = CallTimeout,
            ReadRetries = readRetries,
            RetryDelay = RetryDelay,
            TimeProvider = time ?? new TimerWatchingTimeProvider(),
        });

    /// <summary>A node that accepts the request and never answers (until the call is cancelled).</summary>
    private static FakeNodeosHandler Hanging() =>
        new(async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            throw new InvalidOperationException("unreachable: the delay only ends by cancellation");
        });

    private static string[] Classifications(ChainApiException e) =>
    [
        .. new (string Name, bool Holds)[]
        {
            (nameof(e.IsUnknownBlock), e.IsUnknownBlock),
            (nameof(e.IsDuplicate), e.IsDuplicate),
            (nameof(e.IsExpired), e.IsExpired),
            (nameof(e.IsInvalidRefBlock), e.IsInvalidRefBlock),
            (nameof(e.IsUnsatisfiedAuthorization), e.IsUnsatisfiedAuthorization),
            (nameof(e.IsAssert), e.IsAssert),
            (nameof(e.IsAccountLookup), e.IsAccountLookup),
            (nameof(e.IsInvalidRequest), e.IsInvalidRequest),
            (nameof(e.IsBusy), e.IsBusy),
        }.Where(c => c.Holds).Select(c => c.Name),
    ];
}
