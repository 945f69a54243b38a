using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Domain.ReadModels;
using Failover.EventStore.Projections;

namespace Failover.Service.Api;

/// <summary>Reads the documents of the service's read models (never the observer's or the process manager's state).</summary>
public sealed class ReadModelQueries(IProjectionStore projections)
{
    private static readonly ReadModelJsonContext Json = ReadModelJsonContext.Default;

    public Task<ChainStatus?> ChainStatusAsync(CancellationToken cancellationToken) =>
        ReadAsync(ChainHealthReadModel.ProjectionName, ChainStatus.DocumentId, Json.ChainStatus, cancellationToken);

    public Task<FailoverStatus?> FailoverStatusAsync(CancellationToken cancellationToken) =>
        ReadAsync(FailoverHistoryReadModel.ProjectionName, FailoverStatus.DocumentId, Json.FailoverStatus, cancellationToken);

    public Task<RoundHealth?> RoundAsync(uint roundStart, CancellationToken cancellationToken) =>
        ReadAsync(ChainHealthReadModel.ProjectionName, RoundHealth.DocumentId(roundStart), Json.RoundHealth, cancellationToken);

    public Task<ProducerHealth?> ProducerAsync(string producer, CancellationToken cancellationToken) =>
        ReadAsync(ChainHealthReadModel.ProjectionName, ProducerHealth.DocumentId(producer), Json.ProducerHealth, cancellationToken);

    /// <summary>Rounds starting in [<paramref name="from"/>, <paramref name="to"/>], newest first.</summary>
    public async Task<IReadOnlyList<RoundHealth>> RoundsAsync(uint from, uint to, int limit, CancellationToken cancellationToken)
    {
        var documents = await projections.ReadDocumentsAsync(
            ChainHealthReadModel.ProjectionName, RoundHealth.DocumentId(from), RoundHealth.DocumentId(to), limit, descending: true, cancellationToken).ConfigureAwait(false);
        return [.. documents.Select(d => JsonSerializer.Deserialize(d.Body, Json.RoundHealth)!)];
    }

    /// <summary>Failovers (incidents) numbered up to <paramref name="before"/> (exclusive), newest first.</summary>
    public async Task<IReadOnlyList<FailoverRecord>> FailoversAsync(long before, int limit, CancellationToken cancellationToken)
    {
        var documents = await projections.ReadDocumentsAsync(
            FailoverHistoryReadModel.ProjectionName, FailoverRecord.DocumentId(1), FailoverRecord.DocumentId(before - 1), limit, descending: true, cancellationToken).ConfigureAwait(false);
        return [.. documents.Select(d => JsonSerializer.Deserialize(d.Body, Json.FailoverRecord)!)];
    }

    private async Task<T?> ReadAsync<T>(string projection, string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class =>
        await projections.ReadDocumentAsync(projection, id, cancellationToken).ConfigureAwait(false) is { } body
            ? JsonSerializer.Deserialize(body, typeInfo)
            : null;
}
