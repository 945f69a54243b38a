using Failover.Domain.ReadModels;
using Failover.EventStore;

namespace Failover.Audit.Replay;

/// <summary>The read models rebuilt from the log: each projection's documents, and where the replay stopped.</summary>
public sealed class ReplayResult(string producer, IReadOnlyDictionary<string, MemoryDocuments> projections, long events, long lastPosition, long? focusFrom)
{
    public string Producer { get; } = producer;

    /// <summary>By projection name (<c>chain-health</c>, <c>failover-history</c>).</summary>
    public IReadOnlyDictionary<string, MemoryDocuments> Projections { get; } = projections;

    public long Events { get; } = events;

    /// <summary>The last position applied (0: none).</summary>
    public long LastPosition { get; } = lastPosition;

    /// <summary>The first position of the focus (--from); null: everything.</summary>
    public long? FocusFrom { get; } = focusFrom;

    public MemoryDocuments Participation => Projections[ChainHealthReadModel.ProjectionName];

    public MemoryDocuments FailoverHistory => Projections[FailoverHistoryReadModel.ProjectionName];

    /// <summary>Rounds written by the events in focus, oldest first.</summary>
    public IReadOnlyList<RoundHealth> Rounds => [.. Participation.WithPrefix<RoundHealth>("round-").Where(InFocus).Select(d => d.Document)];

    /// <summary>Incidents of the failover process written by the events in focus, in the order they appeared.</summary>
    public IReadOnlyList<FailoverRecord> Failovers => [.. FailoverHistory.WithPrefix<FailoverRecord>("failover-0").Where(InFocus).Select(d => d.Document)];

    public ChainStatus? Status => Participation.Get<ChainStatus>(ChainStatus.DocumentId);

    public FailoverStatus? FailoverStatus => FailoverHistory.Get<FailoverStatus>(Domain.ReadModels.FailoverStatus.DocumentId);

    private bool InFocus<T>((T Document, long LastWritten) d) => FocusFrom is not { } from || d.LastWritten >= from;
}

/// <summary>
/// <c>failover audit replay</c>: applies the log from position 1 to every read model the service keeps
/// (<see cref="ReadModelSet"/>), in memory, through the same fold the service's projections run —
/// so its documents equal the service's live projections at the same position.
/// </summary>
public static class Replayer
{
    /// <param name="to">Stop after this position or time (null: the head).</param>
    /// <param name="from">Focus on the documents the events from here on wrote (null: all).</param>
    /// <param name="progress">Reports the last position applied.</param>
    public static async Task<ReplayResult> ReplayAsync(
        IEventStore store, string producer, LogBound? from = null, LogBound? to = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(producer);
        var readModels = ReadModelSet.For(producer);
        var documents = readModels.ToDictionary(r => r.Name, _ => new MemoryDocuments(), StringComparer.Ordinal);
        long events = 0;
        long last = 0;
        long? focusFrom = null;
        await foreach (var recorded in store.ReadAllAsync(1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (to is not null && to.IsPassedBy(recorded))
            {
                break;
            }

            if (from is not null && focusFrom is null && from.Admits(recorded))
            {
                focusFrom = recorded.Position;
            }

            var audited = AuditLog.Decode(recorded);
            if (audited.DecodeError is { } error)
            {
                throw new AuditException($"Position {recorded.Position} ({recorded.Stream}, {recorded.Type}) does not decode: {error}. Run `failover audit verify`.");
            }

            if (audited.Event is { } e)
            {
                foreach (var readModel in readModels)
                {
                    var session = documents[readModel.Name];
                    session.Position = recorded.Position;
                    await readModel.ApplyAsync(e, session, cancellationToken).ConfigureAwait(false);
                }
            }

            events++;
            last = recorded.Position;
            progress?.Report(last);
        }

        // A --from beyond the replayed events focuses on nothing.
        return new ReplayResult(producer, documents, events, last, from is null ? null : focusFrom ?? last + 1);
    }
}
