using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Antelope.Chain.Wire;
using Failover.Testing;

namespace Failover.Simulator.Tests;

/// <summary>Unmodified third-party clients (eosjs 22.1.0, @wharfkit/antelope 1.2.0) against the simulator over HTTP.</summary>
public sealed class ThirdPartyClientTests
{
    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public async Task Eosjs_pushes_a_regproducer_with_the_failover_permission_and_the_producers_table_shows_the_new_key(ConsensusMode mode)
    {
        var chain = new TestChain(mode);
        chain.AdvanceSlots(40);
        await using var server = await SimulatorServer.StartAsync(chain);
        var newKey = chain.Node("failover.bp/dc2").SigningKey.PublicKey;

        var result = await NodeReference.RunAsync("sim-eosjs-transact.mjs", new JsonObject
        {
            ["url"] = server.BaseAddress.ToString().TrimEnd('/'),
            ["private_key"] = chain.AccountKey("failover.bp", "failover").ExportPvtK1(),
            ["actor"] = "failover.bp",
            ["permission"] = "failover",
            ["producer"] = "failover.bp",
            ["producer_key"] = newKey.ToString(),
            ["producer_url"] = "https://failover.bp.example",
        });

        Assert.Equal(64, result["transaction_id"]!.GetValue<string>().Length);
        Assert.Null(result["processed"]!["except"]);
        var calls = result["calls"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Contains("/v1/chain/get_info", calls);
        Assert.Contains("/v1/chain/get_raw_abi", calls);
        Assert.Contains(mode == ConsensusMode.Legacy ? "/v1/chain/get_block_header_state" : "/v1/chain/get_block_info", calls);
        Assert.Contains("/v1/chain/get_required_keys", calls);
        Assert.Equal("/v1/chain/push_transaction", calls[^1]);

        chain.AdvanceSlots(1);
        Assert.Equal(result["transaction_id"]!.GetValue<string>(), Assert.Single(chain.State.Head.Transactions).Id.ToString());
        var rows = await server.Client().GetProducerRowsAsync();
        Assert.Equal(newKey.ToLegacyString(), rows.Rows.Single(r => r.Owner == "failover.bp").ProducerKey);
    }

    [Fact]
    public async Task Hex_producer_rows_decode_with_wharfkit_and_the_served_abi_to_the_json_rows()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        chain.Simulator.Push(chain.RegisterOurKey("dc2"));
        chain.AdvanceSlots(1);
        await using var server = await SimulatorServer.StartAsync(chain);
        var request = new GetTableRowsRequest(Json: false, Code: "eosio", Scope: "eosio", Table: "producers", Limit: 3);

        var hexRows = await server.Client().GetTableRowsAsync(request);
        var jsonRows = (await server.Client().GetProducerRowsAsync(limit: 3)).Rows;
        var abi = (await server.Http.PostAsync("/v1/chain/get_abi", new StringContent("""{"account_name":"eosio"}""")));
        var decoded = await NodeReference.RunAsync("sim-decode-rows.mjs", new JsonObject
        {
            ["abi"] = JsonNode.Parse(await abi.Content.ReadAsStringAsync())!["abi"]!.DeepClone(),
            ["type"] = "producer_info",
            ["rows"] = new JsonArray([.. hexRows.Rows.Select(r => (JsonNode)r.GetString()!)]),
        });

        var rows = decoded["rows"]!.AsArray();
        Assert.Equal(3, rows.Count);
        for (var i = 0; i < 3; i++)
        {
            var row = rows[i]!;
            Assert.Equal(jsonRows[i].Owner, row["owner"]!.GetValue<string>());
            Assert.Equal(PublicKey.Parse(jsonRows[i].ProducerKey), PublicKey.Parse(row["producer_key"]!.GetValue<string>()));
            Assert.Equal(jsonRows[i].IsActive, row["is_active"]!.GetValue<bool>());
            Assert.Equal(jsonRows[i].Url, row["url"]!.GetValue<string>());
            Assert.Equal(jsonRows[i].TotalVotes, double.Parse(row["total_votes"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(jsonRows[i].UnpaidBlocks, row["unpaid_blocks"]!.GetValue<uint>());
            Assert.Equal(BlockTimestamp.Format(jsonRows[i].LastClaimTime), row["last_claim_time"]!.GetValue<string>());
            var authority = row["producer_authority"]!.AsArray();
            Assert.Equal("block_signing_authority_v0", authority[0]!.GetValue<string>());
            Assert.Equal(PublicKey.Parse(jsonRows[i].ProducerAuthority!.Keys.Single().Key), PublicKey.Parse(authority[1]!["keys"]![0]!["key"]!.GetValue<string>()));
        }
    }
}
