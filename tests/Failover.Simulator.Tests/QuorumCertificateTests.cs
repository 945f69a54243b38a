using System.Text.Json;
using Failover.Antelope.Blocks;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;

namespace Failover.Simulator.Tests;

/// <summary>
/// The simulator writes each Savanna block's quorum certificate (block extension 3) into <c>get_block</c>'s
/// <c>qc_extension</c>, with bits over the active policy for the finalizers whose node is up on the certifying side.
/// </summary>
public sealed class QuorumCertificateTests
{
    [Fact]
    public async Task Get_block_carries_the_certificate_of_the_block_it_claims_and_our_finalizer_drops_out_of_it_while_dc1_is_down()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        await using var server = await SimulatorServer.StartAsync(chain);
        var policy = chain.State.Finalizers.Finalizers;
        var ours = policy.ToList().FindIndex(f => f.Key == chain.Node("failover.bp/dc1").FinalizerKey);
        Assert.True(ours >= 0);

        var before = await Certificate(server, chain.State.Head.Number);
        Assert.Equal(chain.State.Head.Number - 1, before.BlockNum);
        Assert.Equal(policy.Count, before.Active.Strong!.Count);
        Assert.True(before.Active.IsStrong);
        Assert.All(Enumerable.Range(0, policy.Count), i => Assert.True(before.Active.Voted(i)));
        Assert.Null(before.Pending);

        chain.Simulator.SetNodeDown("failover.bp/dc1", down: true);
        chain.AdvanceSlots(4);
        var during = await Certificate(server, chain.State.Head.Number);
        Assert.False(during.Active.Voted(ours));
        Assert.Equal(policy.Count - 1, Enumerable.Range(0, policy.Count).Count(during.Active.Voted));

        chain.Simulator.SetNodeDown("failover.bp/dc1", down: false);
        chain.AdvanceSlots(2);
        Assert.True((await Certificate(server, chain.State.Head.Number)).Active.Voted(ours));
    }

    [Fact]
    public async Task A_block_whose_claim_does_not_advance_carries_no_certificate()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(10);
        await using var server = await SimulatorServer.StartAsync(chain);
        chain.Simulator.SetFinalityStalled(true);
        chain.AdvanceSlots(2);

        using var block = JsonDocument.Parse((await server.PostAsync("/v1/chain/get_block", $"{{\"block_num_or_id\":{chain.State.Head.Number}}}")).Body);
        Assert.False(block.RootElement.TryGetProperty("qc_extension", out _));
    }

    [Fact]
    public async Task A_legacy_block_carries_no_certificate()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        chain.AdvanceSlots(10);
        await using var server = await SimulatorServer.StartAsync(chain);

        using var block = JsonDocument.Parse((await server.PostAsync("/v1/chain/get_block", $"{{\"block_num_or_id\":{chain.State.Head.Number}}}")).Body);
        Assert.False(block.RootElement.TryGetProperty("qc_extension", out _));
    }

    private static async Task<QuorumCertificateVotes> Certificate(SimulatorServer server, uint blockNum)
    {
        var (status, body) = await server.PostAsync("/v1/chain/get_block", $"{{\"block_num_or_id\":{blockNum}}}");
        Assert.Equal(200, status);
        var block = JsonSerializer.Deserialize(body, ChainJsonContext.Default.GetBlockResult)!;
        var certificate = QuorumCertificateVotes.FromJson(block.QcExtension ?? throw new Xunit.Sdk.XunitException($"block {blockNum} carries no qc_extension"));
        Assert.Equal(certificate.Active.Strong!.ToString(), QuorumCertificateVotes.Unpack(certificate.Pack()).Active.Strong!.ToString());
        return certificate;
    }
}
