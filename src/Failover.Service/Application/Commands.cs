using Mediator;

namespace Failover.Service.Application;

/// <summary>What an operator command did: recorded (with the event's position), or refused and why.</summary>
public sealed record CommandResult(bool Recorded, string Message, long? Position = null);

/// <summary>An operator command on the failover process of <see cref="Producer"/>, recorded with who and why.</summary>
public interface IOperatorCommand : ICommand<CommandResult>
{
    string Producer { get; }

    string By { get; }

    string Reason { get; }
}

/// <summary>Stop automatic failover (manual requests still work).</summary>
public sealed record PauseAutomation(string Producer, string By, string Reason) : IOperatorCommand;

public sealed record ResumeAutomation(string Producer, string By, string Reason) : IOperatorCommand;

/// <summary>Re-arm automation after it latched at the rotation cap.</summary>
public sealed record RearmAutomation(string Producer, string By, string Reason) : IOperatorCommand;

/// <summary>Ask the service to fail over to a named data center; it decides and acts (design §5's manual path).</summary>
public sealed record RequestManualFailover(string Producer, string DataCenter, string By, string Reason) : IOperatorCommand;
