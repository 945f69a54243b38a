using Failover.Antelope.Blocks;
using Failover.Antelope.Serialization;
using Failover.Antelope.SystemContract;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator.Chain;

/// <summary>How the simulator encodes its header extensions and schedules (the header itself is <see cref="BlockHeader"/>).</summary>
public static class SimulatedHeaderExtensions
{
    /// <summary>Header extension 1 (post-WTMSIG legacy schedule change): a <c>producer_authority_schedule</c>.</summary>
    public static HeaderExtension ScheduleChange(ProducerSchedule schedule)
    {
        var writer = new AbiWriter();
        WriteSchedule(writer, schedule);
        return new HeaderExtension(HeaderExtension.ProducerScheduleChange, writer.ToArray());
    }

    /// <summary>
    /// Header extension 2 (Savanna): <c>qc_claim{block_num, is_strong_qc}</c>, no finalizer policy diff, and the
    /// proposer policy diff when a schedule was proposed (encoded as remove-all/insert-all).
    /// </summary>
    public static HeaderExtension Finality(FinalityExtension finality)
    {
        var writer = new AbiWriter();
        writer.WriteUInt32(finality.QcClaimBlockNum);
        writer.WriteBool(finality.IsStrongQc);
        writer.WriteUInt8(0);
        writer.WriteOptional(finality.NewProposerPolicy, static (w, diff) =>
        {
            w.WriteUInt32(diff.Version);
            w.WriteUInt32(diff.ProposalSlot);
            w.WriteVector(diff.RemovedIndexes, static (w2, index) => w2.WriteUInt16(index));
            w.WriteVector(Enumerable.Range(0, diff.Schedule.Producers.Count).ToList(), (w2, index) =>
            {
                w2.WriteUInt16((ushort)index);
                WriteProducerAuthority(w2, diff.Schedule.Producers[index]);
            });
        });
        return new HeaderExtension(HeaderExtension.Finality, writer.ToArray());
    }

    public static byte[] PackSchedule(ProducerSchedule schedule)
    {
        var writer = new AbiWriter();
        WriteSchedule(writer, schedule);
        return writer.ToArray();
    }

    private static void WriteSchedule(AbiWriter writer, ProducerSchedule schedule)
    {
        writer.WriteUInt32(schedule.Version);
        writer.WriteVector(schedule.Producers, WriteProducerAuthority);
    }

    private static void WriteProducerAuthority(AbiWriter writer, ScheduledProducer producer)
    {
        writer.WriteName(producer.Producer);
        writer.WriteVarUInt32(0);
        writer.WriteUInt32(producer.Authority.Threshold);
        writer.WriteVector(producer.Authority.Keys, static (w, key) =>
        {
            w.WritePublicKey(key.Key);
            w.WriteUInt16(key.Weight);
        });
    }
}
