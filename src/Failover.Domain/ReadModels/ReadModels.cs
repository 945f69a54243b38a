using System.Text.Json.Serialization.Metadata;

namespace Failover.Domain.ReadModels;

/// <summary>
/// The documents a read model reads and writes while it applies one batch of events. The domain only describes the
/// changes; the event store's adapter keeps them in its database with the projection's checkpoint, in one transaction.
/// </summary>
public interface IReadModelSession
{
    ValueTask<T?> LoadAsync<T>(string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class;

    void Store<T>(string id, T document, JsonTypeInfo<T> typeInfo)
        where T : class;

    void Delete(string id);
}

/// <summary>A read model as a fold of the log into documents (design §6): rebuildable from position 0 at any time.</summary>
public interface IReadModel
{
    /// <summary>Stable name: keys the checkpoint and the documents.</summary>
    string Name { get; }

    ValueTask ApplyAsync(object @event, IReadModelSession documents, CancellationToken cancellationToken);
}

/// <summary>The read models the service projects and the audit tool rebuilds: one list, so the two never differ.</summary>
public static class ReadModelSet
{
    public static IReadOnlyList<IReadModel> For(string producer) => [new ChainHealthReadModel(producer), new FailoverHistoryReadModel(producer)];
}
