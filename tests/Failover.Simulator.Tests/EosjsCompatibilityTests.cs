using System.Text.Json.Nodes;
using Failover.Testing;

namespace Failover.Simulator.Tests;

/// <summary>An unmodified third-party client (eosjs 22.1.0 with JsSignatureProvider) transacts against the simulator over HTTP.</summary>
public sealed class EosjsCompatibilityTests
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
        Assert.Contains("/v1/chain/get_required_keys", calls);
        Assert.Equal("/v1/chain/push_transaction", calls[^1]);

        var rows = await server.Client().GetProducerRowsAsync();
        Assert.Equal(newKey.ToLegacyString(), rows.Rows.Single(r => r.Owner == "failover.bp").ProducerKey);
        chain.AdvanceSlots(1);
        Assert.Equal(result["transaction_id"]!.GetValue<string>(), Assert.Single(chain.State.Head.Transactions).Id.ToString());
    }
}
