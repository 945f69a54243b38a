using Failover.Antelope;
using Failover.Simulator;

namespace Failover.Host.Demo;

/// <summary>The drill's way to cause the failure it rehearses.</summary>
internal interface IFaultInjector
{
    void TakeDown(Name producer, string dataCenter);
}

/// <summary>Takes a node of the in-process simulator down (a down node neither produces nor votes).</summary>
internal sealed class SimulatorFaults(ChainSimulator simulator) : IFaultInjector
{
    public void TakeDown(Name producer, string dataCenter) => simulator.SetNodeDown($"{producer}/{dataCenter}", true);
}
