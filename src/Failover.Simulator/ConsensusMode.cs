namespace Failover.Simulator;

/// <summary>How the simulated chain reaches finality and activates producer schedules (protocol.md §2.5, §2.6).</summary>
public enum ConsensusMode
{
    /// <summary>Spring 1.x: LIB ≈ head − 2 from finalizer votes; a schedule proposed in window W (12 slots) activates at the first block of window W+2.</summary>
    Savanna,

    /// <summary>Legacy DPoS: LIB from producer confirmations (≈ 325 behind with 21); proposed → pending → active on irreversibility.</summary>
    Legacy,
}
