using Failover.Antelope.Blocks;

namespace Failover.Domain.Chain;

/// <summary>
/// The finalizers of the policies an endpoint reported (<c>get_finalizer_info</c>), in policy order — bit i of a
/// certificate's votes is finalizer i — and the finalizer keys that are ours (every data center's).
/// </summary>
public sealed record FinalizerView(IReadOnlyList<string> Active, IReadOnlyList<string>? Pending, IReadOnlySet<string> OurKeys);

/// <summary>
/// Whether our finalizer voted in a block's quorum certificate (docs/antelope.md, "Savanna quorum certificates"): one
/// of our keys is listed in a policy the certificate carries votes of and its bit is set, strong or weak.
/// <para>
/// Unknown (null) rather than guessed: when a bitset's size is not its policy's (the policy changed between the
/// certified block and the reading), when the certificate and the reading disagree on whether a policy is pending, or
/// when none of our keys is listed at all. The policy is the one the endpoint reports now, not the one at the certified
/// block: they differ only for the block or two around a policy change, and silence needs a run of certificates.
/// </para>
/// <para>
/// A strong certificate carries no weak votes, so a finalizer that voted weak is absent from it: this rule then says it
/// did not vote. A weak vote means the finalizer could not vote strong on that block (it saw a conflicting branch); it is
/// transient, and a run of silence lasting <c>FinalizerSilence</c> is what opens an incident, not one certificate.
/// </para>
/// </summary>
public static class FinalizerVote
{
    public static bool? Of(QuorumCertificateVotes certificate, FinalizerView view)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(view);
        if ((certificate.Pending is null) != (view.Pending is null))
        {
            return null;
        }

        List<(IReadOnlyList<string> Keys, QcPolicyVotes Votes)> policies = [(view.Active, certificate.Active)];
        if (view.Pending is { } pendingKeys && certificate.Pending is { } pendingVotes)
        {
            policies.Add((pendingKeys, pendingVotes));
        }

        var listed = false;
        var voted = false;
        foreach (var (keys, votes) in policies)
        {
            var ours = Enumerable.Range(0, keys.Count).Where(i => view.OurKeys.Contains(keys[i])).ToList();
            if (ours.Count == 0)
            {
                continue;
            }

            if (new[] { votes.Strong, votes.Weak }.OfType<VoteBitset>().Any(bits => bits.Count != keys.Count))
            {
                return null;
            }

            listed = true;
            voted = voted || ours.Any(votes.Voted);
        }

        return listed ? voted : null;
    }
}
