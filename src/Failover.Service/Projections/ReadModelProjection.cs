using System.Text.Json.Serialization.Metadata;
using Failover.Domain.ReadModels;
using Failover.EventStore;
using Failover.EventStore.Projections;
using Failover.Service.Storage;

namespace Failover.Service.Projections;

/// <summary>Hosts a domain read model as a checkpointed projection in the event store's database.</summary>
public sealed class ReadModelProjection(IReadModel readModel) : IProjection
{
    public IReadModel ReadModel { get; } = readModel ?? throw new ArgumentNullException(nameof(readModel));

    public string Name => ReadModel.Name;

    public async ValueTask ApplyAsync(RecordedEvent recorded, IDocumentSession documents, CancellationToken cancellationToken)
    {
        if (DomainEvents.TryDeserialize(recorded) is { } e)
        {
            await ReadModel.ApplyAsync(e, new Session(documents), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Session(IDocumentSession documents) : IReadModelSession
    {
        public ValueTask<T?> LoadAsync<T>(string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
            where T : class => documents.LoadAsync(id, typeInfo, cancellationToken);

        public void Store<T>(string id, T document, JsonTypeInfo<T> typeInfo)
            where T : class => documents.Store(id, document, typeInfo);

        public void Delete(string id) => documents.Delete(id);
    }
}
