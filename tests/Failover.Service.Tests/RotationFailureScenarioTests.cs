using Failover.Domain.Events;
using Failover.Simulator;

namespace Failover.Service.Tests;

/// <summary>Issue 15: the rotation's failure handling, each finding as the scenario that proves its fix.</summary>
public sealed class RotationFailureScenarioTests
{
    /// <summary>
    /// Finding 11: a legacy chain has no finalizers, so <c>actfinkey</c> there can only fail — and takes the whole
    /// transaction with it. A configuration that lists finalizer keys anyway (left over, or prepared for Savanna) must
    /// not put it in the rotation.
    /// </summary>
    [Fact]
    public async Task A_legacy_configuration_that_lists_finalizer_keys_rotates_with_regproducer_alone_and_the_standby_produces()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Consensus = ConsensusMode.Legacy,
            History = TimeSpan.FromMinutes(6),
            Configure = s => s with
            {
                DataCenters = [.. s.DataCenters.Select(d => d with { FinalizerKey = SeedDerivation.FinalizerKey("legacy-leftover", d.Name) })],
            },
        });
        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(15), "failover completed");

        Assert.Equal(Scenario.OneRotation, await rig.ProcessTypesAsync());
        var requested = await Scenario.ExactlyOneRotationOnChainAsync(rig);
        Assert.Equal(["eosio::regproducer"], requested.Actions);
        Assert.Null(requested.TargetFinalizerKey);
    }

    /// <summary>
    /// Finding 8: <c>regproducer</c> rewrites the whole row, so a rotation decided while the producers table cannot be
    /// read would wipe the producer's URL and location (it was built with <c>""</c> and 0). Nothing is decided until the
    /// row is read; then the rotation keeps both.
    /// </summary>
    [Fact]
    public async Task While_the_producers_table_cannot_be_read_no_rotation_is_built_and_once_it_can_the_rotation_keeps_url_and_location()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions());
        var ours = Antelope.Name.Parse(ServiceRig.OursText);
        var before = rig.Simulator.View().Contract.Producers[ours];
        Assert.NotEqual(string.Empty, before.Url);
        var tableDown = new Simulator.Network.ApiFaults(ErrorStatus: 503, Routes: ["get_table_rows"]);
        foreach (var node in rig.Simulator.Options.ApiNodes)
        {
            rig.Simulator.SetApiFaults(node, tableDown);
        }

        await rig.StepAsync();
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);
        await rig.RunForAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([], await rig.ProcessTypesAsync());
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.StartsWith("The producers table could not be read from any endpoint: no rotation is built", StringComparison.Ordinal));

        foreach (var node in rig.Simulator.Options.ApiNodes)
        {
            rig.Simulator.SetApiFaults(node, Simulator.Network.ApiFaults.None);
        }

        await rig.RunUntilAsync(() => Scenario.Completed(rig), TimeSpan.FromMinutes(5), "failover completed");
        await Scenario.ExactlyOneRotationOnChainAsync(rig);
        var after = rig.Simulator.View().Contract.Producers[ours];
        Assert.Equal((before.Url, before.Location), (after.Url, after.Location));
        Assert.Equal(Scenario.SigningKeyOf(rig, "dc2"), after.ProducerKey);
    }
}
