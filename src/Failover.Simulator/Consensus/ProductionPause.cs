using Failover.Antelope;
using Failover.Simulator.Chain;

namespace Failover.Simulator.Consensus;

/// <summary>
/// A Savanna producing node's implicit pause for lack of votes, as Spring's producer plugin keeps it
/// (producer_plugin.cpp <c>implicit_production_pause_vote_tracker</c>, production_pause_vote_tracker.hpp), for
/// <c>production-pause-vote-timeout-ms</c> (default 6000). Two clocks run: votes by finalizers whose description is
/// the node's producer, and votes by the others. A vote counts when its key is in the voted block's active or pending
/// policy. A block received more than 1 s (<c>block_acceptance_tolerance</c>) after the latest vote of a kind starts
/// that clock; the node does not start a block while the first such block is older than the timeout, until a vote of
/// that kind arrives. Which clocks are checked follows the head's active (and pending) policy: both when it lists the
/// producer and others, only the others' when the producer has no finalizer in it, only the producer's when it alone
/// is listed; a change of that choice restarts both clocks. A (re)started node has fresh clocks. Legacy blocks never pause.
/// </summary>
internal sealed class ProductionPause(Name producer, TimeSpan timeout)
{
    private const long BlockAcceptanceToleranceMs = 1000;

    private readonly VoteClock _producerVotes = new();
    private readonly VoteClock _otherVotes = new();
    private Checked _checked = Checked.Nothing;

    private enum Checked
    {
        Nothing,
        ProducerVotes,
        OtherVotes,
        Both,
    }

    /// <summary>The descriptions of the finalizers in the head's active and pending policies.</summary>
    public static HashSet<Name> ListedFinalizers(ChainState head) =>
        [.. head.Finalizers.Finalizers.Concat(head.PendingFinalizers?.Policy.Finalizers ?? []).Select(f => f.Producer)];

    /// <summary>A block arrives (at its timestamp); <paramref name="listed"/> are <see cref="ListedFinalizers"/> of the state it leads to.</summary>
    public void ReceiveBlock(uint slot, IReadOnlySet<Name> listed)
    {
        var producerListed = listed.Contains(producer);
        var othersListed = listed.Count > (producerListed ? 1 : 0);
        var now = producerListed && othersListed ? Checked.Both : producerListed ? Checked.ProducerVotes : Checked.OtherVotes;
        if (now != _checked)
        {
            _checked = now;
            _producerVotes.ForgetBlocks();
            _otherVotes.ForgetBlocks();
        }

        _producerVotes.ReceiveBlock(Milliseconds(slot));
        _otherVotes.ReceiveBlock(Milliseconds(slot));
    }

    /// <summary>Votes on the block at <paramref name="votedSlot"/> arrive, by these finalizers (their descriptions).</summary>
    public void ReceiveVotes(uint votedSlot, IReadOnlySet<Name> voters)
    {
        var fromProducer = voters.Contains(producer);
        if (fromProducer)
        {
            _producerVotes.ReceiveVote(Milliseconds(votedSlot));
        }

        if (voters.Count > (fromProducer ? 1 : 0))
        {
            _otherVotes.ReceiveVote(Milliseconds(votedSlot));
        }
    }

    /// <summary>Whether the node declines to start the block at <paramref name="slot"/> (it starts building half a slot before).</summary>
    public bool IsPaused(uint slot)
    {
        if (timeout <= TimeSpan.Zero || _checked == Checked.Nothing)
        {
            return false;
        }

        var threshold = Milliseconds(slot) - BlockTimestamp.SlotMs - (long)timeout.TotalMilliseconds;
        return _checked switch
        {
            Checked.ProducerVotes => _producerVotes.IsOverdue(threshold),
            Checked.OtherVotes => _otherVotes.IsOverdue(threshold),
            _ => _producerVotes.IsOverdue(threshold) || _otherVotes.IsOverdue(threshold),
        };
    }

    private static long Milliseconds(uint slot) => (long)slot * BlockTimestamp.SlotMs;

    /// <summary>One kind of vote: when the latest arrived, and the first block received after it (0 when none).</summary>
    private sealed class VoteClock
    {
        private long _latestVote;
        private long _firstBlockAfterVote;

        public void ReceiveVote(long at) => _latestVote = Math.Max(_latestVote, at);

        public void ReceiveBlock(long at)
        {
            if (at - BlockAcceptanceToleranceMs <= _latestVote || (_latestVote < _firstBlockAfterVote && _firstBlockAfterVote <= at))
            {
                return;
            }

            _firstBlockAfterVote = at;
        }

        public void ForgetBlocks() => _firstBlockAfterVote = 0;

        public bool IsOverdue(long threshold) => _latestVote < _firstBlockAfterVote && _firstBlockAfterVote < threshold;
    }
}
