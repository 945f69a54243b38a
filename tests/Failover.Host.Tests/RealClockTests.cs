namespace Failover.Host.Tests;

/// <summary>
/// Tests that run the service on a sped-up real clock (20 simulated seconds per second): a test host busy with other
/// classes' work could delay them by whole simulated seconds, so they run alone, after the parallel classes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealClockTests
{
    public const string Name = "runs on a sped-up real clock";
}
