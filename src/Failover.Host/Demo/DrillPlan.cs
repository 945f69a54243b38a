using Failover.Antelope;
using Failover.Simulator;

namespace Failover.Host.Demo;

/// <summary>
/// What the fire drill rehearses: which producer loses which data center, the standby it rotates to, and the fixed
/// rule it rotates by. <see cref="FailoverKey"/> signs for <c>producer@failover</c>; it is never shown.
/// </summary>
internal sealed record DrillPlan(
    Name Producer,
    string FailingDataCenter,
    string StandbyDataCenter,
    PublicKey StandbyKey,
    string? StandbyFinalizerKey,
    PrivateKey FailoverKey)
{
    public static readonly Name FailoverPermission = Roster.FailoverPermission;

    /// <summary>
    /// Full rounds watched before the failing data center is taken down (in the last producer's window of the last of
    /// them, so our next window is the first one missed).
    /// </summary>
    public int RoundsBeforeOutage { get; init; } = 2;

    /// <summary>The fixed rule: rotate after this many consecutive missed slots of ours.</summary>
    public int MissedSlotsToRotate { get; init; } = 12;

    /// <summary>One block slot: how often the chain is polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs);

    /// <summary>The drill fails when the outage has not led to the rotation this long after it began.</summary>
    public TimeSpan RotationLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The drill fails when production has not resumed with the standby key this long after the push.</summary>
    public TimeSpan ResumeLimit { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The drill fails when the chain head does not advance for this long.</summary>
    public TimeSpan StallLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The drill of the simulated network: ours loses its first data center and rotates to its second.</summary>
    public static DrillPlan ForSimulation(Roster roster)
    {
        ArgumentNullException.ThrowIfNull(roster);
        var nodes = roster.NodesOf(roster.OurProducer).ToList();
        if (nodes.Count < 2)
        {
            throw new ArgumentException($"The drill needs two data centers for {roster.OurProducer}, the simulation has {nodes.Count}.", nameof(roster));
        }

        var failover = roster.Accounts.Single(a => a.Account == roster.OurProducer).Permissions[FailoverPermission];
        return new DrillPlan(roster.OurProducer, nodes[0].DataCenter, nodes[1].DataCenter, nodes[1].SigningKey.PublicKey, nodes[1].FinalizerKey, failover);
    }

    public override string ToString() =>
        $"{Producer}: {FailingDataCenter} down, rotate to {StandbyDataCenter} ({StandbyKey}) after {MissedSlotsToRotate} missed slots";
}
