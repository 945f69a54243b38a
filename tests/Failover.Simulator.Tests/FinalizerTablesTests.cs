using System.Text.Json;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;
using Failover.Simulator.Chain;
using Failover.Simulator.Http;

namespace Failover.Simulator.Tests;

/// <summary>
/// The system contract's finalizer tables over <c>get_table_rows</c> (protocol.md §1.6, §3.5): <c>finkeys</c> by id
/// and through <c>byfinname</c>, <c>finalizers</c> by name, as nodeos answers them; and registering a key to a producer.
/// </summary>
public sealed class FinalizerTablesTests
{
    private readonly TestChain _chain = new();

    public FinalizerTablesTests() => _chain.AdvanceSlots(4);

    private ChainApiClient Client() => new(
        new HttpClient(new InProcessChainHandler(_chain.Simulator, _chain.Time)),
        new ChainApiOptions { BaseAddress = new Uri("http://simulator/"), ReadRetries = 0, Timeout = TimeSpan.FromSeconds(2), TimeProvider = _chain.Time });

    private JsonElement Rows(string request)
    {
        var answer = new ChainApi(_chain.Simulator).Handle("api1", "get_table_rows", request);
        Assert.Equal(200, answer.Status);
        return JsonDocument.Parse(answer.Body).RootElement.Clone();
    }

    [Fact]
    public async Task Our_keys_are_both_data_centers_keys_in_id_order_and_the_first_is_active_until_actfinkey_makes_the_second_active()
    {
        var dc1 = _chain.Node("failover.bp/dc1").FinalizerKey!;
        var dc2 = _chain.Node("failover.bp/dc2").FinalizerKey!;

        var before = await Client().GetFinalizerKeysAsync("failover.bp");
        Assert.Equal([dc1, dc2], before.Keys.Select(k => k.FinalizerKey));
        Assert.Equal(dc1, before.Active!.FinalizerKey);

        _chain.Simulator.Push(_chain.Sign(new ActFinKey(TestChain.Ours, dc2), "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover")));
        _chain.AdvanceSlots(1);

        var after = await Client().GetFinalizerKeysAsync("failover.bp");
        Assert.Equal(before.Keys, after.Keys);
        Assert.Equal(dc2, after.Active!.FinalizerKey);
    }

    [Fact]
    public void Finkeys_rows_carry_the_id_the_finalizer_the_key_and_its_bytes_in_nodeos_json()
    {
        var dc1 = _chain.Node("failover.bp/dc1").FinalizerKey!;
        var rows = Rows("""{"json":true,"code":"eosio","scope":"eosio","table":"finkeys","index_position":"2","key_type":"name","lower_bound":"failover.bp","upper_bound":"failover.bp","limit":10}""");

        Assert.False(rows.GetProperty("more").GetBoolean());
        Assert.Equal(string.Empty, rows.GetProperty("next_key").GetString());
        var first = rows.GetProperty("rows")[0];
        Assert.Equal(["id", "finalizer_name", "finalizer_key", "finalizer_key_binary"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, first.GetProperty("id").ValueKind);
        Assert.Equal("failover.bp", first.GetProperty("finalizer_name").GetString());
        Assert.Equal(dc1, first.GetProperty("finalizer_key").GetString());
        Assert.True(BlsPublicKey.TryDecode(dc1, out var point));
        Assert.Equal(Convert.ToHexStringLower(point), first.GetProperty("finalizer_key_binary").GetString());

        var finalizer = Rows("""{"json":true,"code":"eosio","scope":"eosio","table":"finalizers","lower_bound":"failover.bp","upper_bound":"failover.bp","limit":1}""").GetProperty("rows")[0];
        Assert.Equal(["finalizer_name", "active_key_id", "active_key_binary", "finalizer_key_count"], finalizer.EnumerateObject().Select(p => p.Name));
        Assert.Equal(first.GetProperty("id").GetUInt64(), finalizer.GetProperty("active_key_id").GetUInt64());
        Assert.Equal(2u, finalizer.GetProperty("finalizer_key_count").GetUInt32());
    }

    [Fact]
    public void The_primary_index_pages_by_id_and_byfinname_pages_by_name_with_next_key_in_the_key_type()
    {
        // 21 producers, ours with two nodes: 22 keys, ids 0..21.
        var page = Rows("""{"json":true,"code":"eosio","scope":"eosio","table":"finkeys","limit":5}""");
        Assert.Equal([0ul, 1, 2, 3, 4], page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetUInt64()));
        Assert.True(page.GetProperty("more").GetBoolean());
        Assert.Equal("5", page.GetProperty("next_key").GetString());

        var byName = Rows("""{"json":true,"code":"eosio","scope":"eosio","table":"finkeys","index_position":"secondary","key_type":"name","limit":2}""");
        var names = byName.GetProperty("rows").EnumerateArray().Select(r => Name.Parse(r.GetProperty("finalizer_name").GetString()!)).ToList();
        Assert.Equal(names.OrderBy(n => n.Value), names);
        var next = Name.Parse(byName.GetProperty("next_key").GetString()!);
        Assert.True(next.Value >= names[^1].Value);

        var reversed = Rows("""{"json":true,"code":"eosio","scope":"eosio","table":"finkeys","reverse":true,"limit":1}""");
        Assert.Equal(21ul, reversed.GetProperty("rows")[0].GetProperty("id").GetUInt64());
        Assert.Equal("20", reversed.GetProperty("next_key").GetString());
    }

    [Fact]
    public void Without_json_a_finkeys_row_is_the_hex_of_its_abi_bytes()
    {
        var dc1 = _chain.Node("failover.bp/dc1").FinalizerKey!;
        var json = Rows("""{"json":true,"code":"eosio","scope":"eosio","table":"finkeys","index_position":"2","lower_bound":"failover.bp","upper_bound":"failover.bp","limit":1}""").GetProperty("rows")[0];
        var hex = Rows("""{"code":"eosio","scope":"eosio","table":"finkeys","index_position":"2","lower_bound":"failover.bp","upper_bound":"failover.bp","limit":1}""").GetProperty("rows")[0].GetString()!;

        var reader = new AbiReader(Convert.FromHexString(hex));
        Assert.Equal(json.GetProperty("id").GetUInt64(), reader.ReadUInt64());
        Assert.Equal(TestChain.Ours, reader.ReadName());
        Assert.Equal(dc1, reader.ReadString());
        Assert.Equal(json.GetProperty("finalizer_key_binary").GetString(), Convert.ToHexStringLower(reader.ReadBytes()));
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void An_index_the_simulator_does_not_keep_is_refused_as_nodeos_refuses_a_bad_request()
    {
        var answer = new ChainApi(_chain.Simulator).Handle("api1", "get_table_rows", """{"json":true,"code":"eosio","scope":"eosio","table":"finkeys","index_position":"3","key_type":"sha256"}""");

        Assert.Equal(400, answer.Status);
        Assert.Contains("index_position 3 of eosio/eosio/finkeys", JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetProperty("details")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_registered_to_another_producer_is_in_its_rows_not_ours_and_actfinkey_of_it_fails_as_not_registered()
    {
        var key = SeedDerivation.FinalizerKey("tables", "spare");
        var ids = (await Client().GetFinalizerKeysAsync("failover.bp")).Keys.Count;

        _chain.Simulator.RegisterFinalizerKey("prod.a", key);

        var prodA = await Client().GetFinalizerKeysAsync("prod.a");
        Assert.Equal(key, prodA.Keys[^1].FinalizerKey);
        Assert.Equal(21ul + 1, prodA.Keys[^1].Id);
        Assert.NotEqual(key, prodA.Active!.FinalizerKey);
        Assert.Equal(ids, (await Client().GetFinalizerKeysAsync("failover.bp")).Keys.Count);
        var refused = Assert.Throws<ChainException>(() => _chain.Simulator.Push(
            _chain.Sign(new ActFinKey(TestChain.Ours, key), "failover.bp", "failover", _chain.AccountKey("failover.bp", "failover"))));
        Assert.Contains("finalizer key was not registered", refused.Message, StringComparison.Ordinal);
        Assert.Contains("duplicate finalizer key", Assert.Throws<ChainException>(() => _chain.Simulator.RegisterFinalizerKey("failover.bp", key)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_legacy_chain_has_empty_finalizer_tables()
    {
        var legacy = new TestChain(ConsensusMode.Legacy);
        legacy.AdvanceSlots(2);
        var client = new ChainApiClient(
            new HttpClient(new InProcessChainHandler(legacy.Simulator, legacy.Time)),
            new ChainApiOptions { BaseAddress = new Uri("http://simulator/"), ReadRetries = 0, TimeProvider = legacy.Time });

        var keys = await client.GetFinalizerKeysAsync("failover.bp");

        Assert.Empty(keys.Keys);
        Assert.Null(keys.Active);
    }
}
