using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;
using Failover.Service.Alerts;

namespace Failover.Api.Tests;

/// <summary>What a rotation's pushes say to whoever receives the alerts: one that proved nothing or was refused for a passing cause warns, a taken one informs, a failure is critical.</summary>
public sealed class RotationAlertTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(PushOutcomes.Accepted, "info")]
    [InlineData(PushOutcomes.Duplicate, "info")]
    [InlineData(PushOutcomes.Unknown, "warning")]
    [InlineData(PushOutcomes.NotApplied, "warning")]
    public void A_push_warns_unless_a_node_took_it(string outcome, string severity)
    {
        var pushed = new KeyRotationSubmitted("failover.bp", "rotation-1", new string('a', 64), "api1", outcome, "detail", T, 3080004, "tx_cpu_usage_exceeded");

        var alert = Assert.Single(AlertComposer.Compose(Recorded("key-rotation-submitted.v1"), pushed, "failover.bp"));

        Assert.Equal(severity, alert.Severity);
        Assert.Contains(outcome, alert.Title, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RotationFailures.Rejected)]
    [InlineData(RotationFailures.Superseded)]
    [InlineData(RotationFailures.RefusedToSign)]
    public void A_rotation_that_will_not_happen_is_critical(string reason)
    {
        var failed = new KeyRotationFailed("failover.bp", "rotation-1", new string('a', 64), reason, null, null, "detail", T);

        var alert = Assert.Single(AlertComposer.Compose(Recorded("key-rotation-failed.v1"), failed, "failover.bp"));

        Assert.Equal("critical", alert.Severity);
        Assert.Contains(reason, alert.Title, StringComparison.Ordinal);
    }

    private static RecordedEvent Recorded(string type) =>
        new(7, "failover-failover.bp", 3, Guid.NewGuid(), type, T, EventMetadata.None, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
}
