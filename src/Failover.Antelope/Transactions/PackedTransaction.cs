using System.Text.Json.Serialization;

namespace Failover.Antelope.Transactions;

/// <summary>
/// A signed transaction in nodeos's packed form: the body of <c>push_transaction</c> and <c>send_transaction</c>
/// (protocol.md §1.8). Hex strings are lower case; <see cref="Compression"/> 0 means none.
/// </summary>
public sealed record PackedTransaction(
    [property: JsonPropertyName("signatures")] IReadOnlyList<string> Signatures,
    [property: JsonPropertyName("compression")] int Compression,
    [property: JsonPropertyName("packed_context_free_data")] string PackedContextFreeData,
    [property: JsonPropertyName("packed_trx")] string PackedTrx);
