using System.Runtime.ExceptionServices;
using Failover.EventStore;

namespace Failover.Service.Storage;

/// <summary>What an append to a <see cref="FencedStream"/> came to.</summary>
/// <param name="Written">This batch is stored, right after the version the writer had folded.</param>
/// <param name="Tail">
/// Null when the store acknowledged the append: the writer applies its own events. Otherwise the reply did not settle
/// it (lost, or a wrong expected version) and the stream was read back: every event stored after the folded version,
/// in order, which the writer folds instead of its own events — they are among them when <paramref name="Written"/>.
/// </param>
/// <param name="Own">How many of the first events of the tail are this writer's: this batch, or an earlier one of this
/// writer whose reply was lost.</param>
internal sealed record FencedAppend(bool Written, IReadOnlyList<RecordedEvent>? Tail, int Own)
{
    /// <summary>The tail holds events after this writer's own: another writer's (another observer, another instance).</summary>
    public bool Foreign => Tail is not null && Tail.Count > Own;

    /// <summary>The reply was lost but the writer's own append was found stored.</summary>
    public bool Recovered => Tail is not null && Own > 0;
}

/// <summary>
/// One stream appended by an event-sourced writer (the observer's chain and observer streams, the process manager's
/// process stream) with the expected version of what it folded — and the one place where an append whose reply does
/// not say what happened is settled:
/// <list type="bullet">
/// <item>acknowledged: written;</item>
/// <item>no reply (a connection dropped after COMMIT, a timeout, any exception but the caller's cancellation) or a
/// wrong expected version: the stream is read back after the folded version. If it begins with this batch — or with an
/// earlier batch of this writer at that version whose outcome was never learnt — that append is stored and counts as
/// the writer's; whatever else is there is another writer's. The writer folds the tail and decides again from it;</item>
/// <item>no reply and nothing stored after the folded version: nothing was written, as far as anyone can tell yet; the
/// failure is rethrown. The batch is remembered: a COMMIT still in flight may land later, and the next append at that
/// version then recognises it instead of taking it for another writer's.</item>
/// </list>
/// A stored batch is the writer's when it is what the store itself would take for a retry of it: the same event ids
/// in order, types, metadata and payload bytes. Ids alone do not tell — a second observer with the same ObserverId,
/// or another instance on the process stream, names its events by the same (stream, type, version).
/// </summary>
internal sealed class FencedStream(IEventStore store, string name)
{
    private const int RememberedBatches = 8;
    private const int Page = 1000;

    /// <summary>Batches appended at <see cref="_unsettledAt"/> whose outcome is not known yet.</summary>
    private readonly List<IReadOnlyList<EventData>> _unsettled = [];
    private long _unsettledAt = -1;

    public string Name => name;

    /// <summary>Appends <paramref name="batch"/> after the <paramref name="folded"/> events the writer has folded.</summary>
    public async Task<FencedAppend> AppendAsync(long folded, IReadOnlyList<EventData> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_unsettledAt != folded)
        {
            // The writer folded on: whatever an earlier batch came to, it is folded now.
            _unsettled.Clear();
            _unsettledAt = folded;
        }

        if (_unsettled.Count == RememberedBatches)
        {
            _unsettled.RemoveAt(0);
        }

        _unsettled.Add(batch);
        var expected = folded == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(folded - 1);
        ExceptionDispatchInfo failure;
        try
        {
            await store.AppendToStreamAsync(name, expected, batch, cancellationToken).ConfigureAwait(false);
            _unsettled.Clear();
            return new FencedAppend(true, null, batch.Count);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }

        // If this read fails too, the batch stays unsettled and the next append at this version settles it.
        var tail = await ReadTailAsync(folded, cancellationToken).ConfigureAwait(false);
        var own = _unsettled.FirstOrDefault(b => BeginsWith(tail, b));
        if (own is null && tail.Count == 0)
        {
            failure.Throw();
        }

        _unsettled.Clear();
        return new FencedAppend(ReferenceEquals(own, batch), tail, own?.Count ?? 0);
    }

    private async Task<List<RecordedEvent>> ReadTailAsync(long from, CancellationToken cancellationToken)
    {
        var tail = new List<RecordedEvent>();
        while (true)
        {
            var count = 0;
            await foreach (var recorded in store.ReadStreamAsync(name, Direction.Forwards, from + tail.Count, Page, cancellationToken).ConfigureAwait(false))
            {
                tail.Add(recorded);
                count++;
            }

            if (count < Page)
            {
                return tail;
            }
        }
    }

    private static bool BeginsWith(List<RecordedEvent> tail, IReadOnlyList<EventData> batch)
    {
        if (tail.Count < batch.Count)
        {
            return false;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var (mine, stored) = (batch[i], tail[i]);
            if (mine.EventId != stored.EventId || mine.Type != stored.Type || mine.Metadata != stored.Metadata || !mine.Payload.Span.SequenceEqual(stored.Payload.Span))
            {
                return false;
            }
        }

        return true;
    }
}
