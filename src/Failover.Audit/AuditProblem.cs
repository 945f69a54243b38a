using System.Text.Json.Serialization;

namespace Failover.Audit;

/// <summary>What a problem breaks, in the order the checks run at one position (the first one found is the headline).</summary>
public enum AuditCheck
{
    /// <summary>Positions are dense from 1: a missing position is a deleted event.</summary>
    [JsonStringEnumMemberName("position")]
    Position,

    /// <summary>The event's stored hash is not sha256(previous hash ‖ canonical bytes).</summary>
    [JsonStringEnumMemberName("hash-chain")]
    HashChain,

    /// <summary>A stream's versions are dense from 0 in position order.</summary>
    [JsonStringEnumMemberName("stream-version")]
    StreamVersion,

    /// <summary>A link differs from a hash anchored elsewhere (--anchor).</summary>
    [JsonStringEnumMemberName("anchor")]
    Anchor,

    /// <summary>The payload is not the record its type name says, or it belongs to another stream.</summary>
    [JsonStringEnumMemberName("payload")]
    Payload,

    /// <summary>The recorded decision is not what the policy gives on its recorded evidence and policy.</summary>
    [JsonStringEnumMemberName("decision")]
    Decision,

    /// <summary>The recorded evidence is not what the log before the decision gives.</summary>
    [JsonStringEnumMemberName("evidence")]
    Evidence,

    /// <summary>A rotation step without its request, or a transaction that is not what was requested.</summary>
    [JsonStringEnumMemberName("rotation")]
    Rotation,

    /// <summary>
    /// A decider re-run over the log records otherwise: the chain decider on the recorded blocks (misses, schedule
    /// changes, fork switches, the blocks themselves), or the failover decider on the process stream (decisions once per
    /// incident and reason, the request and latch with a trigger, every later step from the state before it).
    /// </summary>
    [JsonStringEnumMemberName("decider")]
    Decider,

    /// <summary>The store's stream table disagrees with the log (events missing at a stream's end).</summary>
    [JsonStringEnumMemberName("stream-table")]
    StreamTable,
}

/// <summary>One thing wrong with the log: where (position, stream, type), which check, what, and the particulars.</summary>
public sealed record AuditProblem(long Position, string? Stream, string? Type, AuditCheck Check, string What, IReadOnlyList<string> Details)
{
    public override string ToString() => $"position {Position} ({Stream ?? "-"}, {Type ?? "-"}): {What}";
}

/// <summary>The audit cannot go on: the store cannot be opened or read, or what was asked for is not in the log.</summary>
public sealed class AuditException : Exception
{
    public AuditException()
    {
    }

    public AuditException(string message)
        : base(message)
    {
    }

    public AuditException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
