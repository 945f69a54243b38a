using Failover.Domain.Decisions;

namespace Failover.Domain.ReadModels;

/// <summary>An endpoint as an observer last judged it.</summary>
public sealed record EndpointStatus(string ObserverId, string Endpoint, bool Healthy, string? Reason, string? Detail, DateTimeOffset Since);

/// <summary>A stretch of the followed branch under one schedule: from which slot (and block) and how many producers.</summary>
public sealed record ScheduleSpan(uint FromSlot, uint FromBlockNum, uint Version, int Producers);

/// <summary>The schedules in force along the followed branch, so a slot can be placed in its round.</summary>
public sealed record ScheduleTimeline(IReadOnlyList<ScheduleSpan> Spans)
{
    public const string DocumentId = "schedule-timeline";

    public static ScheduleTimeline Empty { get; } = new([]);

    /// <summary>Producers in the schedule in force at <paramref name="slot"/> (the earliest known schedule before any).</summary>
    public int ProducersAt(uint slot) => (Spans.LastOrDefault(s => s.FromSlot <= slot) ?? (Spans.Count > 0 ? Spans[0] : null))?.Producers
        ?? throw new InvalidOperationException($"No schedule is known for slot {slot}: a block was recorded before any schedule.");
}

/// <summary>
/// The state of the chain and of our producer at a glance (design §6 "Status"): head, LIB, the schedule in force and
/// our key in it, the latest participation, forks, and every endpoint's health.
/// </summary>
/// <param name="OurKeys">The keys of our block signing authority in the schedule in force (empty when not scheduled).</param>
/// <param name="OurAuthority">
/// That authority with its threshold and weights (null when not scheduled, and in a document written before it was
/// kept: then each of <paramref name="OurKeys"/> counts as in force alone).
/// </param>
public sealed record ChainStatus(
    string? ChainId,
    string OurProducer,
    uint? HeadBlockNum,
    string? HeadBlockId,
    DateTimeOffset? HeadBlockTime,
    string? HeadProducer,
    uint? LastIrreversibleBlockNum,
    uint? LibLag,
    uint? ScheduleVersion,
    int ScheduledProducers,
    bool OurProducerScheduled,
    IReadOnlyList<string> OurKeys,
    double? LastFullRoundParticipation,
    double? SlidingWindowParticipation,
    int OurConsecutiveMissed,
    DateTimeOffset? LastObservedAt,
    long ForkSwitches,
    DateTimeOffset? LastForkAt,
    IReadOnlyList<EndpointStatus> Endpoints,
    SigningAuthority? OurAuthority = null)
{
    public const string DocumentId = "status";

    public static ChainStatus Start(string ourProducer) =>
        new(null, ourProducer, null, null, null, null, null, null, null, 0, false, [], null, null, 0, null, 0, null, []);
}
