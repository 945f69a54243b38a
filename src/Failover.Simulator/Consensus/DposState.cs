using System.Collections.Immutable;
using Failover.Antelope;

namespace Failover.Simulator.Consensus;

/// <summary>
/// Legacy DPoS irreversibility bookkeeping, as in <c>block_header_state_legacy</c> (protocol.md §2.5):
/// per-block remaining confirmations, and per producer the last block it produced and the last
/// proposed-irreversible number it implied. <see cref="Watermarks"/> is the producer plugin's memory of the
/// last block each producer signed (a producer that never produced confirms nothing).
/// </summary>
public sealed record DposState(
    uint ProposedIrreversible,
    uint Irreversible,
    ImmutableList<byte> ConfirmCount,
    ImmutableDictionary<Name, uint> LastProduced,
    ImmutableDictionary<Name, uint> LastImpliedIrreversible,
    ImmutableDictionary<Name, uint> Watermarks)
{
    /// <summary>nodeos tracks at most this many unconfirmed blocks (config::maximum_tracked_dpos_confirmations).</summary>
    public const int MaxTrackedConfirmations = 1024;

    public static DposState Genesis(IEnumerable<Name> producers, uint genesisBlock)
    {
        var implied = producers.ToImmutableDictionary(p => p, _ => genesisBlock);
        return new DposState(genesisBlock, genesisBlock, [], implied, implied, ImmutableDictionary<Name, uint>.Empty);
    }

    /// <summary>
    /// How many earlier blocks <paramref name="producer"/> confirms with block <paramref name="head"/>+1
    /// (producer_plugin: since its watermark, capped at head − LIB).
    /// </summary>
    public ushort ConfirmationsFor(Name producer, uint head)
    {
        if (!Watermarks.TryGetValue(producer, out var watermark) || watermark >= head)
        {
            return 0;
        }

        return (ushort)Math.Min(Math.Min(head - watermark, head - Irreversible), ushort.MaxValue);
    }

    /// <summary>
    /// The state after <paramref name="producer"/> produced block <paramref name="blockNum"/> confirming
    /// <paramref name="confirmed"/> earlier blocks; <paramref name="newActive"/> is the schedule that becomes active
    /// with this block, if any (its producers' maps are rebuilt as nodeos does).
    /// </summary>
    public DposState Next(Name producer, uint blockNum, ushort confirmed, int activeProducerCount, Func<uint, IReadOnlyList<Name>?> newActive)
    {
        ArgumentNullException.ThrowIfNull(newActive);
        var implied = LastImpliedIrreversible.SetItem(producer, ProposedIrreversible);
        var irreversible = Math.Max(Irreversible, LastImplied(implied));
        var lastProduced = LastProduced.SetItem(producer, blockNum);
        var promoted = newActive(irreversible);
        if (promoted is not null)
        {
            lastProduced = promoted.ToImmutableDictionary(p => p, p => p == producer ? blockNum : LastProduced.GetValueOrDefault(p, irreversible));
            implied = promoted.ToImmutableDictionary(p => p, p => p == producer ? ProposedIrreversible : LastImpliedIrreversible.GetValueOrDefault(p, irreversible));
        }

        var counts = ConfirmCount.Add((byte)((activeProducerCount * 2 / 3) + 1));
        if (counts.Count > MaxTrackedConfirmations)
        {
            counts = counts.RemoveAt(0);
        }

        var state = this with
        {
            Irreversible = irreversible,
            LastProduced = lastProduced,
            LastImpliedIrreversible = implied,
            Watermarks = Watermarks.SetItem(producer, blockNum),
        };
        return state.Confirm(blockNum, confirmed, counts);
    }

    /// <summary>set_confirmed: the block confirms itself and <paramref name="confirmed"/> predecessors.</summary>
    private DposState Confirm(uint blockNum, ushort confirmed, ImmutableList<byte> counts)
    {
        var builder = counts.ToBuilder();
        var remaining = confirmed + 1;
        for (var i = builder.Count - 1; i >= 0 && remaining > 0; i--, remaining--)
        {
            builder[i]--;
            if (builder[i] == 0)
            {
                var confirmedBlock = blockNum - (uint)(builder.Count - 1 - i);
                builder.RemoveRange(0, i + 1);
                return this with { ProposedIrreversible = confirmedBlock, ConfirmCount = builder.ToImmutable() };
            }
        }

        return this with { ConfirmCount = builder.ToImmutable() };
    }

    /// <summary>calc_dpos_last_irreversible: the value at position ⌊(n−1)/3⌋ of the sorted implied numbers.</summary>
    private static uint LastImplied(ImmutableDictionary<Name, uint> implied)
    {
        if (implied.Count == 0)
        {
            return 0;
        }

        var sorted = implied.Values.Order().ToList();
        return sorted[(sorted.Count - 1) / 3];
    }
}
