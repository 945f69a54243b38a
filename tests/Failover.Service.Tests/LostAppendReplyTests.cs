using Failover.Domain.Events;
using Failover.EventStore;
using Failover.Service.Storage;
using Failover.Testing;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Tests;

/// <summary>
/// An append that commits in the database but whose reply never arrives (the connection drops after COMMIT, a timeout,
/// an exception after the write): the writer cannot tell from the reply whether it is stored. Each writer re-reads the
/// stream's tail, recognises its own events there and carries on as if the append had succeeded — nothing is lost,
/// nothing is appended twice, and the service keeps observing and deciding.
/// </summary>
public sealed class LostAppendReplyTests
{
    private static readonly TimeSpan SampleInterval = Configuration.ObserverSettings.Default.SampleInterval;

    /// <summary>
    /// The reply of an append to observer-&lt;id&gt; holding a sample is lost. The observer must not stay a version behind
    /// (every later append would then be refused and reported as a second observer with its id): it keeps sampling,
    /// its stream holds the lost-reply sample once and no gap, and the process manager still rotates on a later outage.
    /// </summary>
    [Fact]
    public async Task When_the_reply_of_a_sample_append_is_lost_the_observer_keeps_sampling_and_the_manager_still_rotates()
    {
        LostReplyStore store = null!;
        await using var rig = await ServiceRig.StartAsync(new RigOptions { WrapStore = s => store = new LostReplyStore(s) });
        await rig.StepAsync();
        await rig.RunForAsync(TimeSpan.FromSeconds(20));
        var observerStream = Streams.Observer(rig.Settings.ObserverId);
        store.LoseReplyOnce(observerStream, "participation-sampled.v1");

        // If the lost reply surfaces as an error of that poll, it is a store failure the observer's run loop logs and
        // survives (Observer.RunAsync polls again at the next interval with the same observer): tolerated once here.
        await StepUntilAsync(rig, () => store.Lost is not null, toleratingLostReply: true);
        var lost = store.Lost!;
        var lostAt = rig.Clock.GetUtcNow();
        await rig.RunForAsync(TimeSpan.FromSeconds(30));

        var records = await rig.RecordsAsync(observerStream);
        Scenario.IsDense(records);
        var stored = records.Where(r => lost.Events.Any(e => e.EventId == r.EventId)).ToList();
        Assert.Equal(lost.Events.Select(e => e.EventId), stored.Select(r => r.EventId));
        Assert.Equal(lost.Events.Select(e => Convert.ToHexString(e.Payload.Span)), stored.Select(r => Convert.ToHexString(r.Payload.Span)));
        var samples = (await rig.ObserverEventsAsync()).OfType<ParticipationSampled>().Select(s => s.ObservedAt).ToList();
        Assert.Equal(samples.Count, samples.Distinct().Count());
        var around = samples.Where(t => t >= lostAt - TimeSpan.FromSeconds(10)).ToList();
        Assert.True(around.Count(t => t > lostAt) >= 4, $"sampling goes on after the lost reply: {around.Count(t => t > lostAt)} samples in 30 s");
        Assert.All(around.Zip(around.Skip(1)), pair => Assert.InRange(pair.Second - pair.First, TimeSpan.Zero, SampleInterval));

        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        Assert.Single(rig.RecordedPushes);
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        records = await rig.RecordsAsync(observerStream);
        Scenario.IsDense(records);
        Assert.Equal(records.Count, rig.Observer.State.EventCount);
        Assert.DoesNotContain(rig.Instances[0].Log.Entries, e => e.Message.Contains("two observers", StringComparison.Ordinal));
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"The reply of an append to {observerStream} was lost", StringComparison.Ordinal));
    }

    /// <summary>
    /// The reply of an append of blocks to chain-&lt;chainId&gt; is lost. The observer finds its blocks stored and carries
    /// on in the same poll; the chain stream holds every block once, without a gap, up to the chain's head.
    /// </summary>
    [Fact]
    public async Task When_the_reply_of_a_chain_append_is_lost_the_observer_carries_on_and_the_chain_stream_holds_every_block_once()
    {
        LostReplyStore store = null!;
        await using var rig = await ServiceRig.StartAsync(new RigOptions { WrapStore = s => store = new LostReplyStore(s) });
        await rig.StepAsync();
        await rig.RunForAsync(TimeSpan.FromSeconds(10));
        store.LoseReplyOnce(rig.ChainStream, "block-produced.v1");

        await StepUntilAsync(rig, () => store.Lost is not null, toleratingLostReply: false);
        var lost = store.Lost!;
        await rig.RunForAsync(TimeSpan.FromSeconds(30));

        await Scenario.ChainStreamHoldsEachBlockOnceAsync(rig);
        var records = await rig.RecordsAsync(rig.ChainStream);
        Assert.Equal(lost.Events.Select(e => e.EventId), records.Where(r => lost.Events.Any(e => e.EventId == r.EventId)).Select(r => r.EventId));
        var blocks = (await rig.ChainEventsAsync()).OfType<BlockProduced>().Select(b => b.BlockNum).ToList();
        Assert.Equal(Enumerable.Range((int)blocks[0], blocks.Count).Select(n => (uint)n), blocks);
        Assert.Equal(rig.Simulator.View().Head.Number, blocks[^1]);
        Assert.Equal(records.Count, rig.Observer.Chain.EventCount); // the observer's fold is the stream: not a version behind
        Scenario.IsDense(await rig.RecordsAsync(Streams.Observer(rig.Settings.ObserverId)));
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"The reply of an append to {rig.ChainStream} was lost", StringComparison.Ordinal));
    }

    /// <summary>
    /// The reply of the process stream's append holding FailoverTriggered and KeyRotationRequested is lost. The manager
    /// must not decide again into a second, different transaction, nor fail: it re-reads its stream, finds its own
    /// request, and continues from it — the very same transaction is pushed, once, and applies once.
    /// </summary>
    [Fact]
    public async Task When_the_reply_of_the_rotation_request_append_is_lost_the_manager_continues_from_the_stored_request_and_one_transaction_reaches_the_chain()
    {
        LostReplyStore store = null!;
        await using var rig = await ServiceRig.StartAsync(new RigOptions { WrapStore = s => store = new LostReplyStore(s) });
        store.LoseReplyOnce(ServiceRig.ProcessStream, "key-rotation-requested.v1");
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");

        var lost = Assert.IsType<LostReply>(store.Lost);
        Assert.Equal(["failover-triggered.v1", "key-rotation-requested.v1"], lost.Events.Select(e => e.Type));
        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var records = await rig.RecordsAsync(ServiceRig.ProcessStream);
        Scenario.IsDense(records);
        Assert.Equal(lost.Events.Select(e => e.EventId), records.Take(2).Select(r => r.EventId));
        Assert.Equal(lost.Events.Select(e => Convert.ToHexString(e.Payload.Span)), records.Take(2).Select(r => Convert.ToHexString(r.Payload.Span)));
        var requested = await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Equal(requested.TransactionId, Assert.Single(rig.RecordedPushes).TransactionId);
        Assert.DoesNotContain(rig.Instances[0].Log.Entries, e => e.Message.StartsWith("Another instance recorded first", StringComparison.Ordinal));
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("The reply of an append to failover-failover.bp was lost (Evaluate)", StringComparison.Ordinal));
        await Scenario.ChainStreamHoldsEachBlockOnceAsync(rig);
    }

    /// <summary>
    /// A genuine conflict keeps today's behaviour: a second observer configured with the same ObserverId (here with its
    /// endpoints in another order, so its samples differ) is refused with an error naming the id, and the stream holds
    /// only the first one's events.
    /// </summary>
    [Fact]
    public async Task A_second_observer_with_the_same_ObserverId_is_still_refused_with_an_error_naming_the_id()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions { Instances = 2, Configure = s => s with { ObserverId = "obs-1" } });
        rig.Reconfigure(s => s with { Endpoints = [.. s.Endpoints.Reverse()] }, instance: 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => rig.RunForAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("two observers are configured with ObserverId 'obs-1'", error.Message, StringComparison.Ordinal);
        Scenario.IsDense(await rig.RecordsAsync(Streams.Observer("obs-1")));
        Assert.DoesNotContain(rig.Instances.SelectMany(i => i.Log.Entries), e => e.Message.StartsWith("The reply of an append", StringComparison.Ordinal));
    }

    /// <summary>The rule itself, on a SQLite store: a lost reply whose append is stored counts as written, read back.</summary>
    [Fact]
    public async Task FencedStream_settles_a_lost_reply_by_reading_the_stream_back()
    {
        await using var store = await TestStore.OpenAsync();
        store.Store.LoseReplyOnce("s-1", TestStore.Type);
        var fenced = new Storage.FencedStream(store.Store, "s-1");
        var batch = TestStore.Batch("a", 2);

        var result = await fenced.AppendAsync(0, batch, CancellationToken.None);

        Assert.NotNull(store.Store.Lost);
        Assert.True(result.Written);
        Assert.True(result.Recovered);
        Assert.False(result.Foreign);
        Assert.Equal(batch.Select(e => e.EventId), result.Tail!.Select(r => r.EventId));
        var next = await fenced.AppendAsync(2, TestStore.Batch("b", 1, from: 2), CancellationToken.None);
        Assert.Equal((true, (IReadOnlyList<RecordedEvent>?)null), (next.Written, next.Tail));
    }

    /// <summary>
    /// An append that failed with nothing stored is rethrown; if its COMMIT lands later after all, the writer's next
    /// append at that version recognises it as its own (not written this time, nothing foreign).
    /// </summary>
    [Fact]
    public async Task FencedStream_rethrows_when_nothing_is_stored_and_recognises_a_late_commit_of_that_batch_later()
    {
        await using var store = await TestStore.OpenAsync();
        var fenced = new Storage.FencedStream(store.Store, "s-1");
        var early = TestStore.Batch("early", 1);
        store.Store.FailNextAppend("s-1");

        await Assert.ThrowsAsync<ReplyLostException>(() => fenced.AppendAsync(0, early, CancellationToken.None));
        await store.Store.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, early); // the late commit
        var result = await fenced.AppendAsync(0, TestStore.Batch("later", 1), CancellationToken.None);

        Assert.False(result.Written);
        Assert.Equal(1, result.Own);
        Assert.False(result.Foreign);
        Assert.Equal(early[0].EventId, Assert.Single(result.Tail!).EventId);
    }

    /// <summary>Events with this writer's ids but another writer's content (the same id scheme, another observer or instance) are foreign.</summary>
    [Fact]
    public async Task FencedStream_takes_the_same_ids_with_other_content_for_another_writers_events()
    {
        await using var store = await TestStore.OpenAsync();
        var fenced = new Storage.FencedStream(store.Store, "s-1");
        var theirs = TestStore.Batch("x", 1, content: "theirs");
        await store.Store.AppendToStreamAsync("s-1", ExpectedVersion.NoStream, theirs);

        var result = await fenced.AppendAsync(0, TestStore.Batch("x", 1, content: "mine"), CancellationToken.None);

        Assert.False(result.Written);
        Assert.Equal(0, result.Own);
        Assert.True(result.Foreign);
    }

    /// <summary>Steps until <paramref name="done"/>; a lost reply surfacing from the step is tolerated (once) only when asked.</summary>
    private static async Task StepUntilAsync(ServiceRig rig, Func<bool> done, bool toleratingLostReply)
    {
        var surfaced = 0;
        for (var step = 0; !done(); step++)
        {
            Assert.True(step < 600, "the append whose reply is lost happened within 5 minutes");
            try
            {
                await rig.StepAsync();
            }
            catch (ReplyLostException) when (toleratingLostReply && surfaced++ == 0)
            {
            }
        }
    }
}

/// <summary>A SQLite store of its own behind a <see cref="LostReplyStore"/>, and test events named like the service names its own.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    public const string Type = "test-event.v1";

    private readonly DirectoryInfo _directory;

    private TestStore(DirectoryInfo directory, LostReplyStore store) => (_directory, Store) = (directory, store);

    public LostReplyStore Store { get; }

    public static async Task<TestStore> OpenAsync()
    {
        var directory = Directory.CreateTempSubdirectory("failover-fenced-");
        var inner = await EventStore.Sqlite.SqliteEventStore.OpenAsync(
            new EventStore.Sqlite.SqliteEventStoreOptions { Path = Path.Combine(directory.FullName, "store.db"), Durability = EventStore.Sqlite.SqliteDurability.Normal },
            CancellationToken.None);
        return new TestStore(directory, new LostReplyStore(inner));
    }

    /// <summary><paramref name="count"/> events with ids (writer, version) from <paramref name="from"/>, as the observer and process streams name theirs.</summary>
    public static List<EventData> Batch(string what, int count, long from = 0, string content = "") =>
        [.. Enumerable.Range(0, count).Select(i => new EventData(
            DeterministicEventId.Create("writer", Type, (from + i).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Type,
            System.Text.Encoding.UTF8.GetBytes($"{{\"what\":\"{what}\",\"content\":\"{content}\"}}"),
            new EventMetadata(ObserverId: "writer")))];

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}

/// <summary>An append whose reply was lost: the stream and the batch, which the store did commit.</summary>
internal sealed record LostReply(string Stream, IReadOnlyList<EventData> Events);

/// <summary>The connection dropped during an append: after its COMMIT (the reply is lost), or before anything was written.</summary>
internal sealed class ReplyLostException(string stream, bool committed = true)
    : IOException(committed ? $"the connection dropped after COMMIT: the reply of an append to {stream} was lost" : $"the connection dropped before an append to {stream} was written");

/// <summary>
/// Passes everything to the real store; once armed, the first append to the chosen stream holding an event of the
/// chosen type commits for real and then throws <see cref="ReplyLostException"/> instead of returning its result.
/// </summary>
internal sealed class LostReplyStore(IEventStore inner) : DelegatingEventStore(inner)
{
    private (string Stream, string Type)? _armed;

    /// <summary>The append whose reply was lost, once it happened.</summary>
    public LostReply? Lost { get; private set; }

    private string? _failing;

    public void LoseReplyOnce(string stream, string type) => _armed = (stream, type);

    /// <summary>The next append to <paramref name="stream"/> fails the same way, but before anything is written.</summary>
    public void FailNextAppend(string stream) => _failing = stream;

    public override async Task<AppendResult> AppendToStreamAsync(string stream, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        if (_failing == stream)
        {
            _failing = null;
            throw new ReplyLostException(stream, committed: false);
        }

        var result = await Inner.AppendToStreamAsync(stream, expected, events, cancellationToken);
        if (_armed is { } armed && armed.Stream == stream && events.Any(e => e.Type == armed.Type))
        {
            _armed = null;
            Lost = new LostReply(stream, [.. events]);
            throw new ReplyLostException(stream);
        }

        return result;
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
