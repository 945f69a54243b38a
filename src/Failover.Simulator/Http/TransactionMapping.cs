using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Simulator.Chain;
using Failover.Simulator.Contract;

namespace Failover.Simulator.Http;

/// <summary>Transactions on the wire: in blocks, and the traces push/send answer with.</summary>
internal static class TransactionMapping
{
    public static PushTransactionResult PushResult(AcceptedTransaction accepted, bool tree)
    {
        var id = accepted.Included.Id.ToString();
        var traces = accepted.Transaction.Actions.Select((action, index) => ActionTrace(accepted, action, index, tree)).ToList();
        return new PushTransactionResult(id, new TransactionTrace(
            id,
            accepted.BlockNum,
            accepted.BlockTime,
            null,
            new TransactionReceiptHeader("executed", 100, accepted.Included.NetUsageWords),
            120,
            accepted.Included.NetUsageWords * 8UL,
            false,
            traces,
            null,
            null,
            null));
    }

    /// <summary>send_transaction2's failure trace: HTTP 202 with <c>except</c> holding the fc exception.</summary>
    public static PushTransactionResult FailureResult(string transactionId, ChainState state, DateTimeOffset pendingTime, ChainException error)
    {
        var except = JsonBuilder.Build(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("code", error.Code);
            writer.WriteString("name", error.ErrorName);
            writer.WriteString("message", error.What);
            writer.WriteStartArray("stack");
            writer.WriteStartObject();
            writer.WriteStartObject("context");
            writer.WriteString("level", "error");
            writer.WriteString("file", error.File);
            writer.WriteNumber("line", error.Line);
            writer.WriteString("method", error.Method);
            writer.WriteString("hostname", string.Empty);
            writer.WriteString("thread_name", "nodeos");
            writer.WriteString("timestamp", BlockTimestamp.Format(pendingTime));
            writer.WriteEndObject();
            writer.WriteString("format", error.Message);
            writer.WriteStartObject("data");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        return new PushTransactionResult(transactionId, new TransactionTrace(
            transactionId, state.Head.Number + 1, pendingTime, null, null, 0, 0, false, [], null, except, null));
    }

    public static BlockTransaction BlockTransaction(IncludedTransaction included)
    {
        var transaction = Transaction.Unpack(included.PackedTrx);
        var json = new TransactionJson(
            transaction.Expiration,
            transaction.RefBlockNum,
            transaction.RefBlockPrefix,
            transaction.MaxNetUsageWords,
            transaction.MaxCpuUsageMs,
            transaction.DelaySec,
            [.. transaction.ContextFreeActions.Select(ActionJson)],
            [.. transaction.Actions.Select(ActionJson)],
            []);
        var packed = new BlockPackedTransaction(
            included.Id.ToString(),
            included.Signatures,
            "none",
            string.Empty,
            [],
            Convert.ToHexStringLower(included.PackedTrx),
            json);
        return new BlockTransaction("executed", 100, included.NetUsageWords, new BlockTrx(included.Id.ToString(), packed));
    }

    /// <summary>Action data as nodeos shows it: the ABI-decoded object, and the raw bytes in <c>hex_data</c>.</summary>
    private static ActionJson ActionJson(ChainAction action) => new(
        action.Account.ToString(),
        action.Name.ToString(),
        [.. action.Authorization.Select(a => new ActionAuthorization(a.Actor.ToString(), a.Permission.ToString()))],
        DecodedData(action),
        Convert.ToHexStringLower(action.Data));

    private static JsonElement DecodedData(ChainAction action)
    {
        ISystemAction? decoded;
        try
        {
            decoded = SystemContract.Decode(action);
        }
        catch (ChainException)
        {
            decoded = null;
        }

        return JsonBuilder.Build(writer =>
        {
            switch (decoded)
            {
                case RegProducer r:
                    writer.WriteStartObject();
                    writer.WriteString("producer", r.Producer.ToString());
                    writer.WriteString("producer_key", r.ProducerKey.ToLegacyString());
                    writer.WriteString("url", r.Url);
                    writer.WriteNumber("location", r.Location);
                    writer.WriteEndObject();
                    break;
                case RegProducer2 r:
                    writer.WriteStartObject();
                    writer.WriteString("producer", r.Producer.ToString());
                    writer.WriteStartArray("producer_authority");
                    writer.WriteStringValue("block_signing_authority_v0");
                    JsonBuilder.WriteAuthority(writer, r.ProducerAuthority);
                    writer.WriteEndArray();
                    writer.WriteString("url", r.Url);
                    writer.WriteNumber("location", r.Location);
                    writer.WriteEndObject();
                    break;
                case UnregProd u:
                    writer.WriteStartObject();
                    writer.WriteString("producer", u.Producer.ToString());
                    writer.WriteEndObject();
                    break;
                case ActFinKey a:
                    writer.WriteStartObject();
                    writer.WriteString("finalizer_name", a.FinalizerName.ToString());
                    writer.WriteString("finalizer_key", a.FinalizerKey);
                    writer.WriteEndObject();
                    break;
                default:
                    writer.WriteStringValue(Convert.ToHexStringLower(action.Data));
                    break;
            }
        });
    }

    private static JsonElement ActionTrace(AcceptedTransaction accepted, ChainAction action, int index, bool tree) => JsonBuilder.Build(writer =>
    {
        var ordinal = index + 1;
        writer.WriteStartObject();
        writer.WriteNumber("action_ordinal", ordinal);
        writer.WriteNumber("creator_action_ordinal", 0);
        writer.WriteNumber("closest_unnotified_ancestor_action_ordinal", 0);
        writer.WriteStartObject("receipt");
        writer.WriteString("receiver", action.Account.ToString());
        writer.WriteString("act_digest", Checksum256.Hash(action.Data).ToString());
        writer.WriteNumber("global_sequence", (accepted.BlockNum * 16L) + ordinal);
        writer.WriteNumber("recv_sequence", (accepted.BlockNum * 16L) + ordinal);
        writer.WriteStartArray("auth_sequence");
        foreach (var level in action.Authorization)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(level.Actor.ToString());
            writer.WriteNumberValue(accepted.BlockNum);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteNumber("code_sequence", 1);
        writer.WriteNumber("abi_sequence", 1);
        writer.WriteEndObject();
        writer.WriteString("receiver", action.Account.ToString());
        writer.WritePropertyName("act");
        JsonSerializer.Serialize(writer, ActionJson(action), ChainJsonContext.Default.ActionJson);
        writer.WriteBoolean("context_free", false);
        writer.WriteNumber("elapsed", 50);
        writer.WriteString("console", string.Empty);
        writer.WriteString("trx_id", accepted.Included.Id.ToString());
        writer.WriteNumber("block_num", accepted.BlockNum);
        writer.WriteString("block_time", BlockTimestamp.Format(accepted.BlockTime));
        writer.WriteNull("producer_block_id");
        writer.WriteStartArray("account_ram_deltas");
        writer.WriteEndArray();
        writer.WriteNull("except");
        writer.WriteNull("error_code");
        writer.WriteString("return_value_hex_data", string.Empty);
        if (tree)
        {
            writer.WriteStartArray("inline_traces");
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    });
}
