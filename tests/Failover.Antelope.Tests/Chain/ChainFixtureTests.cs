using System.Globalization;
using System.Text.Json;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using static Failover.Antelope.Tests.Chain.ChainJson;

namespace Failover.Antelope.Tests.Chain;

/// <summary>
/// Every file in <c>Fixtures/</c> is read into the record of its endpoint and written back unchanged (same members,
/// order and number forms), and the fields an observer relies on agree with each other as the protocol requires.
/// </summary>
public sealed class ChainFixtureTests
{
    private static readonly (string Prefix, Action<ChainFixture> Check)[] Handlers =
    [
        ("error.", CheckError),
        ("get_info.", CheckGetInfo),
        ("get_block.", CheckGetBlock),
        ("get_block_info.", CheckGetBlockInfo),
        ("get_block_header_state.", CheckGetBlockHeaderState),
        ("get_producer_schedule.", CheckGetProducerSchedule),
        ("get_producers.", CheckGetProducers),
        ("get_table_rows.producers", CheckProducerRows),
        ("get_table_rows.", CheckTableRows),
        ("get_account.", CheckGetAccount),
        ("get_raw_abi.", CheckGetRawAbi),
        ("get_abi.", CheckGetAbi),
        ("get_required_keys.", CheckGetRequiredKeys),
        ("push_transaction.request", CheckPushRequest),
        ("push_transaction.", CheckPushResult),
        ("send_transaction.", CheckPushResult),
        ("send_transaction2.", CheckSendTransaction2),
        ("serialization_vectors.json", CheckSerializationVectors),
    ];

    public static TheoryData<string> FixtureNames => [.. ChainFixture.AllNames];

    [Fact]
    public void The_fixture_folder_holds_every_shared_fixture()
    {
        Assert.Equal(41, ChainFixture.AllNames.Count);
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Every_fixture_reads_into_its_endpoint_record_and_writes_back_unchanged(string name)
    {
        var fixture = ChainFixture.Load(name);
        var handler = Handlers.FirstOrDefault(h => name.StartsWith(h.Prefix, StringComparison.Ordinal));
        Assert.True(handler.Check is not null, $"no endpoint record is known for fixture {name}");
        handler.Check(fixture);
    }

    private static void CheckError(ChainFixture fixture)
    {
        var body = JsonRoundTrip.Check(fixture.ResponseJson, Json.ChainErrorBody);
        Assert.Equal(fixture.HttpStatus, body.Code);
        Assert.Equal(fixture.ResponseJson.GetProperty("error").GetProperty("code").GetInt64(), body.Error.Code);
        Assert.False(string.IsNullOrEmpty(body.Error.Name));
    }

    private static void CheckGetInfo(ChainFixture fixture)
    {
        var info = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetInfoResult);
        Assert.Equal(info.HeadBlockNum, NumberInId(info.HeadBlockId));
        Assert.Equal(info.LastIrreversibleBlockNum, NumberInId(info.LastIrreversibleBlockId));
        Assert.True(info.HeadBlockNum >= info.LastIrreversibleBlockNum);
        Assert.Equal(TimeSpan.Zero, info.HeadBlockTime.Offset);
        Assert.Equal(64, info.ChainId.Length);
    }

    private static void CheckGetBlock(ChainFixture fixture)
    {
        var block = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetBlockResult);
        Assert.Equal(block.BlockNum, NumberInId(block.Id));
        Assert.Equal(block.BlockNum - 1, NumberInId(block.Previous));
        Assert.Equal(RefBlockPrefix(block.Id), block.RefBlockPrefix);
        Assert.StartsWith("SIG_K1_", block.ProducerSignature, StringComparison.Ordinal);
        if (fixture.Request is { } request)
        {
            var read = JsonRoundTrip.Check(request, Json.GetBlockRequest);
            Assert.Equal(block.BlockNum.ToString(CultureInfo.InvariantCulture), read.BlockNumOrId);
        }
    }

    private static void CheckGetBlockInfo(ChainFixture fixture)
    {
        var info = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetBlockInfoResult);
        var request = JsonRoundTrip.Check(fixture.RequestJson, Json.GetBlockInfoRequest);
        Assert.Equal(request.BlockNum, info.BlockNum);
        Assert.Equal(info.BlockNum, NumberInId(info.Id));
        Assert.Equal(BlockId.RefBlockNum(Checksum256.Parse(info.Id)), info.RefBlockNum);
        Assert.Equal(RefBlockPrefix(info.Id), info.RefBlockPrefix);
    }

    private static void CheckGetBlockHeaderState(ChainFixture fixture)
    {
        var state = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetBlockHeaderStateResult);
        Assert.Equal(state.BlockNum, NumberInId(state.Id));
        Assert.Equal(state.BlockNum - 1, NumberInId(state.Header.Previous));
        Assert.True(state.DposIrreversibleBlocknum <= state.DposProposedIrreversibleBlocknum);
        Assert.Equal(state.ActiveSchedule.Producers.Count, state.ProducerToLastProduced.Count);
    }

    private static void CheckGetProducerSchedule(ChainFixture fixture)
    {
        var schedules = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetProducerScheduleResult);
        Assert.NotNull(schedules.Active);
        Assert.Null(schedules.Proposed);
        foreach (var schedule in new[] { schedules.Active, schedules.Pending }.OfType<ProducerScheduleJson>())
        {
            var names = schedule.Producers.Select(p => p.ProducerName).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            Assert.All(schedule.Producers, p => Assert.Equal(1u, p.Authority.Threshold));
        }
    }

    private static void CheckGetProducers(ChainFixture fixture)
    {
        var producers = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetProducersResult);
        var request = JsonRoundTrip.Check(fixture.RequestJson, Json.GetProducersRequest);
        Assert.True(request.Json);
        var votes = producers.Rows.Select(r => r.TotalVotes).ToList();
        Assert.Equal(votes.OrderDescending(), votes);
        Assert.True(producers.TotalProducerVoteWeight >= votes.Sum() * 0.999);
    }

    private static void CheckProducerRows(ChainFixture fixture)
    {
        var rows = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetTableRowsResultProducerRowJson);
        var request = JsonRoundTrip.Check(fixture.RequestJson, Json.GetTableRowsRequest);
        Assert.Equal(("eosio", "eosio", "producers"), (request.Code, request.Scope, request.Table));
        Assert.Equal((int)request.Limit, rows.Rows.Count);
        Assert.All(rows.Rows, r => Assert.Equal(r.ProducerKey, Assert.Single(r.ProducerAuthority!.Keys).Key));
    }

    private static void CheckTableRows(ChainFixture fixture)
    {
        var rows = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetTableRowsResultJsonElement);
        Assert.Equal(rows.More, rows.NextKey.Length > 0);
    }

    private static void CheckGetAccount(ChainFixture fixture)
    {
        var account = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetAccountResult);
        Assert.Contains(account.Permissions, p => p.PermName == "owner" && p.Parent.Length == 0);
        Assert.Contains(account.Permissions, p => p.PermName == "active" && p.Parent == "owner");
        Assert.Equal(account.CpuLimit.Max, account.CpuLimit.Used + account.CpuLimit.Available);
    }

    private static void CheckGetRawAbi(ChainFixture fixture)
    {
        var raw = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetRawAbiResult);
        var abi = raw.DecodeAbi();
        Assert.NotNull(abi);
        Assert.Equal(raw.AbiHash, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(abi)));
        if (fixture.Request is { } request)
        {
            Assert.Equal(raw.AccountName, JsonRoundTrip.Check(request, Json.GetRawAbiRequest).AccountName);
        }
    }

    private static void CheckGetAbi(ChainFixture fixture)
    {
        var result = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetAbiResult);
        var abi = Assert.IsType<AbiDefinition>(result.Abi);
        Assert.StartsWith("eosio::abi/", abi.Version, StringComparison.Ordinal);
        var structs = abi.Structs.Select(s => s.Name).ToHashSet();
        Assert.All(abi.Actions, a => Assert.Contains(a.Type, structs));
        Assert.All(abi.Tables, t => Assert.Contains(t.Type, structs));
    }

    private static void CheckGetRequiredKeys(ChainFixture fixture)
    {
        var keys = JsonRoundTrip.Check(fixture.ResponseJson, Json.GetRequiredKeysResult);
        var request = JsonRoundTrip.Check(fixture.RequestJson, Json.GetRequiredKeysRequest);
        var available = request.AvailableKeys.Select(PublicKey.Parse).ToList();
        Assert.All(keys.RequiredKeys, k => Assert.Contains(PublicKey.Parse(k), available));
        Assert.All(request.Transaction.Actions, a => Assert.Equal(JsonValueKind.String, a.Data.ValueKind));
    }

    private static void CheckPushRequest(ChainFixture fixture)
    {
        Assert.Null(fixture.Response);
        var body = JsonRoundTrip.Check(fixture.RequestJson, Json.PackedTransaction);
        Assert.Equal(0, body.Compression);
        Assert.Single(body.Signatures);
    }

    private static void CheckPushResult(ChainFixture fixture)
    {
        var result = JsonRoundTrip.Check(fixture.ResponseJson, Json.PushTransactionResult);
        Assert.Equal(result.TransactionId, result.Processed.Id);
        Assert.Equal("executed", result.Processed.Receipt?.Status);
        Assert.Null(result.Processed.Except);
    }

    private static void CheckSendTransaction2(ChainFixture fixture)
    {
        var request = JsonRoundTrip.Check(fixture.RequestJson, Json.SendTransaction2Request);
        var result = JsonRoundTrip.Check(fixture.ResponseJson, Json.PushTransactionResult);
        Assert.True(request.ReturnFailureTrace);
        Assert.Equal(result.TransactionId, result.Processed.Id);
    }

    /// <summary>The computed vectors hold push bodies, transaction JSON and block headers in nodeos's JSON form.</summary>
    private static void CheckSerializationVectors(ChainFixture fixture)
    {
        var root = ChainFixture.Raw(fixture.Name);
        var transactions = root.GetProperty("transactions").EnumerateArray().ToList();
        Assert.NotEmpty(transactions);
        foreach (var vector in transactions)
        {
            var body = JsonRoundTrip.Check(vector.GetProperty("push_transaction_body"), Json.PackedTransaction);
            Assert.Equal(vector.GetProperty("packed_trx_hex").GetString(), body.PackedTrx);
            var transaction = JsonRoundTrip.Check(vector.GetProperty("transaction_json"), Json.TransactionJson);
            Assert.NotEmpty(transaction.Actions);
        }

        foreach (var vector in root.GetProperty("block_header_vectors").EnumerateArray())
        {
            var header = vector.GetProperty("header_json").Deserialize(Json.BlockHeaderJson);
            Assert.NotNull(header);
            Assert.Equal(NumberInId(vector.GetProperty("block_id").GetString()!) - 1, NumberInId(header.Previous));
        }
    }

    private static uint NumberInId(string id) => BlockId.BlockNum(Checksum256.Parse(id));

    private static uint RefBlockPrefix(string id) => BlockId.RefBlockPrefix(Checksum256.Parse(id));
}
