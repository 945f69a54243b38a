using System.Text.Json;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Simulator.Http;
using Failover.Simulator.Network;

namespace Failover.Simulator.Tests;

/// <summary>API faults limited to routes, answering with a nodeos error code, and counted: over HTTP.</summary>
public sealed class ApiFaultHttpTests : RunningSimulatorTests
{
    private const string CpuExceededBody =
        """{"code":500,"message":"Internal Service Error","error":{"code":3080004,"name":"tx_cpu_usage_exceeded","what":"Transaction exceeded the current CPU usage limit imposed on the transaction","details":[{"message":"billed CPU time (375 us) is greater than the maximum billable CPU time for the transaction (234 us)","file":"transaction_context.cpp","line_number":487,"method":"validate_account_cpu_usage"}]}}""";

    [Fact]
    public async Task A_fault_on_the_push_routes_refuses_pushes_with_the_nodeos_error_code_while_get_info_still_answers()
    {
        var client = Server.Client();
        var transaction = Chain.RegisterOurKey("dc2");
        var (status, _) = await Server.PostAsync("/sim/api/api1/faults", """{"routes":["push_transaction","send_transaction","send_transaction2"],"error_code":3080004}""");
        Assert.Equal(200, status);

        var (pushStatus, pushBody) = await Server.PostAsync("/v1/chain/push_transaction", JsonSerializer.Serialize(transaction, ChainJsonContext.Default.PackedTransaction));
        Assert.Equal(500, pushStatus);
        Assert.Equal(CpuExceededBody, pushBody);

        Assert.Equal(31u, (await client.GetInfoAsync()).HeadBlockNum);
        var refused = await Assert.ThrowsAsync<ChainApiException>(() => client.PushTransactionAsync(transaction));
        Assert.Equal(500, (int?)refused.HttpStatus);
        Assert.Equal(3080004L, refused.Code);
        Assert.Equal("tx_cpu_usage_exceeded", refused.ErrorName);
        Assert.Equal("Transaction exceeded the current CPU usage limit imposed on the transaction", refused.What);
        Assert.Equal("billed CPU time (375 us) is greater than the maximum billable CPU time for the transaction (234 us)", Assert.Single(refused.Details).Message);
        Assert.False(refused.IsTransient);
        Assert.Equal(3080004L, (await Assert.ThrowsAsync<ChainApiException>(() => client.SendTransactionAsync(transaction))).Code);
        var trace = await client.SendTransaction2Async(new SendTransaction2Request(true, false, transaction));
        Assert.Equal(3080004L, trace.Processed.Except!.Value.GetProperty("code").GetInt64());
        Assert.Equal("tx_cpu_usage_exceeded", trace.Processed.Except.Value.GetProperty("name").GetString());
        Assert.Equal(3080004L, (await Assert.ThrowsAsync<ChainApiException>(() => client.SendTransaction2Async(new SendTransaction2Request(false, false, transaction)))).Code);
        Assert.Equal(31u, (await Server.Client("api2").GetInfoAsync()).HeadBlockNum);

        // None of the refused pushes was applied: no block includes it and the producers table is unchanged.
        Chain.AdvanceSlots(2);
        Assert.Empty(Chain.State.PendingTransactions);
        Assert.All(Chain.Blocks(30), b => Assert.Empty(b.Transactions));
        var dc1 = Chain.Node("failover.bp/dc1").SigningKey.PublicKey.ToLegacyString();
        Assert.Equal(dc1, (await client.GetProducerRowsAsync()).Rows.Single(r => r.Owner == "failover.bp").ProducerKey);
        Assert.Equal(dc1, (await Server.Client("api2").GetProducerRowsAsync()).Rows.Single(r => r.Owner == "failover.bp").ProducerKey);
    }

    [Fact]
    public async Task A_counted_fault_refuses_exactly_that_many_matching_requests_then_clears_itself_and_the_next_push_is_applied()
    {
        var client = Server.Client();
        var transaction = Chain.RegisterOurKey("dc2");
        Assert.Equal(200, (await Server.PostAsync("/sim/api/api1/faults", """{"routes":["push_transaction"],"error_code":3080004,"count":2}""")).Status);
        Assert.Equal(
            """{"error_status":null,"latency_ms":0,"timeout":false,"malformed":false,"routes":["push_transaction"],"error_code":3080004,"count":2,"is_none":false}""",
            await Server.Http.GetStringAsync("/sim/api/api1/faults"));

        Assert.Equal(31u, (await client.GetInfoAsync()).HeadBlockNum);
        Assert.Equal(2, await CountLeftAsync());
        Assert.Equal(3080004L, (await Assert.ThrowsAsync<ChainApiException>(() => client.PushTransactionAsync(transaction))).Code);
        Assert.Equal(1, await CountLeftAsync());
        using (var state = JsonDocument.Parse(await Server.Http.GetStringAsync("/sim/state")))
        {
            var api1 = state.RootElement.GetProperty("api_nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "api1");
            Assert.Equal(1, api1.GetProperty("faults").GetProperty("count").GetInt32());
            Assert.Equal(3080004, api1.GetProperty("faults").GetProperty("error_code").GetInt64());
        }

        Assert.Equal(3080004L, (await Assert.ThrowsAsync<ChainApiException>(() => client.PushTransactionAsync(transaction))).Code);
        Assert.Equal(
            """{"error_status":null,"latency_ms":0,"timeout":false,"malformed":false,"routes":null,"error_code":null,"count":null,"is_none":true}""",
            await Server.Http.GetStringAsync("/sim/api/api1/faults"));

        var pushed = await client.PushTransactionAsync(transaction);
        Assert.Null(pushed.Processed.Except);
        Assert.Equal(32u, pushed.Processed.BlockNum);
        Chain.AdvanceSlots(1);
        Assert.Equal(pushed.TransactionId, Assert.Single(Chain.State.Head.Transactions).Id.ToString());
        Assert.Equal(
            Chain.Node("failover.bp/dc2").SigningKey.PublicKey.ToLegacyString(),
            (await client.GetProducerRowsAsync()).Rows.Single(r => r.Owner == "failover.bp").ProducerKey);
    }

    [Fact]
    public async Task An_error_code_without_routes_refuses_every_route_and_a_bad_fault_request_says_what_is_wrong()
    {
        Assert.Equal(200, (await Server.PostAsync("/sim/api/api2/faults", """{"error_code":3080006}""")).Status);
        var refused = await Assert.ThrowsAsync<ChainApiException>(() => Server.Client("api2").GetInfoAsync());
        Assert.Equal(3080006L, refused.Code);
        Assert.Equal("deadline_exception", refused.ErrorName);
        Assert.Equal(31u, (await Server.Client().GetInfoAsync()).HeadBlockNum);

        var (status, body) = await Server.PostAsync("/sim/api/api1/faults", """{"routes":["push_transactions"],"error_code":3080004}""");
        Assert.Equal(400, status);
        Assert.StartsWith("routes: unknown chain API route(s) 'push_transactions'; known: get_info, ", ErrorOf(body), StringComparison.Ordinal);
        (status, body) = await Server.PostAsync("/sim/api/api1/faults", """{"error_code":3080004,"count":0}""");
        Assert.Equal(400, status);
        Assert.Equal("count must be at least 1 (leave it out for faults that stay until cleared), got 0. (Parameter 'faults')", ErrorOf(body));
        (status, body) = await Server.PostAsync("/sim/api/api1/faults", """{"error_code":3080004,"error_status":503}""");
        Assert.Equal(400, status);
        Assert.Equal("errorCode answers HTTP 500 with that code; it cannot be combined with errorStatus 503. (Parameter 'faults')", ErrorOf(body));
        Assert.Equal(400, (await Server.PostAsync("/sim/api/api1/faults", """{"error_code":0}""")).Status);
        Assert.Equal(400, (await Server.PostAsync("/sim/api/api1/faults", """{"routes":"push_transaction"}""")).Status);
        using var unknownNode = await Server.Http.GetAsync("/sim/api/api9/faults");
        Assert.Equal(400, (int)unknownNode.StatusCode);
        Assert.Equal(ApiFaults.None, Chain.Simulator.ApiFaultsOf("api1"));
    }

    private static string ErrorOf(string body)
    {
        using var error = JsonDocument.Parse(body);
        return error.RootElement.GetProperty("error").GetString()!;
    }

    private async Task<int?> CountLeftAsync()
    {
        using var faults = JsonDocument.Parse(await Server.Http.GetStringAsync("/sim/api/api1/faults"));
        var count = faults.RootElement.GetProperty("count");
        return count.ValueKind == JsonValueKind.Null ? null : count.GetInt32();
    }
}

/// <summary>The same faults from C#, through the in-process handler.</summary>
public sealed class ApiFaultTests
{
    private readonly TestChain _chain = new();

    public ApiFaultTests() => _chain.AdvanceSlots(20);

    [Theory]
    [InlineData(3080004L, "tx_cpu_usage_exceeded", "Transaction exceeded the current CPU usage limit imposed on the transaction")]
    [InlineData(3080002L, "tx_net_usage_exceeded", "Transaction exceeded the current network usage limit imposed on the transaction")]
    [InlineData(3080006L, "deadline_exception", "Transaction took too long")]
    [InlineData(3081001L, "leeway_deadline_exception", "Transaction reached the deadline set due to leeway on account CPU limits")]
    [InlineData(3040005L, "expired_tx_exception", "Expired Transaction")]
    [InlineData(3040007L, "invalid_ref_block_exception", "Invalid Reference Block")]
    [InlineData(3050003L, "eosio_assert_message_exception", "eosio_assert_message assertion failure")]
    [InlineData(3090003L, "unsatisfied_authorization", "Provided keys, permissions, and delays do not satisfy declared authorizations")]
    [InlineData(3999999L, "exception", "unspecified")]
    public async Task An_error_code_fault_answers_a_push_with_nodeos_error_of_that_code_and_does_not_apply_it(long code, string name, string what)
    {
        _chain.Simulator.SetApiFaults("api1", new ApiFaults(Routes: ["push_transaction"], ErrorCode: code));

        var refused = await Assert.ThrowsAsync<ChainApiException>(() => Client().PushTransactionAsync(_chain.RegisterOurKey("dc2")));

        Assert.Equal(500, (int?)refused.HttpStatus);
        Assert.Equal(code, refused.Code);
        Assert.Equal(name, refused.ErrorName);
        Assert.Equal(what, refused.What);
        Assert.Single(refused.Details);
        Assert.Empty(_chain.State.PendingTransactions);
        Assert.Equal(21u, (await Client().GetInfoAsync()).HeadBlockNum);
    }

    [Fact]
    public async Task A_count_is_taken_only_by_matching_requests_of_that_node_and_clears_the_fault_when_used_up()
    {
        _chain.Simulator.SetApiFaults("api1", new ApiFaults(Routes: ["send_transaction"], ErrorCode: 3080004, Count: 1));
        var transaction = _chain.RegisterOurKey("dc2");

        await Client("http://simulator/node/api2/").GetInfoAsync();
        await Client().GetInfoAsync();
        Assert.Equal(new ApiFaults(Routes: ["send_transaction"], ErrorCode: 3080004, Count: 1), _chain.Simulator.ApiFaultsOf("api1"));
        Assert.Equal(3080004L, (await Assert.ThrowsAsync<ChainApiException>(() => Client().SendTransactionAsync(transaction))).Code);
        Assert.Equal(ApiFaults.None, _chain.Simulator.ApiFaultsOf("api1"));

        var sent = await Client().SendTransactionAsync(transaction);
        Assert.Equal(sent.TransactionId, Assert.Single(_chain.State.PendingTransactions).Included.Id.ToString());
    }

    [Fact]
    public async Task A_counted_fault_claimed_from_many_threads_applies_exactly_count_times()
    {
        _chain.Simulator.SetApiFaults("api1", new ApiFaults(Routes: ["push_transaction"], ErrorCode: 3080004, Count: 50));

        var claims = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            _chain.Simulator.ClaimApiFaults("api1", i % 2 == 0 ? "push_transaction" : "get_info"))));

        Assert.Equal(50, claims.Count(c => c.ErrorCode == 3080004));
        Assert.Equal(150, claims.Count(c => c.IsNone));
        Assert.Equal(ApiFaults.None, _chain.Simulator.ApiFaultsOf("api1"));
    }

    [Fact]
    public void Latency_with_routes_and_count_delays_only_matching_requests_and_counts_down()
    {
        _chain.Simulator.SetApiFaults("api1", new ApiFaults(LatencyMs: 300, Routes: ["get_info"], Count: 2));

        Assert.True(_chain.Simulator.ClaimApiFaults("api1", "get_block").IsNone);
        Assert.Equal(300, _chain.Simulator.ClaimApiFaults("api1", "get_info").LatencyMs);
        Assert.Equal(1, _chain.Simulator.ApiFaultsOf("api1").Count);
        Assert.Equal(300, _chain.Simulator.ClaimApiFaults("api1", "get_info").LatencyMs);
        Assert.True(_chain.Simulator.ClaimApiFaults("api1", "get_info").IsNone);
    }

    private ChainApiClient Client(string baseAddress = "http://simulator/") => new(
        new HttpClient(new InProcessChainHandler(_chain.Simulator, _chain.Time)),
        new ChainApiOptions { BaseAddress = new Uri(baseAddress), ReadRetries = 0, Timeout = TimeSpan.FromSeconds(2), TimeProvider = _chain.Time });
}
