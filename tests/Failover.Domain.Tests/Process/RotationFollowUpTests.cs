using Failover.Domain.Process;
using Failover.Domain.Tests.Support;

namespace Failover.Domain.Tests.Process;

/// <summary>RotationFollowUp: a transaction's lifetime, the takeover of a request left without its push, and what each sample does for the rotation under way.</summary>
public sealed class RotationFollowUpTests
{
    private static readonly DateTimeOffset T = DecisionFixtures.T;

    [Fact]
    public void A_transaction_expires_five_minutes_after_the_head_it_was_built_on_in_whole_seconds()
    {
        Assert.Equal(T.AddMinutes(5), RotationFollowUp.ExpirationAfter(T));
        Assert.Equal(T.AddMinutes(5), RotationFollowUp.ExpirationAfter(T.AddMilliseconds(500)));
        Assert.Equal(T.AddMinutes(5).AddSeconds(1), RotationFollowUp.ExpirationAfter(T.AddMilliseconds(1000)));
    }

    [Fact]
    public void Without_a_rotation_under_way_nothing_is_followed()
    {
        Assert.Equal(RotationStep.None, RotationFollowUp.At(FailoverProcess.Initial, T));
        Assert.Equal(RotationStep.None, RotationFollowUp.At(ProcessHistory.Fold(ProcessHistory.CompletedRotation("rotation-1", "missed-1", T)), T.AddMinutes(2)));
        Assert.Equal(RotationStep.None, RotationFollowUp.At(ProcessHistory.Fold([.. ProcessHistory.Rotation("rotation-1", "missed-1", T), ProcessHistory.Failed("rotation-1", "expired", T.AddMinutes(6))]), T.AddMinutes(7)));
    }

    [Fact]
    public void A_request_waits_for_its_push_for_thirty_seconds_then_it_is_taken_over()
    {
        var requested = ProcessHistory.Fold(ProcessHistory.Rotation("rotation-1", "missed-1", T));

        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(requested, T));
        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(requested, T.AddSeconds(30).AddTicks(-1)));
        Assert.Equal(RotationStep.TakeOver, RotationFollowUp.At(requested, T.AddSeconds(30)));
        Assert.Equal(RotationStep.TakeOver, RotationFollowUp.At(requested, T.AddMinutes(3)));
    }

    [Fact]
    public void A_submitted_rotation_is_followed_on_the_chain_and_never_taken_over()
    {
        var submitted = ProcessHistory.Fold([.. ProcessHistory.Rotation("rotation-1", "missed-1", T), ProcessHistory.Submitted("rotation-1", T.AddSeconds(1))]);

        Assert.Equal(RotationStep.ObserveChain, RotationFollowUp.At(submitted, T.AddMinutes(3)));
    }

    [Fact]
    public void No_process_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => RotationFollowUp.At(null!, T));
    }
}
