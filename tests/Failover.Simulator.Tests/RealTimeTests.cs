using Failover.Simulator.Http;
using Microsoft.Extensions.Time.Testing;

namespace Failover.Simulator.Tests;

public sealed class RealTimeTests
{
    [Fact]
    public void A_scaled_clock_runs_speed_times_as_fast_and_its_timers_fire_after_one_speedth()
    {
        var inner = new FakeTimeProvider(TestChain.Start);
        var scaled = new ScaledTimeProvider(10, inner);
        var fired = 0;
        using var timer = scaled.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        inner.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(TestChain.Start.AddSeconds(4), scaled.GetUtcNow());
        Assert.Equal(0, fired);

        inner.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, fired);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledTimeProvider(0));
    }

    [Fact]
    public async Task The_hosted_simulator_follows_the_scaled_clock_at_one_block_per_virtual_half_second()
    {
        var simulator = new ChainSimulator(new SimulationOptions { Seed = "real-time" }, new ScaledTimeProvider(50));
        await using var app = SimulatorHost.Build(simulator, ["http://127.0.0.1:0"]);
        await app.StartAsync();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (simulator.View().Head.Number < 40 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(simulator.View().Head.Number >= 40, $"head {simulator.View().Head.Number} after 20 s at speed 50");
        await app.StopAsync();
    }
}
