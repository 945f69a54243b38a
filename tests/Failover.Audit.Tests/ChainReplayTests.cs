using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;
using Failover.Audit.Verification;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.EventStore;
using Failover.EventStore.Sqlite;
using Microsoft.Data.Sqlite;

namespace Failover.Audit.Tests;

/// <summary>
/// The chain decider's re-run on logs the demo does not show: two chains in one log, a legacy chain whose header names
/// a new schedule, a fork switch, a Savanna activation inside a branch of several blocks, a record that starts at the
/// genesis block. Each log is written by the chain decider itself, observation by observation, as the observer does;
/// <c>verify</c> must re-derive every event block by block, and catch what is changed.
/// Schedule V1 is alice, bob, carol, dave, ours (60-slot rounds from S0): alice S0..S0+11, bob S0+12..23, carol
/// S0+24..35, dave S0+36..47, ours S0+48..59.
/// </summary>
public sealed class ChainReplayTests : IDisposable
{
    private const string Legacy = "aca376f206b8fc25a6ed44dbdc66547c36c6c33e3a119ffbeaef943642f0e906";
    private const string Savanna = "bdb3426f57d21db8e3705bd32265b73b4da00529046139ab5eb7eef34381278d";
    private const uint SavannaHeader = BlockHeader.SavannaScheduleVersion;
    private const uint S0 = 1_565_940_960;
    private static readonly string[] Producers = ["alice", "bob", "carol", "dave", "ours"];
    private static readonly ProducerSchedule V1 = Schedule(1, "ours");
    private static readonly ProducerSchedule V2 = Schedule(2, "ours-dc2");
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-chain-replay-");
    private readonly Dictionary<string, ObservedChain> _chains = [];

    private string PathOf(string name) => Path.Combine(_directory.FullName, name + ".db");

    [Fact]
    public async Task A_log_of_two_chains_with_a_fork_a_legacy_switch_a_savanna_activation_and_genesis_is_rederived_in_whole()
    {
        var path = await WriteAsync("clean");

        var (report, events) = await VerifyAsync(path);

        Assert.Empty(report.Problems);
        Assert.Equal(events.Count, report.ChainEventsRederived);
        Assert.Contains(events, e => e.Type == "fork-switched.v1" && e.Stream == Streams.Chain(Legacy));
        Assert.Equal(2, events.Count(e => e.Type == "producer-schedule-changed.v1" && e.Stream == Streams.Chain(Savanna)));
    }

    [Fact]
    public async Task A_fork_switch_whose_orphaned_misses_were_edited_is_not_the_one_the_decider_records()
    {
        var path = await WriteAsync("fork");
        var copy = new Tamper(path);
        var fork = await copy.FirstAsync("fork-switched.v1");
        await copy.EditPayloadAsync(fork.Position, p => p["orphaned_misses"] = new JsonArray());
        await copy.ResealAsync(fork.Position);

        var (report, _) = await VerifyAsync(path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((fork.Position, Streams.Chain(Legacy), AuditCheck.Decider), (problem.Position, problem.Stream, problem.Check));
        Assert.StartsWith("the chain decider, re-run on block 106, records the fork switch otherwise: orphaned_misses: recorded [], the decider gives [{\"slot\":", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_whose_previous_was_rewritten_does_not_link_to_the_recorded_chain()
    {
        var path = await WriteAsync("previous");
        var copy = new Tamper(path);
        var block = (await copy.EventsAsync()).First(e => e.Type == "block-produced.v1" && JsonNode.Parse(e.Payload.Span)!["block_num"]!.GetValue<uint>() == 108);
        await copy.EditPayloadAsync(block.Position, p => p["previous"] = Id("elsewhere", 107));
        await copy.ResealAsync(block.Position);

        var (report, _) = await VerifyAsync(path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((block.Position, AuditCheck.Decider), (problem.Position, problem.Check));
        Assert.StartsWith($"block 108 ({Id("main", 108)}) does not link to the recorded chain (head 107) and no fork-switched.v1 comes with it", problem.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_miss_charged_under_the_schedule_that_was_not_yet_in_force_is_reported()
    {
        var path = await WriteAsync("savanna-version");
        var copy = new Tamper(path);
        var miss = (await copy.EventsAsync()).Single(e => e.Type == "block-missed.v1" && e.Stream == Streams.Chain(Savanna) && JsonNode.Parse(e.Payload.Span)!["slot"]!.GetValue<uint>() == S0 + 11);
        await copy.EditPayloadAsync(miss.Position, p => p["schedule_version"] = 2);
        await copy.ResealAsync(miss.Position);

        var (report, _) = await VerifyAsync(path);

        var problem = Assert.Single(report.Problems);
        Assert.Equal((miss.Position, AuditCheck.Decider), (problem.Position, problem.Check));
        Assert.Equal($"the chain decider, re-run on block 5, records slot {S0 + 11} otherwise: schedule_version: recorded 2, the decider gives 1", problem.What);
    }

    [Fact]
    public async Task A_record_that_starts_at_the_genesis_block_is_not_the_decider_s()
    {
        var path = await WriteAsync("genesis");
        var copy = new Tamper(path);
        var first = (await copy.EventsAsync()).First(e => e.Stream == Streams.Chain(Savanna) && e.Type == "block-produced.v1");
        var genesis = new BlockProduced(Savanna, 1, Id("savanna", 1), Id("none", 0), "eosio", BlockTimestamp.FromSlot(S0 + 7), S0 + 7, 1, T0);
        await copy.InsertIntoStreamAsync(first.Position, first.Stream, "block-produced.v1", System.Text.Json.JsonSerializer.Serialize(genesis, DomainJsonContext.Default.BlockProduced));

        var (report, _) = await VerifyAsync(path);

        var problem = Assert.Single(report.Problems, p => p.Type == "block-produced.v1");
        Assert.Equal((first.Position, AuditCheck.Decider), (problem.Position, problem.Check));
        Assert.Equal(
            $"block-produced.v1 of block 1 ({Id("savanna", 1)}) by eosio: the chain decider, re-run on block 1, does not record it (block 1 is made from the genesis state: a record never starts there)",
            problem.What);
    }

    /// <summary>Writes the log: each observation decided by the chain decider and appended as the observer does, the two chains interleaved.</summary>
    private async Task<string> WriteAsync(string name)
    {
        var path = PathOf(name);
        _chains.Clear();
        await using (var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path }))
        {
            // Savanna: the record starts after the genesis block.
            var genesis = Block("savanna", 1, Id("none", 0), S0 + 7, "eosio", SavannaHeader);
            var s2 = Block("savanna", 2, genesis.Id, S0 + 8, "alice", SavannaHeader);
            var s3 = Block("savanna", 3, s2.Id, S0 + 9, "alice", SavannaHeader);
            await ObserveAsync(store, Savanna, [genesis, s2, s3], V1);

            // Legacy: a first observation of several blocks with empty slots between them.
            var a100 = Block("main", 100, Id("before", 99), S0 + 7, "alice", 1);
            var a101 = Block("main", 101, a100.Id, S0 + 8, "alice", 1);
            var a102 = Block("main", 102, a101.Id, S0 + 11, "alice", 1);
            var a103 = Block("main", 103, a102.Id, S0 + 14, "bob", 1);
            await ObserveAsync(store, Legacy, [a100, a101, a102, a103], V1);
            var a104 = Block("main", 104, a103.Id, S0 + 15, "bob", 1);
            var a105 = Block("main", 105, a104.Id, S0 + 30, "carol", 1);
            await ObserveAsync(store, Legacy, [a104, a105], V1);

            // Savanna: v2 reported active; the branch opens bob's window at block 5, where it takes effect.
            var s4 = Block("savanna", 4, s3.Id, S0 + 10, "alice", SavannaHeader);
            var s5 = Block("savanna", 5, s4.Id, S0 + 14, "bob", SavannaHeader);
            var s6 = Block("savanna", 6, s5.Id, S0 + 15, "bob", SavannaHeader);
            await ObserveAsync(store, Savanna, [s4, s5, s6], V2);

            // Legacy: a fork replaces 104 and 105 (and the misses 105 revealed) with a branch of three blocks.
            var f104 = Block("fork", 104, a103.Id, S0 + 16, "bob", 1);
            var f105 = Block("fork", 105, f104.Id, S0 + 25, "carol", 1);
            var f106 = Block("fork", 106, f105.Id, S0 + 26, "carol", 1);
            await ObserveAsync(store, Legacy, [a103, f104, f105, f106], V1);

            // Legacy: block 107's header names v2 (pending in the report): it took effect right after block 106.
            var a107 = Block("main", 107, f106.Id, S0 + 40, "dave", 2);
            await ObserveAsync(store, Legacy, [a107], V1, pending: V2);
            var a108 = Block("main", 108, a107.Id, S0 + 41, "dave", 2);
            await ObserveAsync(store, Legacy, [a108], V2);

            var s7 = Block("savanna", 7, s6.Id, S0 + 30, "carol", SavannaHeader);
            await ObserveAsync(store, Savanna, [s7], V2);
        }

        SqliteConnection.ClearAllPools();
        return path;
    }

    private async Task ObserveAsync(IEventStore store, string chainId, IReadOnlyList<ObservedBlock> branch, ProducerSchedule active, ProducerSchedule? pending = null)
    {
        var chain = _chains.GetValueOrDefault(chainId) ?? ObservedChain.Empty;
        var at = T0.AddSeconds(_chains.Values.Sum(c => c.EventCount));
        var decision = ChainDecider.Decide(chain, new ChainObservation(chainId, branch, new ScheduleReport(active, pending), at));
        Assert.Null(decision.Problem);
        Assert.NotEmpty(decision.Events);
        var expected = chain.EventCount == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(chain.EventCount - 1);
        await store.AppendToStreamAsync(Streams.Chain(chainId), expected,
            [.. decision.Events.Select(e => new EventData(Guid.NewGuid(), EventCatalogue.Of(e.GetType()).Name, EventCatalogue.Serialize(e), new EventMetadata(ObserverId: "synthetic")))]);
        _chains[chainId] = decision.Events.Aggregate(chain, (c, e) => c.Apply(e));
    }

    private static async Task<(VerifyReport Report, IReadOnlyList<RecordedEvent> Events)> VerifyAsync(string path)
    {
        await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path, ReadOnly = true });
        var report = await Verifier.VerifyAsync(store);
        return (report, await new Tamper(path).EventsAsync());
    }

    private static ProducerSchedule Schedule(uint version, string oursSeed) =>
        new(version, [.. Producers.Select(p => ScheduledProducer.WithKey(Name.Parse(p), Key(p == "ours" ? oursSeed : p)))]);

    private static PublicKey Key(string seed) =>
        PrivateKey.FromSecret(SHA256.HashData(Encoding.UTF8.GetBytes("failover-audit-test/" + seed))).PublicKey;

    /// <summary>A well-formed id: the block number big-endian in the first 4 bytes, then a hash of the branch tag.</summary>
    private static string Id(string tag, uint number) =>
        number.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tag}/{number}")))[..56];

    private static ObservedBlock Block(string tag, uint number, string previous, uint slot, string producer, uint header) =>
        new(number, Id(tag, number), previous, Name.Parse(producer), BlockTimestamp.FromSlot(slot), header);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}
