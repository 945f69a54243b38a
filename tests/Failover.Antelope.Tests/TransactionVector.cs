using System.Globalization;
using System.Text.Json;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;

namespace Failover.Antelope.Tests;

/// <summary>One transactions.json entry, turned into this library's types from its decoded (JSON) form.</summary>
internal sealed record TransactionVector(JsonElement Json)
{
    public static TheoryData<int> All => VectorFile.Indexes("transactions.json", "transactions");

    public static TransactionVector At(int index) => new(VectorFile.Item("transactions.json", "transactions", index));

    public Checksum256 ChainId => Checksum256.Parse(Json.Text("chain_id"));

    public DateTimeOffset Expiration => DateTimeOffset.ParseExact(
        Json.GetProperty("transaction").Text("expiration"), "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture,
        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public IReadOnlyList<PrivateKey> Signers =>
        [.. Json.GetProperty("keys_used").GetProperty("signer_keys_json_indexes").EnumerateArray()
            .Select(i => PrivateKey.Parse(VectorFile.Key(i.GetInt32()).Text("wif")))];

    public IReadOnlyList<(ISystemAction Action, PermissionLevel Authorization)> Actions =>
        [.. Json.GetProperty("transaction").GetProperty("actions").EnumerateArray().Select(a =>
        {
            var authorization = a.GetProperty("authorization")[0];
            return (ToSystemAction(a.Text("name"), a.GetProperty("data")),
                new PermissionLevel(Name.Parse(authorization.Text("actor")), Name.Parse(authorization.Text("permission"))));
        })];

    public Transaction Build() => Transaction.Create(
        Checksum256.Parse(Json.Text("ref_block_id")),
        Expiration,
        [.. Actions.Select(a => SystemActions.ToAction(a.Action, a.Authorization))]);

    private static ISystemAction ToSystemAction(string name, JsonElement data) => name switch
    {
        "regproducer" => new RegProducer(
            Name.Parse(data.Text("producer")), PublicKey.Parse(data.Text("producer_key")),
            data.Text("url"), data.GetProperty("location").GetUInt16()),
        "regproducer2" => new RegProducer2(
            Name.Parse(data.Text("producer")), ToAuthority(data.GetProperty("producer_authority")),
            data.Text("url"), data.GetProperty("location").GetUInt16()),
        "actfinkey" => new ActFinKey(Name.Parse(data.Text("finalizer_name")), data.Text("finalizer_key")),
        _ => throw new InvalidOperationException($"no test mapping for {name}"),
    };

    private static BlockSigningAuthority ToAuthority(JsonElement variant)
    {
        Assert.Equal("block_signing_authority_v0", variant[0].GetString());
        var v0 = variant[1];
        return new BlockSigningAuthority(
            v0.GetProperty("threshold").GetUInt32(),
            [.. v0.GetProperty("keys").EnumerateArray()
                .Select(k => new KeyWeight(PublicKey.Parse(k.Text("key")), k.GetProperty("weight").GetUInt16()))]);
    }
}
