using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Failover.EventStore.Projections;

/// <summary>
/// A projection's unit of work over its JSON documents, keyed by id. Changes are kept as objects until the commit
/// serialises them once, so a document touched by many events of one batch costs one write.
/// </summary>
public interface IDocumentSession
{
    /// <summary>The document as this unit of work sees it (including its own pending changes), or default.</summary>
    ValueTask<T?> LoadAsync<T>(string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces a document when the unit of work commits.</summary>
    void Store<T>(string id, T document, JsonTypeInfo<T> typeInfo);

    /// <summary>Deletes a document when the unit of work commits.</summary>
    void Delete(string id);
}

/// <summary>Keeps changes in memory until the adapter flushes them inside its transaction.</summary>
internal abstract class BufferedDocumentSession : IDocumentSession
{
    private readonly Dictionary<string, PendingDocument?> _pending = new(StringComparer.Ordinal);

    /// <summary>A changed document: the object and how to serialise it; null in the map means deleted.</summary>
    private sealed record PendingDocument(object? Document, JsonTypeInfo TypeInfo);

    /// <summary>The changed documents as JSON; a null body means deleted.</summary>
    protected IEnumerable<KeyValuePair<string, byte[]?>> PendingJson =>
        _pending.Select(p => KeyValuePair.Create(p.Key, p.Value is { } d ? JsonSerializer.SerializeToUtf8Bytes(d.Document, d.TypeInfo) : null));

    public async ValueTask<T?> LoadAsync<T>(string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ValidateId(id);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (_pending.TryGetValue(id, out var pending))
        {
            return pending?.Document switch
            {
                null => default,
                T document => document,
                var other => throw new InvalidOperationException($"Document '{id}' is a {other.GetType()}, not a {typeof(T)}."),
            };
        }

        var json = await LoadCommittedAsync(id, cancellationToken).ConfigureAwait(false);
        return json is null ? default : JsonSerializer.Deserialize(json, typeInfo);
    }

    public void Store<T>(string id, T document, JsonTypeInfo<T> typeInfo)
    {
        ValidateId(id);
        ArgumentNullException.ThrowIfNull(typeInfo);
        _pending[id] = new PendingDocument(document, typeInfo);
    }

    public void Delete(string id)
    {
        ValidateId(id);
        _pending[id] = null;
    }

    protected abstract ValueTask<byte[]?> LoadCommittedAsync(string id, CancellationToken cancellationToken);

    private static void ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A document id is a non-empty string without NUL characters.", nameof(id));
        }
    }
}

internal static class ProjectionBatch
{
    /// <summary>Applies the events in order; returns the last one's position, or <paramref name="checkpoint"/> if there were none.</summary>
    public static async Task<long> ApplyAsync(
        IProjection projection, IAsyncEnumerable<RecordedEvent> events, IDocumentSession session, long checkpoint, CancellationToken cancellationToken)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (e.Position <= checkpoint)
            {
                throw new ArgumentException(
                    $"Projection '{projection.Name}' is at position {checkpoint}; event {e.Position} is not after it.", nameof(events));
            }

            await projection.ApplyAsync(e, session, cancellationToken).ConfigureAwait(false);
            checkpoint = e.Position;
        }

        return checkpoint;
    }
}
