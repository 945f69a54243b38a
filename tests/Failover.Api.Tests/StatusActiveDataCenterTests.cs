using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.ReadModels;
using Failover.EventStore;
using Failover.EventStore.Projections;
using Failover.Service.Api;
using Failover.Service.Configuration;

namespace Failover.Api.Tests;

/// <summary>
/// The status's active data center: the first by priority whose key alone satisfies our authority in the schedule in
/// force (KeyInForce), from the chain status document — weights and threshold honoured, keys compared parsed.
/// </summary>
public sealed class StatusActiveDataCenterTests
{
    private static readonly PublicKey KeyA = Derive("dc-a");
    private static readonly PublicKey KeyB = Derive("dc-b");

    private static readonly DataCenter DcA = new("dc-a", 1, KeyA, null, null);
    private static readonly DataCenter DcB = new("dc-b", 2, KeyB, null, new Uri("http://dc-b.example/"));

    private static PublicKey Derive(string seed) => PrivateKey.FromSecret(SHA256.HashData(Encoding.UTF8.GetBytes("failover-api-test/" + seed))).PublicKey;

    private static SigningAuthority Authority(uint threshold, params (string Key, ushort Weight)[] keys) =>
        new(threshold, [.. keys.Select(k => new ScheduleKey(k.Key, k.Weight))]);

    private static FailoverSettings Settings(params DataCenter[] dataCenters) => new(
        "obs-1",
        new StoreLocation(StoreKind.Sqlite, "unused.db"),
        null,
        [new Uri("http://node.example/")],
        ConsensusKind.Savanna,
        Name.Parse("ours"),
        dataCenters,
        new SignerSettings(Name.Parse("failover"), "unused.key", null),
        new FailoverPolicy(),
        false,
        ObserverSettings.Default,
        new ApiSettings(null, null, false));

    /// <summary>Given the chain status document with our keys and authority, When the status is read, Then the response.</summary>
    private static Task<StatusResponse> StatusAsync(IReadOnlyList<string> ourKeys, SigningAuthority? authority, params DataCenter[] dataCenters)
    {
        var status = ChainStatus.Start("ours") with { OurProducerScheduled = ourKeys.Count > 0, OurKeys = ourKeys, OurAuthority = authority };
        var store = new OneDocument(ChainHealthReadModel.ProjectionName, ChainStatus.DocumentId, JsonSerializer.SerializeToUtf8Bytes(status, ReadModelJsonContext.Default.ChainStatus));
        return QueryApi.StatusAsync(new ReadModelQueries(store), Settings(dataCenters.Length == 0 ? [DcA, DcB] : dataCenters), [], CancellationToken.None);
    }

    [Fact]
    public async Task The_data_center_whose_key_alone_reaches_the_threshold_is_active_not_the_first_listed()
    {
        // Threshold 2: dc-a's key (weight 1) cannot sign alone, dc-b's (weight 2) can.
        var status = await StatusAsync([KeyA.ToString(), KeyB.ToString()], Authority(2, (KeyA.ToString(), 1), (KeyB.ToString(), 2)));

        Assert.Equal("dc-b", status.ActiveDataCenter);
        Assert.Equal([KeyA.ToString(), KeyB.ToString()], status.OnChainKeys);
    }

    [Fact]
    public async Task No_data_center_is_active_when_no_key_alone_satisfies_our_authority()
    {
        var status = await StatusAsync([KeyA.ToString(), KeyB.ToString()], Authority(2, (KeyA.ToString(), 1), (KeyB.ToString(), 1)));

        Assert.Null(status.ActiveDataCenter);
    }

    [Fact]
    public async Task Of_two_keys_each_in_force_alone_the_data_center_first_by_priority_is_active()
    {
        var status = await StatusAsync([KeyB.ToString(), KeyA.ToString()], Authority(1, (KeyB.ToString(), 1), (KeyA.ToString(), 1)), DcB, DcA);

        Assert.Equal("dc-a", status.ActiveDataCenter);
    }

    [Fact]
    public async Task A_key_written_in_its_legacy_spelling_is_the_configured_key()
    {
        var status = await StatusAsync([KeyB.ToLegacyString()], SigningAuthority.SingleKey(KeyB.ToLegacyString()));

        Assert.Equal("dc-b", status.ActiveDataCenter);
    }

    [Fact]
    public async Task A_status_document_written_before_it_kept_our_authority_has_each_of_our_keys_in_force()
    {
        Assert.Equal("dc-b", (await StatusAsync([KeyB.ToString()], null)).ActiveDataCenter);
        Assert.Null((await StatusAsync([], null)).ActiveDataCenter);
    }

    [Fact]
    public async Task The_status_json_keeps_our_keys_and_adds_our_authority_with_its_threshold_and_weights()
    {
        var status = await StatusAsync([KeyA.ToString(), KeyB.ToString()], Authority(2, (KeyA.ToString(), 1), (KeyB.ToString(), 2)));

        var json = JsonNode.Parse(JsonSerializer.Serialize(status, ApiJsonContext.Default.StatusResponse))!;

        Assert.Equal("dc-b", (string?)json["active_data_center"]);
        Assert.Equal([KeyA.ToString(), KeyB.ToString()], json["on_chain_keys"]!.AsArray().Select(k => (string?)k));
        Assert.Equal([KeyA.ToString(), KeyB.ToString()], json["chain"]!["our_keys"]!.AsArray().Select(k => (string?)k));
        Assert.Equal(
            $$"""{"threshold":2,"keys":[{"key":"{{KeyA}}","weight":1},{"key":"{{KeyB}}","weight":2}]}""",
            json["chain"]!["our_authority"]!.ToJsonString());
    }

    /// <summary>A projection store holding one document.</summary>
    private sealed class OneDocument(string documentProjection, string documentId, byte[] documentBody) : IProjectionStore
    {
        public Task<byte[]?> ReadDocumentAsync(string projection, string id, CancellationToken cancellationToken = default) =>
            Task.FromResult(projection == documentProjection && id == documentId ? documentBody : null);

        public Task<long> ReadCheckpointAsync(string projection, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<long> CommitAsync(IProjection projection, IAsyncEnumerable<RecordedEvent> events, long expectedCheckpoint, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task ResetAsync(string projection, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProjectionDocument>> ReadDocumentsAsync(string projection, string fromId, string toId, int limit, bool descending, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
