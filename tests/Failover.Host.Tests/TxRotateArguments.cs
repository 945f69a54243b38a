using System.Text.Json;
using Failover.Testing;

namespace Failover.Host.Tests;

/// <summary>The <c>failover tx rotate</c> command line that rebuilds a transactions.json entry.</summary>
internal static class TxRotateArguments
{
    public static string[] FromVector(JsonElement vector, KeyFileDirectory files)
    {
        var transaction = vector.GetProperty("transaction");
        var action = transaction.GetProperty("actions")[0];
        var data = action.GetProperty("data");
        var authorization = action.GetProperty("authorization")[0];
        List<string> args =
        [
            "tx", "rotate",
            "--chain-id", vector.Text("chain_id"),
            "--ref-block-id", vector.Text("ref_block_id"),
            "--expiration", transaction.Text("expiration"),
            "--producer", authorization.Text("actor"),
            "--permission", authorization.Text("permission"),
            "--url", data.Text("url"),
            "--location", data.GetProperty("location").GetUInt16().ToString(),
        ];
        if (action.Text("name") == "regproducer2")
        {
            var authority = data.GetProperty("producer_authority")[1];
            var keys = authority.GetProperty("keys").EnumerateArray().ToList();
            args.AddRange(["--new-key", keys[0].Text("key"), "--authority-threshold", authority.GetProperty("threshold").GetUInt32().ToString()]);
            foreach (var key in keys)
            {
                args.AddRange(["--authority-key", $"{key.Text("key")}:{key.GetProperty("weight").GetUInt16()}"]);
            }
        }
        else
        {
            args.AddRange(["--new-key", data.Text("producer_key")]);
        }

        foreach (var signer in vector.GetProperty("keys_used").GetProperty("signer_keys_json_indexes").EnumerateArray())
        {
            args.AddRange(["--key-file", files.Write(ReferenceVectors.Key(signer.GetInt32()).Text("wif"))]);
        }

        return [.. args];
    }
}
