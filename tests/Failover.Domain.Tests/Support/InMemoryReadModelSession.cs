using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Failover.Domain.ReadModels;

namespace Failover.Domain.Tests.Support;

/// <summary>
/// Read-model documents kept as the JSON bytes a store would hold: every load reads the stored bytes back, so a test
/// sees exactly what survives serialisation.
/// </summary>
internal sealed class InMemoryReadModelSession : IReadModelSession
{
    private readonly SortedDictionary<string, byte[]> _documents = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, byte[]> Documents => _documents;

    public ValueTask<T?> LoadAsync<T>(string id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class =>
        ValueTask.FromResult(_documents.TryGetValue(id, out var json) ? JsonSerializer.Deserialize(json, typeInfo) : null);

    public void Store<T>(string id, T document, JsonTypeInfo<T> typeInfo)
        where T : class =>
        _documents[id] = JsonSerializer.SerializeToUtf8Bytes(document, typeInfo);

    public void Delete(string id) => _documents.Remove(id);

    public T? Get<T>(string id, JsonTypeInfo<T> typeInfo)
        where T : class =>
        _documents.TryGetValue(id, out var json) ? JsonSerializer.Deserialize(json, typeInfo) : null;

    public string Text(string id) => Encoding.UTF8.GetString(_documents[id]);
}

/// <summary>Given/When/Then for the chain-health read model: events applied in order to a fresh session.</summary>
internal sealed class ReadModelSpec
{
    private readonly List<object> _events;

    private ReadModelSpec(IEnumerable<object> events) => _events = [.. events];

    public const string OurProducer = "ours";

    public static ReadModelSpec Given(params IEnumerable<object> history) => new(history);

    public ReadModelSpec When(params IEnumerable<object> events) => new([.. _events, .. events]);

    public async Task<ReadModelView> Then()
    {
        var session = new InMemoryReadModelSession();
        var model = new ChainHealthReadModel(OurProducer);
        foreach (var e in _events)
        {
            await model.ApplyAsync(e, session, CancellationToken.None);
        }

        return new ReadModelView(session);
    }
}

internal sealed record ReadModelView(InMemoryReadModelSession Session)
{
    private static readonly ReadModelJsonContext Json = ReadModelJsonContext.Default;

    public RoundHealth Round(uint roundStart) =>
        Session.Get(RoundHealth.DocumentId(roundStart), Json.RoundHealth) ?? throw new Xunit.Sdk.XunitException($"no round document at {roundStart}; have {string.Join(", ", Session.Documents.Keys)}");

    public IReadOnlyList<uint> RoundStarts => [.. Rounds.Select(r => r.RoundStart)];

    public IReadOnlyList<RoundHealth> Rounds =>
        [.. Session.Documents.Keys.Where(k => k.StartsWith("round-", StringComparison.Ordinal)).Select(k => Session.Get(k, Json.RoundHealth)!)];

    public ProducerHealth Producer(string name) => Session.Get(ProducerHealth.DocumentId(name), Json.ProducerHealth)!;

    public ChainStatus Status => Session.Get(ChainStatus.DocumentId, Json.ChainStatus)!;

    /// <summary>(producer, produced, missed) of a round, in the document's order.</summary>
    public static IEnumerable<(string, int, int)> Counts(RoundHealth round) => round.Producers.Select(p => (p.Producer, p.Produced, p.Missed));
}
