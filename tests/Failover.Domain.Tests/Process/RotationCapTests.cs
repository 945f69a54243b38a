using Failover.Domain.Decisions;
using Failover.Domain.Process;
using Failover.Domain.Tests.Support;

namespace Failover.Domain.Tests.Process;

/// <summary>RotationCap: the one 24 h window and the one "this rotation reaches the cap" rule.</summary>
public sealed class RotationCapTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rotation_counts_while_it_is_less_than_24_hours_old()
    {
        DateTimeOffset[] rotations = [T.AddHours(-24), T.AddHours(-24).AddTicks(1), T.AddHours(-1), T];
        Assert.Equal(rotations[1..], RotationCap.CountingAt(rotations, T));
        Assert.Equal(TimeSpan.FromHours(24), RotationCap.Window);
    }

    [Theory]
    [InlineData(2, 0, false)]
    [InlineData(2, 1, true)]
    [InlineData(2, 2, true)]
    [InlineData(1, 0, true)]
    [InlineData(3, 1, false)]
    public void An_automatic_rotation_reaches_the_cap_when_it_and_those_before_it_in_the_window_make_the_cap(int cap, int before, bool reached)
    {
        var trigger = ProcessHistory.Triggered("missed-1", T, new FailoverPolicy { MaxRotationsPer24h = cap });
        Assert.Equal(reached, RotationCap.IsReachedBy(trigger, before));
    }

    [Fact]
    public void An_operator_s_rotation_never_reaches_the_cap()
    {
        var manual = ProcessHistory.Triggered("manual-1", T, new FailoverPolicy { MaxRotationsPer24h = 1 }, manualTo: "dc-b");
        Assert.False(RotationCap.IsReachedBy(manual, 5));
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => RotationCap.CountingAt(null!, T));
        Assert.Throws<ArgumentNullException>(() => RotationCap.IsReachedBy(null!, 0));
    }
}
