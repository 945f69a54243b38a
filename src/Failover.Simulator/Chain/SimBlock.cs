using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Scheduling;

namespace Failover.Simulator.Chain;

/// <summary>The Savanna finality extension of a block: its QC claim and an optional proposer policy change.</summary>
public sealed record FinalityExtension(uint QcClaimBlockNum, bool IsStrongQc, ProposerPolicyDiff? NewProposerPolicy);

/// <summary>
/// The quorum certificate a Savanna block carries (block extension 3) when its QC claim advances: the certified block and
/// who voted on it, as bits over the finalizers of the policy active at that block (and of its pending policy, while
/// one is pending) in policy order. The simulator's certificates are all strong; it does not aggregate BLS signatures.
/// </summary>
public sealed record SimQuorumCertificate(uint BlockNum, IReadOnlyList<bool> ActiveVotes, IReadOnlyList<bool>? PendingVotes);

/// <summary>A proposer policy announced in a Savanna block; the header encodes it as "remove these, insert all".</summary>
public sealed record ProposerPolicyDiff(uint Version, uint ProposalSlot, IReadOnlyList<ushort> RemovedIndexes, ProducerSchedule Schedule);

/// <summary>
/// A transaction included in a block: <paramref name="Packed"/> is the push body as received (signatures, compression,
/// context-free data), <paramref name="PackedTrx"/> the uncompressed transaction bytes.
/// </summary>
public sealed record IncludedTransaction(Checksum256 Id, byte[] PackedTrx, Antelope.Transactions.PackedTransaction Packed, uint NetUsageWords)
{
    public IReadOnlyList<string> Signatures => Packed.Signatures;
}

/// <summary>
/// Legacy block header state after a block (what Leap's <c>get_block_header_state</c> shows): the DPoS bookkeeping,
/// the schedules, the authority that scheduled the block, and the pending schedule hash it was signed with.
/// </summary>
public sealed record LegacyHeaderState(Consensus.DposState Dpos, ProducerSchedule ActiveSchedule, ScheduleChange? Pending, ScheduledProducer Signer, Checksum256 ScheduleHash);

/// <summary>
/// A produced block: its header, id, signature, and the decoded content <c>get_block</c> shows. The signature is
/// made on first use: signing dominates the cost of producing a block and most simulated blocks are never read
/// (signing is deterministic, so when it happens does not change it).
/// </summary>
public sealed record SimBlock(
    BlockHeader Header,
    Checksum256 Id,
    Lazy<Signature> LazySignature,
    ProducerSchedule? NewProducerSchedule,
    FinalityExtension? Finality,
    IReadOnlyList<IncludedTransaction> Transactions,
    LegacyHeaderState? LegacyState = null,
    SimQuorumCertificate? Certificate = null)
{
    public Signature ProducerSignature => LazySignature.Value;

    public uint Number => Header.BlockNum;

    public uint Slot => Header.Slot;

    public Name Producer => Header.Producer;

    public Checksum256 Previous => Header.Previous;

    public DateTimeOffset Timestamp => BlockTimestamp.FromSlot(Header.Slot);

    public ushort RefBlockNum => BlockId.RefBlockNum(Id);

    public uint RefBlockPrefix => BlockId.RefBlockPrefix(Id);
}
