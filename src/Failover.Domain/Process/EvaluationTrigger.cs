using Failover.Domain.Events;

namespace Failover.Domain.Process;

/// <summary>
/// When the failover process is evaluated (design §3): at each participation sample of the process manager's own
/// observer, and at each operator command that can change the outcome — a manual request, a resume, a re-arm. The
/// evaluation's time is the event's own, so a replay evaluates at the same instants. One rule for the process manager,
/// which evaluates there, and for <c>failover audit verify</c>, which expects a decision's cause to be one of them.
/// </summary>
public static class EvaluationTrigger
{
    /// <summary>
    /// The time of the evaluation <paramref name="event"/> calls for, or null when it calls for none. A sample counts
    /// only when it is <paramref name="observerId"/>'s; an operator command only when it is <paramref name="producer"/>'s.
    /// </summary>
    public static DateTimeOffset? At(object @event, string observerId, string producer) => @event switch
    {
        ParticipationSampled s when s.ObserverId == observerId => s.ObservedAt,
        ManualFailoverRequested m when m.Producer == producer => m.At,
        AutomationResumed r when r.Producer == producer => r.At,
        AutomationRearmed r when r.Producer == producer => r.At,
        _ => null,
    };
}
