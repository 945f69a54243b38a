namespace Failover.Host.Demo;

/// <summary>What a line of the fire drill's timeline reports.</summary>
internal enum DrillEventKind
{
    Started,
    RoundSummary,
    DataCenterDown,
    BlockMissed,
    RotationSubmitted,
    ProducersTableUpdated,
    ScheduleActivated,
    ProductionResumed,
    Summary,
    Failed,
}

/// <summary>One line of the timeline; <see cref="Elapsed"/> is simulated time since the drill started.</summary>
internal sealed record DrillEvent(DrillEventKind Kind, TimeSpan Elapsed, string Text)
{
    public override string ToString() =>
        $"[+{(int)Elapsed.TotalMinutes:00}:{Elapsed.Seconds:00}.{Elapsed.Milliseconds / 100}] {Text}";
}
