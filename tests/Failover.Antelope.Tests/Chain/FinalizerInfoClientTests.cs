using Failover.Antelope.Chain;

namespace Failover.Antelope.Tests.Chain;

public sealed class FinalizerInfoClientTests
{
    private const string Answer = """
        {"active_finalizer_policy":{"generation":3,"threshold":"15","finalizers":[{"description":"bp.one","weight":"1","public_key":"PUB_BLS_one"}]},
         "pending_finalizer_policy":null,
         "last_tracked_votes":[{"description":"bp.one","public_key":"PUB_BLS_one","is_vote_strong":true,"finalizer_policy_generation":3,
           "voted_for_block_id":"0000000a5c3d8a2f1e0f8f4c8b2a9f0e6d7c5b4a39281706f5e4d3c2b1a09f8e","voted_for_block_num":10,
           "voted_for_block_timestamp":"2024-10-23T03:17:45.000"}]}
        """;

    [Fact]
    public async Task Get_finalizer_info_posts_no_parameters_and_reads_the_policies_and_votes()
    {
        var handler = FakeNodeosHandler.Always(200, Answer);
        var client = new ChainApiClient(new HttpClient(handler), new ChainApiOptions { BaseAddress = new Uri("http://spring.test:8888") });

        var info = await client.GetFinalizerInfoAsync();

        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://spring.test:8888/v1/chain/get_finalizer_info", request.Uri.AbsoluteUri);
        Assert.Equal("{}", request.Body);
        Assert.Equal(3u, info.ActiveFinalizerPolicy.Generation);
        Assert.Equal(15ul, info.ActiveFinalizerPolicy.Threshold);
        Assert.Equal("PUB_BLS_one", Assert.Single(info.ActiveFinalizerPolicy.Finalizers).PublicKey);
        Assert.Null(info.PendingFinalizerPolicy);
        var vote = Assert.Single(info.LastTrackedVotes);
        Assert.True(vote.IsVoteStrong);
        Assert.Equal(10u, vote.VotedForBlockNum);
        Assert.Equal(new DateTimeOffset(2024, 10, 23, 3, 17, 45, TimeSpan.Zero), vote.VotedForBlockTimestamp);
    }

    [Fact]
    public async Task A_legacy_node_without_the_endpoint_is_a_chain_api_error()
    {
        var handler = FakeNodeosHandler.Always(404, ChainFixture.Load("error.unknown_endpoint_404.json").ResponseText);
        var client = new ChainApiClient(new HttpClient(handler), new ChainApiOptions { BaseAddress = new Uri("http://leap.test:8888") });

        var error = await Assert.ThrowsAsync<ChainApiException>(() => client.GetFinalizerInfoAsync());

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.HttpStatus);
    }
}
