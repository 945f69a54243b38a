using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Tests;

public sealed class KeyRotationTests
{
    [Fact]
    public void Savanna_a_regproducer_by_the_failover_permission_activates_at_the_first_block_two_windows_after_the_proposal()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.AdvanceSlots(10);
        var dc2 = chain.Node("failover.bp/dc2").SigningKey.PublicKey;

        chain.Simulator.Push(chain.RegisterOurKey("dc2"));
        chain.AdvanceSlots(1);

        Assert.Equal(dc2, chain.State.Contract.Producers[TestChain.Ours].ProducerKey);
        chain.AdvanceUntil(s => s.Proposed is not null, 200, "the next election proposes the new key");
        var proposing = chain.State.Head;
        Assert.True(proposing.Slot - BlockTimestamp.ToSlot(TestChain.Start) > 120, "the system contract waits more than 120 slots between elections");
        var diff = proposing.Finality!.NewProposerPolicy!;
        Assert.Equal(2u, diff.Version);
        Assert.Equal(proposing.Slot, diff.ProposalSlot);
        Assert.Equal(dc2, diff.Schedule.Producers.Single(p => p.Producer == TestChain.Ours).Authority.Keys.Single().Key);

        var proposalWindow = Slots.WindowStart(proposing.Slot);
        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 100, "the proposal activates");
        var activating = chain.State.Head;
        Assert.Equal(proposalWindow + (2 * Slots.PerWindow), activating.Slot);
        Assert.All(chain.Blocks(proposing.Number).Where(b => b.Number < activating.Number), b => Assert.True(b.Slot < activating.Slot));

        chain.AdvanceSlots(21 * 12);
        var ours = chain.Blocks(activating.Number).Where(b => b.Producer == TestChain.Ours).ToList();
        Assert.Equal(12, ours.Count);
        Assert.All(ours, b => Assert.Equal(dc2, b.ProducerSignature.RecoverPublicKey(b.Id.AsSpan())));
    }

    [Fact]
    public void Savanna_with_dc1_down_our_slots_stay_empty_until_a_rotation_with_actfinkey_lets_dc2_produce()
    {
        var chain = new TestChain(ConsensusMode.Savanna);
        chain.Simulator.SetNodeDown("failover.bp/dc1", down: true);
        chain.AdvanceSlots(252);
        Assert.DoesNotContain(chain.State.Blocks.Skip(1), b => b.Producer == TestChain.Ours);
        Assert.Equal(252 - 12, chain.State.Blocks.Count - 1);

        chain.Simulator.Push(chain.RotateOurKeyAndFinalizer("dc2"));
        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 300, "the rotation activates");
        chain.AdvanceSlots(252);

        Assert.Equal(12, chain.Blocks(chain.State.Head.Number - 252 + 12).Count(b => b.Producer == TestChain.Ours));
    }

    [Fact]
    public void Legacy_with_dc1_down_a_rotation_to_dc2_goes_proposed_then_pending_on_irreversibility_then_active_and_dc2_produces()
    {
        var chain = new TestChain(ConsensusMode.Legacy);
        chain.Simulator.SetNodeDown("failover.bp/dc1", down: true);
        chain.AdvanceSlots(600);

        chain.Simulator.Push(chain.RegisterOurKey("dc2"));
        chain.AdvanceUntil(s => s.Proposed is not null, 300, "the next election proposes");
        var proposedAt = chain.State.Proposed!.BlockNum;

        chain.AdvanceUntil(s => s.Pending is not null, 2000, "the proposal becomes pending");
        var pendingBlock = chain.State.Head;
        Assert.True(chain.State.LastIrreversible >= proposedAt, "pending only once the proposing block is irreversible");
        Assert.Equal(2u, pendingBlock.NewProducerSchedule!.Version);
        Assert.Contains(pendingBlock.Header.Extensions, e => e.Id == HeaderExtension.ProducerScheduleChange);
        Assert.Equal(1u, pendingBlock.Header.ScheduleVersion);

        chain.AdvanceUntil(s => s.ActiveSchedule.Version == 2, 2000, "the pending schedule activates");
        var activating = chain.State.Head;
        Assert.True(chain.State.LastIrreversible >= pendingBlock.Number, "active only once the pending block is irreversible");
        Assert.Equal(1u, activating.Header.ScheduleVersion);
        Assert.True(activating.Number - proposedAt > 2 * 300, $"legacy activation takes about twice the LIB lag, took {activating.Number - proposedAt} blocks");

        Assert.DoesNotContain(chain.State.Blocks, b => b.Producer == TestChain.Ours);

        chain.AdvanceSlots(252 + 1);
        var after = chain.Blocks(activating.Number).ToList();
        Assert.All(after, b => Assert.Equal(2u, b.Header.ScheduleVersion));
        Assert.Equal(12, after.Count(b => b.Producer == TestChain.Ours));
    }
}
