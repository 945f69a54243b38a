using System.Text.Json;
using System.Text.Json.Nodes;
using Failover.Antelope.Chain.Wire;
using static Failover.Antelope.Tests.Chain.ChainJson;

namespace Failover.Antelope.Tests.Chain;

/// <summary>The records read and write nodeos's JSON conventions (protocol.md "JSON encoding rules").</summary>
public sealed class NodeosJsonConventionTests
{
    [Theory]
    [InlineData(0UL, "0")]
    [InlineData(4294967295UL, "4294967295")]
    [InlineData(4294967296UL, "\"4294967296\"")]
    [InlineData(18446744073709551615UL, "\"18446744073709551615\"")]
    public void Unsigned_64_bit_integers_above_0xFFFFFFFF_are_written_as_strings(ulong value, string json)
    {
        Assert.Equal(json, Write(value, Json.UInt64));
        Assert.Equal(value, Read(json, Json.UInt64));
    }

    [Theory]
    [InlineData(-5L, "-5")]
    [InlineData(-4294967295L, "-4294967295")]
    [InlineData(-4294967296L, "\"-4294967296\"")]
    [InlineData(68719476736L, "\"68719476736\"")]
    public void Signed_64_bit_integers_beyond_0xFFFFFFFF_in_magnitude_are_written_as_strings(long value, string json)
    {
        Assert.Equal(json, Write(value, Json.Int64));
        Assert.Equal(value, Read(json, Json.Int64));
    }

    [Fact]
    public void Get_info_keeps_large_weights_as_strings_and_limits_as_numbers()
    {
        var info = Read(ChainFixture.Load("get_info.jungle4_leap4.json").ResponseText, Json.GetInfoResult);
        var json = Write(info, Json.GetInfoResult);

        Assert.Equal(120613141500317UL, info.TotalCpuWeight);
        Assert.Contains("\"total_cpu_weight\":\"120613141500317\"", json, StringComparison.Ordinal);
        Assert.Contains("\"virtual_block_cpu_limit\":200000000,", json, StringComparison.Ordinal);
        Assert.Contains("\"head_block_time\":\"2023-10-06T18:23:11.000\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Sixty_four_bit_members_accept_a_number_where_nodeos_would_send_a_string()
    {
        var fixture = JsonNode.Parse(ChainFixture.Load("get_info.wax_leap5.json").ResponseText)!.AsObject();
        fixture["total_net_weight"] = 123948965555668578UL;

        var info = Read(fixture.ToJsonString(), Json.GetInfoResult);

        Assert.Equal(123948965555668578UL, info.TotalNetWeight);
        Assert.Equal(46438068615642343UL, info.TotalCpuWeight);
    }

    [Theory]
    [InlineData("\"-1\"")]
    [InlineData("\"12a\"")]
    [InlineData("\" 12\"")]
    [InlineData("1.5")]
    [InlineData("\"18446744073709551616\"")]
    [InlineData("true")]
    public void A_malformed_unsigned_64_bit_integer_is_rejected(string json)
    {
        var error = Assert.Throws<JsonException>(() => Read(json, Json.UInt64));
        Assert.Contains("unsigned 64-bit integer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.0, "\"2.00000000000000000\"")]
    [InlineData(0.0, "\"0.00000000000000000\"")]
    [InlineData(0.1, "\"0.10000000000000001\"")]
    [InlineData(47938384930578210816.0, "\"47938384930578210816.00000000000000000\"")]
    public void Doubles_are_written_as_strings_with_17_fractional_digits(double value, string json)
    {
        Assert.Equal(json, Write(value, Json.Double));
        Assert.Equal(value, Read(json, Json.Double));
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("863265464502.9390869140625", 863265464502.9390869140625)]
    [InlineData("\"1e3\"", 1000.0)]
    public void Doubles_are_read_from_numbers_and_strings(string json, double expected)
    {
        Assert.Equal(expected, Read(json, Json.Double));
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"votes\"")]
    [InlineData("1e400")]
    [InlineData("null")]
    public void A_malformed_double_is_rejected(string json)
    {
        Assert.Throws<JsonException>(() => Read(json, Json.Double));
    }

    [Theory]
    [InlineData("\"2024-10-23T03:17:45.500\"")]
    [InlineData("\"2024-10-23T03:17:45.500Z\"")]
    [InlineData("\"2024-10-23T03:17:45.5\"")]
    [InlineData("\"2024-10-23T03:17:45.500000\"")]
    public void Time_points_are_read_with_or_without_zone_designator_as_utc(string json)
    {
        var time = Read(json, Json.DateTimeOffset);

        Assert.Equal(new DateTimeOffset(2024, 10, 23, 3, 17, 45, 500, TimeSpan.Zero), time);
        Assert.Equal(TimeSpan.Zero, time.Offset);
    }

    [Theory]
    [InlineData("\"2024-10-23T03:17:45\"")]
    [InlineData("\"2024-10-23T03:17:45Z\"")]
    public void Time_points_without_fraction_are_accepted(string json)
    {
        Assert.Equal(new DateTimeOffset(2024, 10, 23, 3, 17, 45, TimeSpan.Zero), Read(json, Json.DateTimeOffset));
    }

    [Fact]
    public void Time_points_are_written_with_milliseconds_and_without_z()
    {
        var time = new DateTimeOffset(2024, 10, 23, 5, 17, 45, 500, TimeSpan.FromHours(2));

        Assert.Equal("\"2024-10-23T03:17:45.500\"", Write(time, Json.DateTimeOffset));
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("\"2024-10-23 03:17:45\"")]
    [InlineData("\"2024-10-23T03:17:45+02:00\"")]
    [InlineData("1729653465")]
    public void A_malformed_time_point_is_rejected(string json)
    {
        var error = Assert.Throws<JsonException>(() => Read(json, Json.DateTimeOffset));
        Assert.Contains("time_point", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transaction_expiration_is_a_time_point_sec_without_fraction()
    {
        var vector = ChainFixture.Raw("serialization_vectors.json").GetProperty("transactions")[0].GetProperty("transaction_json");
        var transaction = vector.Deserialize(Json.TransactionJson)!;

        Assert.Equal(new DateTimeOffset(2024, 10, 23, 3, 18, 15, TimeSpan.Zero), transaction.Expiration);
        Assert.Contains("\"expiration\":\"2024-10-23T03:18:15\",", Write(transaction, Json.TransactionJson), StringComparison.Ordinal);
    }

    [Fact]
    public void Savanna_schedule_version_2147483648_is_read_and_written_as_a_number()
    {
        var block = Read(ChainFixture.Load("get_block.savanna_constructed.json").ResponseText, Json.GetBlockResult);
        var info = Read(ChainFixture.Load("get_block_info.savanna_constructed.json").ResponseText, Json.GetBlockInfoResult);

        Assert.Equal(2147483648u, block.ScheduleVersion);
        Assert.Equal(2147483648u, info.ScheduleVersion);
        Assert.Contains("\"schedule_version\":2147483648,", Write(block, Json.GetBlockResult), StringComparison.Ordinal);
    }

    [Fact]
    public void A_savanna_block_carries_its_qc_claim_and_writes_null_policy_diffs_and_new_producers()
    {
        var block = Read(ChainFixture.Load("get_block.savanna_constructed.json").ResponseText, Json.GetBlockResult);
        var json = Write(block, Json.GetBlockResult);

        Assert.Equal(new QcClaim(400838395, IsStrongQc: true), block.FinalityExtension?.QcClaim);
        Assert.Equal(0, block.Confirmed);
        Assert.Contains("\"new_producers\":null,\"finality_extension\":", json, StringComparison.Ordinal);
        Assert.Contains("\"new_finalizer_policy_diff\":null,\"new_proposer_policy_diff\":null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("qc_extension", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_savanna_blocks_signature_recovers_to_the_key_its_producer_has_in_the_schedule()
    {
        var block = Read(ChainFixture.Load("get_block.savanna_constructed.json").ResponseText, Json.GetBlockResult);
        var schedule = Read(ChainFixture.Load("get_producer_schedule.savanna_constructed.json").ResponseText, Json.GetProducerScheduleResult);

        var signer = Signature.Parse(block.ProducerSignature).RecoverPublicKey(Checksum256.Parse(block.Id).AsSpan());

        var scheduled = schedule.Active!.Producers.Single(p => p.ProducerName == block.Producer).Authority.Keys;
        Assert.Equal(PublicKey.Parse(Assert.Single(scheduled).Key), signer);
    }

    [Fact]
    public void A_legacy_block_announces_its_pending_schedule_in_new_producers()
    {
        var block = Read(ChainFixture.Load("get_block.eos_2019_new_producers.json").ResponseText, Json.GetBlockResult);

        Assert.Equal(1534u, block.ScheduleVersion);
        Assert.Equal(237, block.Confirmed);
        Assert.Equal(1535u, block.NewProducers?.Version);
        Assert.Equal(21, block.NewProducers?.Producers.Count);
        Assert.Equal(new LegacyProducerKey("atticlabeosb", "EOS7PfA3A4UdfMu2wKbuXdbHn8EWAxbMnFoFWui4X2zsr2oPwdQJP"), block.NewProducers?.Producers[0]);
        Assert.Null(block.FinalityExtension);
    }

    [Fact]
    public void A_post_wtmsig_schedule_change_and_protocol_features_are_written_in_nodeos_key_order()
    {
        var schedule = ChainFixture.Load("get_producer_schedule.jungle4.json").ResponseJson.GetProperty("active");
        var block = JsonNode.Parse(ChainFixture.Load("get_block.eos_2018_empty.json").ResponseText)!.AsObject();
        var afterNewProducers = block.IndexOf("new_producers") + 1;
        block.Insert(afterNewProducers, "new_protocol_features", JsonNode.Parse("[\"0ec7e080177b2c02b278d5088611686b49d739925a92d9bfcacd7fc6b74a8a7a\"]"));
        block.Insert(afterNewProducers + 1, "new_producer_schedule", JsonNode.Parse(schedule.GetRawText()));
        block.Insert(block.IndexOf("transactions") + 1, "additional_signatures", new JsonArray());

        var read = JsonRoundTrip.Check(JsonSerializer.SerializeToElement(block), Json.GetBlockResult);

        Assert.Equal(72u, read.NewProducerSchedule?.Version);
        Assert.Empty(read.AdditionalSignatures!);
    }

    [Fact]
    public void A_quorum_certificate_extension_is_read_and_written()
    {
        const string json = """{"qc":{"block_num":400838395,"active_policy_sig":{"strong_votes":"1fffff","sig":"SIG_BLS_abc"},"pending_policy_sig":{"weak_votes":"01","sig":"SIG_BLS_def"}}}""";

        var qc = JsonRoundTrip.Check(JsonDocument.Parse(json).RootElement, Json.QcExtension);

        Assert.Equal(400838395u, qc.Qc.BlockNum);
        Assert.Equal("SIG_BLS_abc", qc.Qc.ActivePolicySig.Sig);
        Assert.Null(qc.Qc.ActivePolicySig.WeakVotes);
        Assert.Equal("SIG_BLS_def", qc.Qc.PendingPolicySig?.Sig);
    }

    [Fact]
    public void A_block_transaction_is_either_an_id_or_a_packed_transaction()
    {
        const string id = "0620b267ca656c5941fd84475f057d09248809e04392671d69e1de66a0b9b554";
        var deferred = Read($$"""{"status":"executed","cpu_usage_us":10,"net_usage_words":0,"trx":"{{id}}"}""", Json.BlockTransaction);
        var block = Read(ChainFixture.Load("get_block.eos_2019_new_producers.json").ResponseText, Json.GetBlockResult);

        Assert.Equal(new BlockTrx(id), deferred.Trx);
        Assert.Contains($"\"trx\":\"{id}\"", Write(deferred, Json.BlockTransaction), StringComparison.Ordinal);
        var packed = Assert.IsType<BlockPackedTransaction>(block.Transactions[0].Trx.Packed);
        Assert.Equal(id, block.Transactions[0].Trx.Id);
        Assert.Equal("none", packed.Compression);
        Assert.Equal(5, packed.Transaction.Actions.Count);
        Assert.Equal(JsonValueKind.Object, packed.Transaction.Actions[0].Data.ValueKind);
    }

    [Fact]
    public void Schedules_use_the_fc_variant_and_producer_rows_the_abi_variant()
    {
        var schedules = Read(ChainFixture.Load("get_producer_schedule.savanna_constructed.json").ResponseText, Json.GetProducerScheduleResult);
        var rows = Read(ChainFixture.Load("get_table_rows.producers_constructed.json").ResponseText, Json.GetTableRowsResultProducerRowJson);

        Assert.Contains("\"authority\":[0,{\"threshold\":1,", Write(schedules, Json.GetProducerScheduleResult), StringComparison.Ordinal);
        Assert.Contains("\"producer_authority\":[\"block_signing_authority_v0\",{\"threshold\":1,", Write(rows, Json.GetTableRowsResultProducerRowJson), StringComparison.Ordinal);
    }

    [Fact]
    public void Both_variant_encodings_are_accepted_wherever_a_signing_authority_is_read()
    {
        const string key = "EOS7PfA3A4UdfMu2wKbuXdbHn8EWAxbMnFoFWui4X2zsr2oPwdQJP";
        const string authority = $$"""{"threshold":2,"keys":[{"key":"{{key}}","weight":2}]}""";
        var expected = new SigningAuthority(2, [new AuthorityKey(key, 2)]);

        var fromFc = Read($$"""{"producer_name":"atticlabeosb","authority":[0,{{authority}}]}""", Json.ProducerAuthority);
        var fromAbi = Read($$"""{"producer_name":"atticlabeosb","authority":["block_signing_authority_v0",{{authority}}]}""", Json.ProducerAuthority);
        var row = Read(ProducerRowText($"[0,{authority}]"), Json.ProducerRowJson);

        Assert.Equal(expected.Threshold, fromFc.Authority.Threshold);
        Assert.Equal(expected.Keys, fromFc.Authority.Keys);
        Assert.Equal(expected.Keys, fromAbi.Authority.Keys);
        Assert.Equal(expected.Keys, row.ProducerAuthority?.Keys);
    }

    [Theory]
    [InlineData("[1,{\"threshold\":1,\"keys\":[]}]")]
    [InlineData("[\"block_signing_authority_v1\",{\"threshold\":1,\"keys\":[]}]")]
    [InlineData("{\"threshold\":1,\"keys\":[]}")]
    [InlineData("[0,{\"threshold\":1,\"keys\":[]},7]")]
    [InlineData("[0]")]
    public void An_unknown_or_malformed_signing_authority_variant_is_rejected(string variant)
    {
        Assert.Throws<JsonException>(() => Read(ProducerRowText(variant), Json.ProducerRowJson));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Abi_bools_are_read_from_numbers_and_literals_and_written_as_numbers(string isActive, bool expected)
    {
        var row = Read(ProducerRowText(isActive: isActive), Json.ProducerRowJson);

        Assert.Equal(expected, row.IsActive);
        Assert.Contains($"\"is_active\":{(expected ? 1 : 0)},", Write(row, Json.ProducerRowJson), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("\"1\"")]
    [InlineData("null")]
    public void A_malformed_abi_bool_is_rejected(string isActive)
    {
        Assert.Throws<JsonException>(() => Read(ProducerRowText(isActive: isActive), Json.ProducerRowJson));
    }

    [Fact]
    public void Native_bools_accept_numbers_and_are_written_as_literals()
    {
        var claim = Read("""{"block_num":7,"is_strong_qc":1}""", Json.QcClaim);

        Assert.True(claim.IsStrongQc);
        Assert.Equal("""{"block_num":7,"is_strong_qc":true}""", Write(claim, Json.QcClaim));
    }

    [Fact]
    public void A_producer_row_never_written_by_a_v1_9_contract_has_no_authority_and_is_written_without_it()
    {
        var producers = Read(ChainFixture.Load("get_producers.constructed.json").ResponseText, Json.GetProducersResult);
        var retired = producers.Rows[^1];

        Assert.Equal("oldproducer1", retired.Owner);
        Assert.False(retired.IsActive);
        Assert.Equal(0.0, retired.TotalVotes);
        Assert.Equal("EOS1111111111111111111111111111111114T1Anm", retired.ProducerKey);
        Assert.Null(retired.ProducerAuthority);
        Assert.DoesNotContain("producer_authority", Write(retired, Json.ProducerRowJson), StringComparison.Ordinal);
        Assert.Equal("eosauthority", producers.More);
    }

    [Fact]
    public void Producer_table_rows_page_with_next_key()
    {
        var rows = Read(ChainFixture.Load("get_table_rows.producers_constructed.json").ResponseText, Json.GetTableRowsResultProducerRowJson);

        Assert.True(rows.More);
        Assert.Equal("6138526575697310688", rows.NextKey);
        Assert.Equal(["atticlabeosb", "eosasia11111"], rows.Rows.Select(r => r.Owner));
        Assert.Equal(1164u, rows.Rows[0].UnpaidBlocks);
        Assert.Equal(new DateTimeOffset(2024, 10, 22, 4, 11, 31, 500, TimeSpan.Zero), rows.Rows[0].LastClaimTime);
    }

    [Fact]
    public void Show_payer_rows_carry_data_and_payer()
    {
        var rows = Read(ChainFixture.Load("get_table_rows.show_payer.json").ResponseText, Json.GetTableRowsResultJsonElement);

        var row = Assert.Single(rows.Rows);
        Assert.Equal("eosio.token", row.GetProperty("payer").GetString());
        Assert.Equal("eosio", row.GetProperty("data").GetProperty("issuer").GetString());
        Assert.False(rows.More);
        Assert.Equal(string.Empty, rows.NextKey);
    }

    [Fact]
    public void Hex_rows_are_strings_with_a_decimal_next_key()
    {
        var rows = Read(ChainFixture.Load("get_table_rows.hex_rows.json").ResponseText, Json.GetTableRowsResultJsonElement);

        Assert.All(rows.Rows, r => Assert.Equal(JsonValueKind.String, r.ValueKind));
        Assert.Equal("000038ba2127693662c6747632b80c40", rows.Rows[0].GetString());
        Assert.True(rows.More);
        Assert.Equal("4403566244082619776", rows.NextKey);
    }

    [Fact]
    public void A_producer_accounts_linked_permissions_are_visible()
    {
        var account = Read(ChainFixture.Load("get_account.teamgreymass_bp.json").ResponseText, Json.GetAccountResult);

        Assert.Equal(12921348309L, account.CpuWeight);
        Assert.Equal("2084.3726 EOS", account.CoreLiquidBalance);
        Assert.Equal([new LinkedActionJson("eosio", "claimrewards")], account.Permissions.Single(p => p.PermName == "claim").LinkedActions!);
        Assert.Equal([new LinkedActionJson("eosio", "unregprod")], account.Permissions.Single(p => p.PermName == "killswitch").LinkedActions!);
        Assert.Null(account.Permissions.Single(p => p.PermName == "decentium").LinkedActions![0].Action);
        Assert.Null(account.SelfDelegatedBandwidth);
        Assert.Contains("\"refund_request\":null,", Write(account, Json.GetAccountResult), StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_authority_lists_keys_accounts_and_waits()
    {
        var account = Read(ChainFixture.Load("get_account.eosio.json").ResponseText, Json.GetAccountResult);
        var active = account.Permissions.Single(p => p.PermName == "active").RequiredAuth;

        Assert.True(account.Privileged);
        Assert.Equal(68719476736L, account.RamQuota);
        Assert.Empty(active.Keys);
        Assert.Equal(new PermissionLevelWeight(new ActionAuthorization("eosio.prods", "active"), 1), active.Accounts[0]);
        Assert.Null(account.NetLimit.LastUsageUpdateTime);
        Assert.DoesNotContain("last_usage_update_time", Write(account.NetLimit, Json.AccountResourceLimit), StringComparison.Ordinal);
    }

    [Fact]
    public void The_system_abi_describes_producer_info_with_a_binary_extension_authority()
    {
        var abi = Read(ChainFixture.Load("get_abi.eosio_system.json").ResponseText, Json.GetAbiResult).Abi!;

        var producerInfo = abi.Structs.Single(s => s.Name == "producer_info");
        Assert.Equal(new AbiField("producer_authority", "block_signing_authority$"), producerInfo.Fields[^1]);
        Assert.Equal("producer_info", abi.Tables.Single(t => t.Name == "producers").Type);
        Assert.Contains(abi.Actions, a => a.Name == "regproducer2");
        Assert.Equal(new AbiVariant("variant_block_signing_authority_v0", ["block_signing_authority_v0"]).Types, Assert.Single(abi.Variants!).Types);
    }

    [Fact]
    public void A_raw_abi_with_nodeos_padding_decodes_to_the_hashed_bytes()
    {
        var raw = Read(ChainFixture.Load("get_raw_abi.json").ResponseText, Json.GetRawAbiResult);

        Assert.EndsWith("===", raw.Abi, StringComparison.Ordinal);
        var abi = raw.DecodeAbi()!;
        Assert.Equal("eosio::abi/1.2", System.Text.Encoding.ASCII.GetString(abi, 1, abi[0]));
        Assert.Null((raw with { Abi = null }).DecodeAbi());
        Assert.Throws<FormatException>(() => (raw with { Abi = "not base64!" }).DecodeAbi());
    }

    [Fact]
    public void Unset_optional_members_are_omitted_and_absent_schedules_are_written_as_null()
    {
        var info = Read(ChainFixture.Load("get_info.jungle4_leap4.json").ResponseText, Json.GetInfoResult) with
        {
            ServerVersionString = null,
            TotalCpuWeight = null,
            LastIrreversibleBlockTime = null,
        };
        var schedules = new GetProducerScheduleResult(new ProducerScheduleJson(3, []), null, null);

        var json = Write(info, Json.GetInfoResult);
        Assert.DoesNotContain("server_version_string", json, StringComparison.Ordinal);
        Assert.DoesNotContain("total_cpu_weight", json, StringComparison.Ordinal);
        Assert.DoesNotContain("last_irreversible_block_time", json, StringComparison.Ordinal);
        Assert.Equal("""{"active":{"version":3,"producers":[]},"pending":null,"proposed":null}""", Write(schedules, Json.GetProducerScheduleResult));
    }

    [Fact]
    public void A_missing_required_member_is_rejected()
    {
        var fixture = JsonNode.Parse(ChainFixture.Load("get_info.jungle4_leap4.json").ResponseText)!.AsObject();
        fixture.Remove("head_block_num");

        var error = Assert.Throws<JsonException>(() => Read(fixture.ToJsonString(), Json.GetInfoResult));
        Assert.Contains("head_block_num", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_where_nodeos_always_writes_a_value_is_rejected()
    {
        var fixture = JsonNode.Parse(ChainFixture.Load("get_block_info.savanna_constructed.json").ResponseText)!.AsObject();
        fixture["producer"] = null;

        Assert.Throws<JsonException>(() => Read(fixture.ToJsonString(), Json.GetBlockInfoResult));
    }

    [Fact]
    public void A_send_transaction2_body_keeps_nodeos_key_order()
    {
        var request = new SendTransaction2Request(ReturnFailureTrace: true, RetryTrx: false,
            new Transactions.PackedTransaction(["SIG_K1_x"], 0, string.Empty, "00"), RetryTrxNumBlocks: 3);

        Assert.Equal(
            """{"return_failure_trace":true,"retry_trx":false,"retry_trx_num_blocks":3,"transaction":{"signatures":["SIG_K1_x"],"compression":0,"packed_context_free_data":"","packed_trx":"00"}}""",
            Write(request, Json.SendTransaction2Request));
    }

    private static string ProducerRowText(string? authority = null, string isActive = "1")
    {
        var authorityMember = authority is null ? string.Empty : $",\"producer_authority\":{authority}";
        return $$"""{"owner":"atticlabeosb","total_votes":"1.00000000000000000","producer_key":"EOS7PfA3A4UdfMu2wKbuXdbHn8EWAxbMnFoFWui4X2zsr2oPwdQJP","is_active":{{isActive}},"url":"","unpaid_blocks":0,"last_claim_time":"2024-10-22T04:11:31.500","location":0{{authorityMember}}}""";
    }
}
