using Failover.EventStore;
using Failover.Service.Process;
using Failover.Testing;

namespace Failover.Service.Tests;

/// <summary>
/// A process manager run by its real loop (<see cref="ProcessManager.RunAsync"/>) in the rig's turns: the loop starts
/// at its first turn, and its subscription delivers only what the rig has released to it (<see cref="GatedStore"/>).
/// </summary>
internal sealed class ManagerTurns
{
    private readonly LogProgress _released = new();

    public ManagerTurns(IEventStore store, Func<IEventStore, ProcessManager> build)
    {
        Store = store;
        Manager = build(new GatedStore(store, _released));
    }

    public IEventStore Store { get; }

    public ProcessManager Manager { get; }

    public BackgroundLoop? Loop { get; private set; }

    /// <summary>Lets the manager handle (and react to) everything the log holds, its own appends too; true if there was anything.</summary>
    public async Task<bool> TakeTurnAsync()
    {
        Loop ??= new BackgroundLoop(Manager.RunAsync);
        var handled = false;
        while (await Store.ReadHeadPositionAsync() is var head && !Manager.HasHandled(head))
        {
            _released.Reached(head);
            await Loop.WaitAsync(Manager.HandledAsync(head), $"the process manager to handle position {head}");
            handled = true;
        }

        return handled;
    }
}
