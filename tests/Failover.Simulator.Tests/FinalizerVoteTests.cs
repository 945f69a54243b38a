using System.Text.Json;
using Failover.Antelope.SystemContract;

namespace Failover.Simulator.Tests;

public sealed class FinalizerVoteTests
{
    [Fact]
    public async Task Get_finalizer_info_shows_our_finalizer_falling_behind_when_dc1_is_down_and_voting_again_after_actfinkey()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        await using var server = await SimulatorServer.StartAsync(chain);
        var dc1 = chain.Node("failover.bp/dc1").FinalizerKey!;
        var dc2 = chain.Node("failover.bp/dc2").FinalizerKey!;

        var lastVotedBeforeTheOutage = chain.State.Head.Number - 1;
        chain.Simulator.SetNodeDown("failover.bp/dc1", down: true);
        chain.AdvanceSlots(20);
        using (var info = await FinalizerInfo(server))
        {
            var head = chain.State.Head.Number;
            Assert.Equal(21, info.RootElement.GetProperty("active_finalizer_policy").GetProperty("finalizers").GetArrayLength());
            Assert.Equal(15, info.RootElement.GetProperty("active_finalizer_policy").GetProperty("threshold").GetInt32());
            Assert.Equal(head - 1, Vote(info, "prod.a").GetProperty("voted_for_block_num").GetUInt32());
            Assert.Equal(lastVotedBeforeTheOutage, Vote(info, "failover.bp").GetProperty("voted_for_block_num").GetUInt32());
            Assert.Equal(dc1, Vote(info, "failover.bp").GetProperty("public_key").GetString());
        }

        chain.Simulator.Push(chain.Sign(new ActFinKey(TestChain.Ours, dc2), "failover.bp", "failover", chain.AccountKey("failover.bp", "failover")));
        chain.AdvanceSlots(5);
        using (var info = await FinalizerInfo(server))
        {
            var ours = info.RootElement.GetProperty("last_tracked_votes").EnumerateArray().Where(v => v.GetProperty("description").GetString() == "failover.bp").ToList();
            Assert.Contains(ours, v => v.GetProperty("public_key").GetString() == dc2 && v.GetProperty("voted_for_block_num").GetUInt32() == chain.State.Head.Number - 1);
            Assert.Contains(info.RootElement.GetProperty("active_finalizer_policy").GetProperty("finalizers").EnumerateArray(), f => f.GetProperty("public_key").GetString() == dc2);
            Assert.Equal(2u, info.RootElement.GetProperty("active_finalizer_policy").GetProperty("generation").GetUInt32());
        }
    }

    [Fact]
    public async Task A_legacy_chain_has_no_finalizer_info_endpoint()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        await using var server = await SimulatorServer.StartAsync(chain);

        Assert.Equal(404, (await server.PostAsync("/v1/chain/get_finalizer_info")).Status);
    }

    private static async Task<JsonDocument> FinalizerInfo(SimulatorServer server)
    {
        var (status, body) = await server.PostAsync("/v1/chain/get_finalizer_info");
        Assert.Equal(200, status);
        return JsonDocument.Parse(body);
    }

    private static JsonElement Vote(JsonDocument info, string producer) =>
        info.RootElement.GetProperty("last_tracked_votes").EnumerateArray().Single(v => v.GetProperty("description").GetString() == producer);
}
