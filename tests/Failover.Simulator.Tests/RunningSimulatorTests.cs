namespace Failover.Simulator.Tests;

/// <summary>Tests against one simulator served over HTTP on a local port, started 30 slots into its chain.</summary>
public abstract class RunningSimulatorTests : IAsyncLifetime
{
    private SimulatorServer? _server;

    internal SimulatorServer Server => _server ?? throw new InvalidOperationException("The simulator is started by InitializeAsync.");

    internal TestChain Chain => Server.Chain;

    public async Task InitializeAsync()
    {
        var chain = new TestChain();
        chain.AdvanceSlots(30);
        _server = await SimulatorServer.StartAsync(chain);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
