using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Domain.ReadModels;

namespace Failover.Audit.Replay;

/// <summary>A replayed read-model document: its id, its JSON as the service would store it, and the first and last positions that wrote it.</summary>
public sealed record ReplayedDocument(string Id, byte[] Json, long FirstWritten, long LastWritten);

/// <summary>
/// A read model's documents in memory: the <see cref="IReadModelSession"/> the audit replays into. It keeps the objects
/// a read model stores (serialising them once, at the end, with the read model's own JSON metadata) and which positions
/// wrote each, so a replay can be focused on a range of the log.
/// </summary>
public sealed class MemoryDocuments : IReadModelSession
{
    private readonly Dictionary<string, Entry> _documents = new(StringComparer.Ordinal);

    private sealed record Entry(object Document, JsonTypeInfo TypeInfo, long FirstWritten, long LastWritten);

    /// <summary>The position of the event being applied: writes are stamped with it.</summary>
    public long Position { get; set; }

    public int Count => _documents.Count;

    public ValueTask<T?> LoadAsync<T>(string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return ValueTask.FromResult(_documents.TryGetValue(id, out var entry)
            ? entry.Document as T ?? throw new InvalidOperationException($"Document '{id}' is a {entry.Document.GetType()}, not a {typeof(T)}.")
            : null);
    }

    public void Store<T>(string id, T document, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(typeInfo);
        _documents[id] = new Entry(document, typeInfo, _documents.TryGetValue(id, out var before) ? before.FirstWritten : Position, Position);
    }

    public void Delete(string id) => _documents.Remove(id);

    /// <summary>Every document in id order (byte order of the UTF-8 ids, as the store lists them), serialised.</summary>
    public IReadOnlyList<ReplayedDocument> Documents() =>
    [
        .. _documents.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => new ReplayedDocument(d.Key, JsonSerializer.SerializeToUtf8Bytes(d.Value.Document, d.Value.TypeInfo), d.Value.FirstWritten, d.Value.LastWritten)),
    ];

    /// <summary>A document as an object, without serialising it.</summary>
    public T? Get<T>(string id)
        where T : class => _documents.TryGetValue(id, out var entry) ? entry.Document as T : null;

    /// <summary>The documents whose id starts with <paramref name="prefix"/>, in id order, with the last position that wrote each.</summary>
    public IEnumerable<(T Document, long LastWritten)> WithPrefix<T>(string prefix)
        where T : class =>
        _documents.Where(d => d.Key.StartsWith(prefix, StringComparison.Ordinal) && d.Value.Document is T)
            .OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => ((T)d.Value.Document, d.Value.LastWritten));
}
