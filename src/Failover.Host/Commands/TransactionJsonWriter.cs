using System.Text;
using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Transactions;

namespace Failover.Host.Commands;

/// <summary>Writes a transaction the way nodeos shows it in JSON, with action data as lower-case hex.</summary>
internal static class TransactionJsonWriter
{
    /// <summary>
    /// A signed transaction as the CLI prints it: the transaction, its packed bytes, id, signing digest and signatures,
    /// the body push_transaction takes, and (when pushed) the node's answer.
    /// </summary>
    public static string Signed(Checksum256 chainId, Transaction transaction, PackedTransaction packed, PushTransactionResult? pushed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName("transaction");
            Write(json, transaction);
            json.WriteString("packed_trx", packed.PackedTrx);
            json.WriteString("transaction_id", transaction.Id.ToString());
            json.WriteString("digest", transaction.SigningDigest(chainId).ToString());
            WriteStrings(json, "signatures", packed.Signatures);
            json.WriteStartObject("push_body");
            WriteStrings(json, "signatures", packed.Signatures);
            json.WriteNumber("compression", packed.Compression);
            json.WriteString("packed_context_free_data", packed.PackedContextFreeData);
            json.WriteString("packed_trx", packed.PackedTrx);
            json.WriteEndObject();
            if (pushed is not null)
            {
                json.WriteStartObject("pushed");
                json.WriteString("transaction_id", pushed.TransactionId);
                json.WriteNumber("block_num", pushed.Processed.BlockNum);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteStrings(Utf8JsonWriter json, string property, IEnumerable<string> values)
    {
        json.WriteStartArray(property);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    public static void Write(Utf8JsonWriter json, Transaction transaction)
    {
        json.WriteStartObject();
        json.WriteString("expiration", transaction.Expiration.UtcDateTime.ToString(RotationRequest.ExpirationFormat, System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("ref_block_num", transaction.RefBlockNum);
        json.WriteNumber("ref_block_prefix", transaction.RefBlockPrefix);
        json.WriteNumber("max_net_usage_words", transaction.MaxNetUsageWords);
        json.WriteNumber("max_cpu_usage_ms", transaction.MaxCpuUsageMs);
        json.WriteNumber("delay_sec", transaction.DelaySec);
        WriteActions(json, "context_free_actions", transaction.ContextFreeActions);
        WriteActions(json, "actions", transaction.Actions);
        json.WriteStartArray("transaction_extensions");
        foreach (var extension in transaction.Extensions)
        {
            json.WriteStartArray();
            json.WriteNumberValue(extension.Type);
            json.WriteStringValue(Hex.Encode(extension.Data));
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteActions(Utf8JsonWriter json, string property, IReadOnlyList<ChainAction> actions)
    {
        json.WritePropertyName(property);
        WriteActions(json, actions);
    }

    /// <summary>Actions as an array value, each as nodeos shows it (data as lower-case hex).</summary>
    public static void WriteActions(Utf8JsonWriter json, IReadOnlyList<ChainAction> actions)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(actions);
        json.WriteStartArray();
        foreach (var action in actions)
        {
            json.WriteStartObject();
            json.WriteString("account", action.Account.ToString());
            json.WriteString("name", action.Name.ToString());
            json.WriteStartArray("authorization");
            foreach (var level in action.Authorization)
            {
                json.WriteStartObject();
                json.WriteString("actor", level.Actor.ToString());
                json.WriteString("permission", level.Permission.ToString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("data", Hex.Encode(action.Data));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
