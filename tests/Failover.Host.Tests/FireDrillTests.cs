using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Transactions;
using Failover.Host.Demo;
using Failover.Simulator;

namespace Failover.Host.Tests;

public sealed class FireDrillTests
{
    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public async Task The_drill_rotates_once_after_12_missed_blocks_and_production_resumes_with_the_dc2_key(ConsensusMode mode)
    {
        var rig = new FireDrillRig(mode);
        var dc2 = rig.Simulator.Roster.FindNode("failover.bp/dc2")!;

        var outcome = await rig.RunAsync();

        Assert.True(outcome.Succeeded, outcome.FailureReason);
        Assert.Equal(
            [DrillEventKind.Started, DrillEventKind.DataCenterDown, DrillEventKind.RotationSubmitted, DrillEventKind.ProducersTableUpdated,
             DrillEventKind.ScheduleActivated, DrillEventKind.ProductionResumed, DrillEventKind.Summary],
            rig.Timeline.Select(e => e.Kind).Where(k => k is not (DrillEventKind.RoundSummary or DrillEventKind.BlockMissed)));
        var kinds = rig.Timeline.Select(e => e.Kind).ToList();
        var down = kinds.IndexOf(DrillEventKind.DataCenterDown);
        var rotation = kinds.IndexOf(DrillEventKind.RotationSubmitted);
        var rounds = rig.Timeline.Where(e => e.Kind == DrillEventKind.RoundSummary && !e.Text.Contains("partial", StringComparison.Ordinal)).ToList();
        Assert.Contains("failover.bp produced 12, missed 0", rounds[1].Text, StringComparison.Ordinal);
        Assert.True(rig.Timeline.IndexOf(rounds[1]) > down, "the outage starts in the last window of the second full round");
        Assert.Contains("failover.bp produced 0, missed 12", rounds[2].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(DrillEventKind.BlockMissed, kinds.Take(down));
        Assert.Equal(12, kinds.Skip(down).Take(rotation - down).Count(k => k == DrillEventKind.BlockMissed));
        Assert.Equal(12, outcome.MissedAtRotation);
        Assert.Equal(kinds.Count(k => k == DrillEventKind.BlockMissed), outcome.BlocksMissed);
        Assert.Equal(dc2.SigningKey.PublicKey, outcome.ResumedKey);
        var resumed = rig.Simulator.View().BlockByNumber(outcome.ResumedBlock!.Value)!;
        Assert.Equal(rig.Simulator.Roster.OurProducer, resumed.Producer);
        var signedDigest = mode == ConsensusMode.Savanna
            ? resumed.Id
            : resumed.Header.LegacySigDigest(resumed.Previous, resumed.LegacyState!.ScheduleHash);
        Assert.True(resumed.ProducerSignature.Verify(signedDigest.AsSpan(), dc2.SigningKey.PublicKey));
        Assert.True(outcome.TimeToResume < rig.Plan.ResumeLimit);
    }

    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public async Task The_one_pushed_transaction_is_the_tx_rotate_rule_signed_by_the_failover_permission(ConsensusMode mode)
    {
        var rig = new FireDrillRig(mode);
        var roster = rig.Simulator.Roster;
        var dc2 = roster.FindNode("failover.bp/dc2")!;

        var outcome = await rig.RunAsync();

        var push = Assert.Single(rig.Pushes);
        var transaction = Transaction.Unpack(Convert.FromHexString(push.PackedTrx));
        Assert.Equal(outcome.TransactionId, transaction.Id.ToString());
        var failover = new PermissionLevel(roster.OurProducer, Roster.FailoverPermission);
        Assert.All(transaction.Actions, a => Assert.Equal([failover], a.Authorization));
        var registration = Assert.IsType<RegProducer>(SystemActions.Decode(transaction.Actions[0].Name, transaction.Actions[0].Data));
        Assert.Equal(dc2.SigningKey.PublicKey, registration.ProducerKey);
        if (mode == ConsensusMode.Savanna)
        {
            var activation = Assert.IsType<ActFinKey>(SystemActions.Decode(transaction.Actions[1].Name, transaction.Actions[1].Data));
            Assert.Equal(dc2.FinalizerKey, activation.FinalizerKey);
        }
        else
        {
            Assert.Single(transaction.Actions);
        }

        var failoverKey = roster.Accounts.Single(a => a.Account == roster.OurProducer).Permissions[Roster.FailoverPermission];
        Assert.Equal([failoverKey.PublicKey], TransactionSigner.RecoverSigners(push, rig.Simulator.ChainId));
    }

    [Fact]
    public async Task A_rejected_rotation_fails_the_drill_with_the_nodes_error_and_is_not_pushed_again()
    {
        var rig = new FireDrillRig(ConsensusMode.Savanna);
        var wrongKey = rig.Simulator.Roster.Accounts.Single(a => a.Account == Name.Parse("prod.a")).Permissions[Name.Parse("active")];
        rig.Plan = rig.Plan with { FailoverKey = wrongKey };

        var outcome = await rig.RunAsync();

        Assert.False(outcome.Succeeded);
        Assert.Contains("rejected the rotation", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Contains("unsatisfied_authorization (3090003)", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Single(rig.Pushes);
        Assert.Equal(DrillEventKind.Failed, rig.Timeline[^1].Kind);
        Assert.DoesNotContain(rig.Timeline, e => e.Kind is DrillEventKind.RotationSubmitted or DrillEventKind.ProductionResumed);
    }

    [Fact]
    public async Task A_drill_whose_production_does_not_resume_within_the_limit_fails_after_its_one_push()
    {
        var rig = new FireDrillRig(ConsensusMode.Savanna);
        rig.Plan = rig.Plan with { ResumeLimit = TimeSpan.FromSeconds(30) };

        var outcome = await rig.RunAsync();

        Assert.False(outcome.Succeeded);
        Assert.Contains("failover.bp did not produce with dc2's key within 0.5 min of the rotation", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Single(rig.Pushes);
        Assert.Equal(DrillEventKind.Failed, rig.Timeline[^1].Kind);
        Assert.DoesNotContain(rig.Timeline, e => e.Kind == DrillEventKind.ProductionResumed);
    }

    [Fact]
    public async Task A_drill_whose_outage_causes_no_missed_blocks_fails_without_pushing()
    {
        var rig = new FireDrillRig(ConsensusMode.Legacy) { Faults = new IneffectiveFaults() };

        var outcome = await rig.RunAsync();

        Assert.False(outcome.Succeeded);
        Assert.Contains("failover.bp did not miss 12 blocks in a row within 5", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Empty(rig.Pushes);
        Assert.Contains(rig.Timeline, e => e.Kind == DrillEventKind.DataCenterDown);
        Assert.DoesNotContain(rig.Timeline, e => e.Kind == DrillEventKind.BlockMissed);
    }

    [Fact]
    public async Task The_timeline_says_the_rotation_is_a_fixed_rule_and_the_gated_decision_comes_with_the_service()
    {
        var rig = new FireDrillRig(ConsensusMode.Savanna);

        await rig.RunAsync();

        var started = rig.Timeline[0].Text;
        Assert.Contains("fixed rule: after 12 consecutive missed blocks", started, StringComparison.Ordinal);
        Assert.Contains("participation > 80 %, fresh head, LIB advancing", started, StringComparison.Ordinal);
        Assert.Contains("comes with the failover service", started, StringComparison.Ordinal);
        Assert.Contains(rig.Timeline, e => e.Kind == DrillEventKind.RoundSummary && e.Text.Contains("participation 21/21", StringComparison.Ordinal));
    }

    /// <summary>A fault injection that fails silently: the data center stays up.</summary>
    private sealed class IneffectiveFaults : IFaultInjector
    {
        public void TakeDown(Name producer, string dataCenter)
        {
        }
    }
}
