using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Failover.EventStore.Projections;

/// <summary>A projection's unit of work over its JSON documents, keyed by id.</summary>
public interface IDocumentSession
{
    /// <summary>The document as this unit of work sees it (including its own pending changes), or null.</summary>
    ValueTask<byte[]?> LoadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces a document when the unit of work commits.</summary>
    void Store(string id, byte[] json);

    /// <summary>Deletes a document when the unit of work commits.</summary>
    void Delete(string id);
}

public static class DocumentSessionExtensions
{
    public static async ValueTask<T?> LoadAsync<T>(
        this IDocumentSession session, string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var json = await session.LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return json is null ? default : JsonSerializer.Deserialize(json, typeInfo);
    }

    public static void Store<T>(this IDocumentSession session, string id, T document, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.Store(id, JsonSerializer.SerializeToUtf8Bytes(document, typeInfo));
    }
}

/// <summary>Keeps changes in memory until the adapter flushes them inside its transaction.</summary>
internal abstract class BufferedDocumentSession : IDocumentSession
{
    private readonly Dictionary<string, byte[]?> _pending = new(StringComparer.Ordinal);

    /// <summary>Changed documents; a null body means deleted.</summary>
    protected IReadOnlyDictionary<string, byte[]?> Pending => _pending;

    public async ValueTask<byte[]?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        ValidateId(id);
        return _pending.TryGetValue(id, out var pending)
            ? pending
            : await LoadCommittedAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public void Store(string id, byte[] json)
    {
        ValidateId(id);
        ArgumentNullException.ThrowIfNull(json);
        _pending[id] = json;
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
