using System.Globalization;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;
using Failover.Service.Storage;
using Mediator;

namespace Failover.Service.Application;

/// <summary>
/// Records operator commands in the failover process stream: the decider judges them against the process's state, and
/// the event is appended with the stream's expected version (retried after a race with the service). The service
/// picks the events up from the store and acts on them.
/// </summary>
public sealed class OperatorCommandHandlers(IEventStore store, TimeProvider time) :
    ICommandHandler<PauseAutomation, CommandResult>,
    ICommandHandler<ResumeAutomation, CommandResult>,
    ICommandHandler<RearmAutomation, CommandResult>,
    ICommandHandler<RequestManualFailover, CommandResult>
{
    private const int Attempts = 5;

    public ValueTask<CommandResult> Handle(PauseAutomation command, CancellationToken cancellationToken) =>
        RecordAsync(command, now => new FailoverCommand.Pause(command.By, command.Reason, now), "automation paused", cancellationToken);

    public ValueTask<CommandResult> Handle(ResumeAutomation command, CancellationToken cancellationToken) =>
        RecordAsync(command, now => new FailoverCommand.Resume(command.By, command.Reason, now), "automation resumed", cancellationToken);

    public ValueTask<CommandResult> Handle(RearmAutomation command, CancellationToken cancellationToken) =>
        RecordAsync(command, now => new FailoverCommand.Rearm(command.By, command.Reason, now), "automation re-armed", cancellationToken);

    public ValueTask<CommandResult> Handle(RequestManualFailover command, CancellationToken cancellationToken) =>
        RecordAsync(command, now => new FailoverCommand.RequestManualFailover(command.DataCenter, command.By, command.Reason, now),
            $"manual failover to {command.DataCenter} requested; the service decides on it", cancellationToken);

    private async ValueTask<CommandResult> RecordAsync(
        IOperatorCommand command, Func<DateTimeOffset, FailoverCommand> create, string done, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var stream = Streams.Failover(command.Producer);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var state = FailoverProcess.Initial;
            await foreach (var (_, e) in DomainEvents.ReadStreamAsync(store, stream, 0, cancellationToken).ConfigureAwait(false))
            {
                if (e is IProcessEvent processEvent)
                {
                    state = state.Apply(processEvent);
                }
            }

            var decision = FailoverDecider.Decide(create(time.GetUtcNow()), state, command.Producer);
            if (decision.Refusal is { } refusal)
            {
                return new CommandResult(false, refusal);
            }

            var expected = state.EventCount == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(state.EventCount - 1);
            var data = decision.Events.Select((e, i) => DomainEvents.ToEventData(
                DeterministicEventId.Create(stream, EventCatalogue.Of(e.GetType()).Name, (state.EventCount + i).ToString(CultureInfo.InvariantCulture)), e)).ToList();
            try
            {
                var appended = await store.AppendToStreamAsync(stream, expected, data, cancellationToken).ConfigureAwait(false);
                return new CommandResult(true, done, appended.Position);
            }
            catch (WrongExpectedVersionException)
            {
                // The service recorded something meanwhile: judge the command again against the new state.
            }
        }

        return new CommandResult(false, $"the process stream {stream} kept moving; try again");
    }
}
