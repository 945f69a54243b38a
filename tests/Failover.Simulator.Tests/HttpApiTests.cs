using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;

namespace Failover.Simulator.Tests;

public sealed class HttpApiTests : RunningSimulatorTests
{
    [Fact]
    public async Task Our_chain_client_reads_head_blocks_and_schedule_in_nodeos_shape()
    {
        var client = Server.Client();

        var info = await client.GetInfoAsync();
        Assert.Equal(Chain.State.ChainId.ToString(), info.ChainId);
        Assert.Equal(31u, info.HeadBlockNum);
        Assert.Equal(29u, info.LastIrreversibleBlockNum);
        Assert.Equal(Chain.State.Head.Timestamp, info.HeadBlockTime);

        var byNumber = await client.GetBlockAsync(info.HeadBlockNum);
        var byId = await client.GetBlockAsync(info.HeadBlockId);
        Assert.Equal(info.HeadBlockId, byNumber.Id);
        Assert.Equal(byNumber.Id, byId.Id);
        Assert.Equal(2147483648u, byNumber.ScheduleVersion);
        Assert.Equal(30u, byNumber.FinalityExtension!.QcClaim.BlockNum);
        Assert.Equal(BlockId.RefBlockPrefix(Checksum256.Parse(byNumber.Id)), byNumber.RefBlockPrefix);

        var blockInfo = await client.GetBlockInfoAsync(30);
        Assert.Equal(byNumber.Previous, blockInfo.Id);

        var schedule = await client.GetProducerScheduleAsync();
        Assert.Equal(1u, schedule.Active!.Version);
        Assert.Equal(21, schedule.Active.Producers.Count);
        Assert.Null(schedule.Proposed);
    }

    [Fact]
    public async Task Our_chain_client_reads_producers_accounts_and_the_system_abi()
    {
        var client = Server.Client();

        var producers = await client.GetProducersAsync(limit: 5);
        Assert.Equal(5, producers.Rows.Count);
        Assert.Equal(producers.Rows.OrderByDescending(r => r.TotalVotes).Select(r => r.Owner), producers.Rows.Select(r => r.Owner));
        Assert.NotEqual(string.Empty, producers.More);

        var rows = await client.GetProducerRowsAsync();
        Assert.Equal(21, rows.Rows.Count);
        var ours = rows.Rows.Single(r => r.Owner == "failover.bp");
        Assert.Equal(Chain.Node("failover.bp/dc1").SigningKey.PublicKey.ToLegacyString(), ours.ProducerKey);
        Assert.True(ours.IsActive);

        var account = await client.GetAccountAsync("failover.bp");
        var failover = account.Permissions.Single(p => p.PermName == "failover");
        Assert.Equal("active", failover.Parent);
        Assert.Equal(["actfinkey", "regproducer", "regproducer2"], failover.LinkedActions!.Select(l => l.Action!).Order(StringComparer.Ordinal));

        var abi = await client.GetRawAbiAsync("eosio");
        Assert.Equal(abi.AbiHash, Checksum256.Hash(abi.DecodeAbi()).ToString());
        Assert.Null((await client.GetRawAbiAsync("eosio", abi.AbiHash)).Abi);
        Assert.Contains((await client.GetAbiAsync("eosio")).Abi!.Actions, a => a.Name == "regproducer2");
    }

    [Fact]
    public async Task A_regproducer_pushed_through_our_client_shows_in_the_producers_table_once_a_block_includes_it()
    {
        var client = Server.Client();
        var transaction = Chain.RegisterOurKey("dc2");

        var pushed = await client.PushTransactionAsync(transaction);
        Assert.Equal(pushed.TransactionId, pushed.Processed.Id);
        Assert.Null(pushed.Processed.Except);
        Assert.Equal(32u, pushed.Processed.BlockNum);

        var ours = (await client.GetProducerRowsAsync()).Rows.Single(r => r.Owner == "failover.bp");
        Assert.Equal(Chain.Node("failover.bp/dc1").SigningKey.PublicKey.ToLegacyString(), ours.ProducerKey);
        Chain.AdvanceSlots(1);
        ours = (await client.GetProducerRowsAsync()).Rows.Single(r => r.Owner == "failover.bp");
        Assert.Equal(Chain.Node("failover.bp/dc2").SigningKey.PublicKey.ToLegacyString(), ours.ProducerKey);

        var duplicate = await Assert.ThrowsAsync<ChainApiException>(() => client.SendTransactionAsync(transaction));
        Assert.Equal(3040008L, duplicate.Code);
        Assert.Equal(500, (int?)duplicate.HttpStatus);
    }

    [Fact]
    public async Task Send_transaction2_answers_202_and_returns_a_failure_as_a_trace_with_except()
    {
        var client = Server.Client();
        var transaction = Chain.RegisterOurKey("dc2");

        var accepted = await client.SendTransaction2Async(new SendTransaction2Request(true, false, transaction));
        Assert.Null(accepted.Processed.Except);

        var failed = await client.SendTransaction2Async(new SendTransaction2Request(true, false, transaction));
        Assert.Equal(accepted.TransactionId, failed.TransactionId);
        Assert.Equal(3040008, failed.Processed.Except!.Value.GetProperty("code").GetInt64());
        Assert.Equal("tx_duplicate", failed.Processed.Except.Value.GetProperty("name").GetString());

        var thrown = await Assert.ThrowsAsync<ChainApiException>(() => client.SendTransaction2Async(new SendTransaction2Request(false, false, transaction)));
        Assert.Equal(3040008L, thrown.Code);
    }

    [Fact]
    public async Task Get_required_keys_picks_the_failover_key_for_a_linked_action_and_rejects_unrelated_keys()
    {
        var failoverKey = Chain.AccountKey("failover.bp", "failover").PublicKey;
        var transaction = """{"expiration":"2026-01-01T00:01:00","ref_block_num":1,"ref_block_prefix":0,"max_net_usage_words":0,"max_cpu_usage_ms":0,"delay_sec":0,"context_free_actions":[],"actions":[{"account":"eosio","name":"regproducer","authorization":[{"actor":"failover.bp","permission":"failover"}],"data":""}],"transaction_extensions":[]}""";
        var other = Chain.AccountKey("prod.a", "active").PublicKey;

        var (status, body) = await Server.PostAsync("/v1/chain/get_required_keys", $$"""{"transaction":{{transaction}},"available_keys":["{{other}}","{{failoverKey}}"]}""");
        Assert.Equal(200, status);
        Assert.Equal($$"""{"required_keys":["{{failoverKey.ToLegacyString()}}"]}""", body);

        var (rejected, error) = await Server.PostAsync("/v1/chain/get_required_keys", $$"""{"transaction":{{transaction}},"available_keys":["{{other}}"]}""");
        Assert.Equal(500, rejected);
        Assert.Equal(3090003, JsonDocument.Parse(error).RootElement.GetProperty("error").GetProperty("code").GetInt64());
    }

    [Fact]
    public async Task Get_raw_code_and_abi_serves_code_and_abi_in_base64_as_nodeos_does_and_empty_for_an_account_without_them()
    {
        var rawAbi = await Server.Client().GetRawAbiAsync("eosio");

        var (status, body) = await Server.PostAsync("/v1/chain/get_raw_code_and_abi", """{"account_name":"eosio"}""");

        Assert.Equal(200, status);
        using var eosio = JsonDocument.Parse(body);
        Assert.Equal(["account_name", "wasm", "abi"], eosio.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("eosio", eosio.RootElement.GetProperty("account_name").GetString());
        Assert.Equal(rawAbi.DecodeAbi(), Convert.FromBase64String(eosio.RootElement.GetProperty("abi").GetString()!));
        Assert.Equal(rawAbi.CodeHash, Checksum256.Hash(Convert.FromBase64String(eosio.RootElement.GetProperty("wasm").GetString()!)).ToString());

        (status, body) = await Server.PostAsync("/v1/chain/get_raw_code_and_abi", """{"account_name":"failover.bp"}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"account_name":"failover.bp","wasm":"","abi":""}""", body);
        var noAbi = await Server.Client().GetRawAbiAsync("failover.bp");
        Assert.Equal(Checksum256.Zero.ToString(), noAbi.CodeHash);
        Assert.Equal(Checksum256.Hash([]).ToString(), noAbi.AbiHash);
        Assert.Equal(string.Empty, noAbi.Abi);

        (status, body) = await Server.PostAsync("/v1/chain/get_raw_code_and_abi", """{"account_name":"nobody"}""");
        Assert.Equal(400, status);
        Assert.Contains("account_query_exception", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_endpoints_bad_bodies_and_unknown_blocks_get_nodeos_error_bodies()
    {
        var (status, body) = await Server.PostAsync("/v1/chain/get_everything", "{}");
        Assert.Equal(404, status);
        Assert.Equal("""{"code":404,"message":"Not Found","error":{"code":0,"name":"exception","what":"unspecified","details":[{"message":"Unknown Endpoint","file":"beast_http_session.hpp","line_number":186,"method":"handle_request"}]}}""", body);

        (status, body) = await Server.PostAsync("/v1/chain/get_block");
        Assert.Equal(400, status);
        Assert.Contains("\"name\":\"invalid_http_request\"", body, StringComparison.Ordinal);
        Assert.Contains("A Request body is required", body, StringComparison.Ordinal);

        (status, body) = await Server.PostAsync("/v1/chain/push_transaction", "{not json");
        Assert.Equal(400, status);
        Assert.Contains("invalid_http_request", body, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<ChainApiException>(() => Server.Client().GetBlockAsync(999_999));
        Assert.Equal(3100002L, unknown.Code);
        Assert.Equal(400, (int?)unknown.HttpStatus);

        var account = await Assert.ThrowsAsync<ChainApiException>(() => Server.Client().GetAccountAsync("nobody"));
        Assert.Equal(3060002L, account.Code);
    }

    [Fact]
    public async Task API_faults_switch_on_and_off_per_node()
    {
        Assert.Equal(200, (await Server.PostAsync("/sim/api/api1/faults", """{"error_status":503}""")).Status);
        var busy = await Assert.ThrowsAsync<ChainApiException>(() => Server.Client().GetInfoAsync());
        Assert.Equal(503, (int?)busy.HttpStatus);
        Assert.Equal(31u, (await Server.Client("api2").GetInfoAsync()).HeadBlockNum);

        Assert.Equal(200, (await Server.PostAsync("/sim/api/api1/faults", """{"error_status":500}""")).Status);
        Assert.Equal(500, (int?)(await Assert.ThrowsAsync<ChainApiException>(() => Server.Client().GetInfoAsync())).HttpStatus);

        Assert.Equal(200, (await Server.PostAsync("/sim/api/api1/faults", """{"malformed":true}""")).Status);
        await Assert.ThrowsAsync<ChainApiMalformedResponseException>(() => Server.Client().GetInfoAsync());

        Assert.Equal(200, (await Server.PostAsync("/sim/api/api1/faults", """{"timeout":true}""")).Status);
        await Assert.ThrowsAsync<ChainApiTimeoutException>(() => Server.Client(timeout: TimeSpan.FromMilliseconds(300)).GetInfoAsync());

        Assert.Equal(200, (await Server.PostAsync("/sim/api/api1/faults", """{"latency_ms":300}""")).Status);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(31u, (await Server.Client().GetInfoAsync()).HeadBlockNum);
        Assert.True(watch.ElapsedMilliseconds >= 290, $"answered after {watch.ElapsedMilliseconds} ms");

        using var response = await Server.Http.DeleteAsync("/sim/api/api1/faults");
        Assert.Equal(31u, (await Server.Client().GetInfoAsync()).HeadBlockNum);

        Assert.Equal(400, (await Server.PostAsync("/sim/api/api1/faults", """{"error_status":418}""")).Status);
    }

    [Fact]
    public async Task Sim_routes_partition_stall_and_heal_and_the_state_shows_only_public_keys()
    {
        var (status, _) = await Server.PostAsync("/sim/partition", """{"sides":[["api1"],["failover.bp","prod.a","api2"]]}""");
        Assert.Equal(200, status);
        Assert.Equal(200, (await Server.PostAsync("/sim/nodes/prod.b/dc1/down")).Status);
        Assert.Equal(200, (await Server.PostAsync("/sim/finality/stall")).Status);
        Chain.AdvanceSlots(252);

        var (_, state) = await Server.PostAsync("/sim/api/api2/stall");
        using var snapshot = JsonDocument.Parse(state);
        Assert.True(snapshot.RootElement.GetProperty("faults").GetProperty("partitioned").GetBoolean());
        Assert.Equal(["prod.b/dc1"], snapshot.RootElement.GetProperty("faults").GetProperty("down_nodes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, snapshot.RootElement.GetProperty("sides").GetArrayLength());
        using (var keys = new MemoryStream())
        {
            SimulationKeysFile.Write(Chain.Roster, keys);
            using var keyFile = JsonDocument.Parse(keys.ToArray());
            var secrets = keyFile.RootElement.GetProperty("accounts").EnumerateObject().SelectMany(a => a.Value.EnumerateObject()).SelectMany(p => p.Value.EnumerateArray()).Select(k => k.GetString()!)
                .Concat(keyFile.RootElement.GetProperty("nodes").EnumerateObject().Select(n => n.Value.GetProperty("signing").GetString()!))
                .ToList();
            const int accountKeys = (2 * 21) + 1 + 2, nodeKeys = 20 + 2; // owner+active of 21 producers, failover, eosio; one node each, two for ours
            Assert.Equal(accountKeys + nodeKeys, secrets.Count);
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, state, StringComparison.Ordinal));
            Assert.Contains(Chain.Node("failover.bp/dc2").SigningKey.PublicKey.ToString(), state, StringComparison.Ordinal);
        }

        var (healStatus, heal) = await Server.PostAsync("/sim/heal");
        Assert.Equal(200, healStatus);
        Assert.Equal(0, JsonDocument.Parse(heal).RootElement.GetProperty("winning_side").GetInt32());
        Assert.Equal(400, (await Server.PostAsync("/sim/partition", """{"sides":[["nobody"],["api2"]]}""")).Status);
    }
}

public sealed class HttpScheduleChangeTests
{
    [Fact]
    public async Task Savanna_the_proposing_block_carries_the_new_proposer_policy_and_get_producer_schedule_shows_it_once_pending_then_active()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.AdvanceSlots(10);
        await using var server = await SimulatorServer.StartAsync(chain);
        var client = server.Client();
        await client.PushTransactionAsync(chain.RegisterOurKey("dc2"));

        chain.AdvanceUntil(s => s.Proposed is not null, 200, "a proposal");
        var block = await client.GetBlockAsync(chain.State.Head.Number);
        Assert.Equal(2u, block.FinalityExtension!.NewProposerPolicyDiff!.Version);
        Assert.Equal(block.Timestamp, block.FinalityExtension.NewProposerPolicyDiff.ProposalTime);
        Assert.Null((await client.GetProducerScheduleAsync()).Pending);

        chain.AdvanceUntil(s => s.Pending is not null, 12, "the first block of the next window");
        var pending = await client.GetProducerScheduleAsync();
        Assert.Equal(1u, pending.Active!.Version);
        Assert.Equal(2u, pending.Pending!.Version);

        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 100, "activation");
        var active = await client.GetProducerScheduleAsync();
        Assert.Equal(2u, active.Active!.Version);
        Assert.Null(active.Pending);
        Assert.Equal(chain.Node("failover.bp/dc2").SigningKey.PublicKey.ToLegacyString(), active.Active.Producers.Single(p => p.ProducerName == "failover.bp").Authority.Keys.Single().Key);
    }

    [Fact]
    public async Task Legacy_the_block_that_makes_a_schedule_pending_shows_new_producer_schedule_and_headers_carry_the_active_version()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        chain.AdvanceSlots(10);
        await using var server = await SimulatorServer.StartAsync(chain);
        var client = server.Client();
        await client.PushTransactionAsync(chain.RegisterOurKey("dc2"));

        chain.AdvanceUntil(s => s.Proposed is not null, 300, "a proposal");
        Assert.Equal(2u, (await client.GetProducerScheduleAsync()).Proposed!.Version);
        chain.AdvanceUntil(s => s.Pending is not null, 2000, "pending");
        var block = await client.GetBlockAsync(chain.State.Head.Number);
        Assert.Equal(2u, block.NewProducerSchedule!.Version);
        Assert.Equal(1u, block.ScheduleVersion);
        Assert.Null(block.FinalityExtension);
        Assert.Equal(2u, (await client.GetProducerScheduleAsync()).Pending!.Version);

        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 2000, "activation");
        chain.AdvanceSlots(1);
        Assert.Equal(2u, (await client.GetBlockInfoAsync(chain.State.Head.Number)).ScheduleVersion);
    }

    [Fact]
    public async Task Legacy_get_block_header_state_shows_the_dpos_state_of_reversible_blocks_only()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        chain.AdvanceSlots(600);
        await using var server = await SimulatorServer.StartAsync(chain);
        var head = chain.State.Head;

        var state = await server.Client().GetBlockHeaderStateAsync(head.Id.ToString());
        Assert.Equal(head.Number, state.BlockNum);
        Assert.Equal(chain.State.LastIrreversible, state.DposIrreversibleBlocknum);
        Assert.Equal(chain.State.Dpos.ProposedIrreversible, state.DposProposedIrreversibleBlocknum);
        Assert.Equal(21, state.ProducerToLastProduced.Count);
        Assert.Equal(head.Number, state.ProducerToLastProduced.Single(p => p.Producer == head.Producer.ToString()).BlockNum);
        Assert.Equal(head.ProducerSignature.ToString(), state.Header.ProducerSignature);
        Assert.Equal(chain.Roster.PrimaryNode(head.Producer).SigningKey.PublicKey.ToLegacyString(), state.ValidBlockSigningAuthority.Keys.Single().Key);
        var digest = head.Header.LegacySigDigest(
            Checksum256.Parse(state.BlockrootMerkle.ActiveNodes[^1]), Checksum256.Parse(state.PendingSchedule.ScheduleHash));
        Assert.Equal(state.ValidBlockSigningAuthority.Keys.Single().Key, Signature.Parse(state.Header.ProducerSignature!).RecoverPublicKey(digest.AsSpan()).ToLegacyString());

        var final = await Assert.ThrowsAsync<ChainApiException>(() => server.Client().GetBlockHeaderStateAsync(chain.State.LastIrreversible.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(3100002L, final.Code);
        Assert.Contains("Could not find reversible block", final.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Savanna_get_block_header_state_has_only_the_number_id_and_header_like_Spring()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.AdvanceSlots(20);
        await using var server = await SimulatorServer.StartAsync(chain);

        var state = await server.Client().GetBlockHeaderStateAsync("5");
        Assert.Equal(5u, state.BlockNum);
        Assert.Equal(chain.State.BlockByNumber(5)!.Id.ToString(), state.Id);
        Assert.Equal(0u, state.DposIrreversibleBlocknum);
        Assert.Empty(state.ActiveSchedule.Producers);
        var extension = Assert.Single(state.Header.HeaderExtensions);
        Assert.Equal(2, extension.Type);
        Assert.StartsWith("04000000" + "01", extension.Data, StringComparison.Ordinal);
    }
}
