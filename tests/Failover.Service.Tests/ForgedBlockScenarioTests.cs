using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Simulator;
using Failover.Simulator.Network;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Tests;

/// <summary>
/// issue 17.3: an endpoint that serves blocks their producers did not sign — the way a lying node would fake other
/// producers' participation on a chain only it shows — is an endpoint problem: nothing it serves is recorded, it is
/// judged, and the observer goes on with the honest endpoint once that answers.
/// </summary>
public sealed class ForgedBlockScenarioTests
{
    private const string Api2 = "http://simulator/node/api2";

    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public async Task Blocks_whose_signature_is_not_their_producer_s_key_are_not_recorded_and_the_endpoint_is_judged(ConsensusMode mode)
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { Consensus = mode });
        await rig.RunForAsync(TimeSpan.FromSeconds(5));
        var recordedBefore = (await rig.ChainEventsAsync()).OfType<BlockProduced>().Count();

        // api1 fails, so api2 is the only endpoint to follow; api2 serves every block re-signed with a key nobody scheduled.
        rig.Simulator.SetApiFaults("api1", new ApiFaults(ErrorStatus: 503));
        rig.RewriteAnswers((url, body) => url.AbsolutePath.StartsWith("/node/api2/v1/chain/get_block", StringComparison.Ordinal) ? Forge(body) : body);
        await rig.RunForAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(recordedBefore, (await rig.ChainEventsAsync()).OfType<BlockProduced>().Count());
        Assert.Contains((await rig.ObserverEventsAsync()).OfType<EndpointDegraded>(), d => d.Endpoint == Api2 && d.Reason == EndpointReasons.Inconsistent);
        Assert.Contains(rig.Instances[0].Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("its producer did not sign it", StringComparison.Ordinal));

        rig.Simulator.SetApiFaults("api1", ApiFaults.None);
        await rig.RunForAsync(TimeSpan.FromSeconds(10));
        Assert.True((await rig.ChainEventsAsync()).OfType<BlockProduced>().Count() > recordedBefore + 10, "the honest endpoint's blocks are recorded again");
        Assert.DoesNotContain((await rig.ChainEventsAsync()).OfType<BlockProduced>(), b => b.SigningKey == Forger.ToString());
        await Scenario.ChainStreamHoldsEachBlockOnceAsync(rig);
    }

    /// <summary>A legacy signature is made over the header state: one whose header is not the block's (it hashes to another id) is malformed.</summary>
    [Fact]
    public async Task A_legacy_header_state_whose_header_is_not_the_block_s_makes_the_endpoint_malformed()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { Consensus = ConsensusMode.Legacy });
        await rig.RunForAsync(TimeSpan.FromSeconds(5));
        var recordedBefore = (await rig.ChainEventsAsync()).OfType<BlockProduced>().Count();

        rig.Simulator.SetApiFaults("api1", new ApiFaults(ErrorStatus: 503));
        rig.RewriteAnswers((url, body) => url.AbsolutePath == "/node/api2/v1/chain/get_block_header_state" ? OtherHeader(body) : body);
        await rig.RunForAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(recordedBefore, (await rig.ChainEventsAsync()).OfType<BlockProduced>().Count());
        Assert.Contains((await rig.ObserverEventsAsync()).OfType<EndpointDegraded>(), d => d.Endpoint == Api2 && d.Reason == EndpointReasons.Malformed);
    }

    [Fact]
    public async Task Only_our_producer_s_signing_keys_are_recorded_every_other_block_is_checked_without_growing_the_store()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        await rig.RunForAsync(TimeSpan.FromSeconds(130));
        var blocks = (await rig.ChainEventsAsync()).OfType<BlockProduced>().ToList();
        Assert.Contains(blocks, b => b.Producer == ServiceRig.OursText);
        Assert.All(blocks, b => Assert.Equal(b.Producer == ServiceRig.OursText, b.SigningKey is not null));
    }

    private static string OtherHeader(string body)
    {
        var state = JsonNode.Parse(body)!.AsObject();
        state["header"]!["confirmed"] = state["header"]!["confirmed"]!.GetValue<int>() + 1;
        return state.ToJsonString();
    }

    private static readonly PrivateKey ForgingKey = PrivateKey.FromSecret(SHA256.HashData(Encoding.UTF8.GetBytes("forged-block-scenario")));

    private static PublicKey Forger => ForgingKey.PublicKey;

    /// <summary>
    /// The block as served, its producer_signature replaced by the forger's signature over its id (what a Savanna block
    /// is signed over; on a legacy chain it recovers, over the sig_digest, to some other key no one scheduled).
    /// </summary>
    private static string Forge(string body)
    {
        if (JsonNode.Parse(body) is not JsonObject block || block["producer_signature"] is null || block["id"] is null)
        {
            return body; // get_block_header_state: the signature the observer checks is the one get_block(_info) serves
        }

        block["producer_signature"] = ForgingKey.SignDigest(Checksum256.Parse(block["id"]!.GetValue<string>()).AsSpan()).ToString();
        return block.ToJsonString();
    }
}
