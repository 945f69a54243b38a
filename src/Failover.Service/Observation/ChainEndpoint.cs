using System.Net;
using Failover.Antelope;
using Failover.Antelope.Blocks;
using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Antelope.Scheduling;
using Failover.Domain.Chain;

namespace Failover.Service.Observation;

/// <summary>What one poll read from an endpoint: its schedules and head, or why it could not be read.</summary>
/// <param name="Finalizers">
/// Its finalizer policies, when the endpoint reads certificates (<see cref="ChainEndpoint.OurFinalizerKeys"/>) and
/// <c>get_finalizer_info</c> answered; null otherwise, and then no block's vote is known.
/// </param>
public sealed record EndpointRead(ChainEndpoint Endpoint, GetInfoResult? Info, ScheduleReport? Schedules, string? FailureReason, string? FailureDetail, FinalizerView? Finalizers = null)
{
    public bool Succeeded => Info is not null && Schedules is not null && FailureReason is null;
}

/// <summary>
/// One configured chain API endpoint (a base URL that may carry a path): reads its head and schedules, fetches blocks
/// (<c>get_block_info</c>, falling back to <c>get_block</c> on nodes without it) and recovers the key that signed a block.
/// Every malformed or failing answer surfaces as a <see cref="ChainApiException"/> or <see cref="FormatException"/>.
/// </summary>
public sealed class ChainEndpoint(Uri url, ChainApiClient client)
{
    private readonly List<(ProducerScheduleJson Wire, ProducerSchedule Parsed)> _parsed = [];
    private volatile bool _noBlockInfo;

    public Uri Url { get; } = url;

    public string Name { get; } = NameOf(url);

    /// <summary>
    /// How events, logs, metrics and readiness name an endpoint: its URL without user-info, query or fragment (where a
    /// provider's credentials or API key would be) and without a trailing slash.
    /// </summary>
    public static string NameOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
    }

    public ChainApiClient Client { get; } = client;

    /// <summary>
    /// Our finalizer keys, when the observer follows our finalizer's votes (Savanna early detection): then each poll also
    /// reads <c>get_finalizer_info</c>, and blocks are read with <c>get_block</c>, which carries the quorum certificate.
    /// </summary>
    public IReadOnlySet<string>? OurFinalizerKeys { get; init; }

    /// <summary>get_producer_schedule first, then get_info: the schedules are then at most as new as the head.</summary>
    public async Task<EndpointRead> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var wire = await Client.GetProducerScheduleAsync(cancellationToken).ConfigureAwait(false);
            var info = await Client.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            if (wire.Active is null)
            {
                return new EndpointRead(this, info, null, EndpointReasons.Malformed, "get_producer_schedule shows no active schedule");
            }

            var schedules = new ScheduleReport(
                Parse(wire.Active),
                wire.Pending is { Producers.Count: > 0 } pending ? Parse(pending) : null,
                wire.Proposed is { Producers.Count: > 0 } proposed ? Parse(proposed) : null);
            return new EndpointRead(this, info, schedules, null, null, await ReadFinalizersAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (EndpointFailures.Classify(e) is { } reason)
        {
            return new EndpointRead(this, null, null, reason, e.Message);
        }
    }

    /// <summary>
    /// The finalizer policies, for mapping certificates' bits to finalizers. A node that cannot say (an error, a legacy
    /// node) leaves every vote unknown — early detection then waits — but does not fail the endpoint: its head and
    /// blocks are as good as before.
    /// </summary>
    private async Task<FinalizerView?> ReadFinalizersAsync(CancellationToken cancellationToken)
    {
        if (OurFinalizerKeys is not { } ours)
        {
            return null;
        }

        try
        {
            var info = await Client.GetFinalizerInfoAsync(cancellationToken).ConfigureAwait(false);
            return new FinalizerView(
                [.. info.ActiveFinalizerPolicy.Finalizers.Select(f => f.PublicKey)],
                info.PendingFinalizerPolicy is { } pending ? [.. pending.Finalizers.Select(f => f.PublicKey)] : null,
                ours);
        }
        catch (Exception e) when (EndpointFailures.Classify(e) is not null)
        {
            return null;
        }
    }

    /// <summary>
    /// A reported schedule, typed. The same schedule comes back at every poll, and parsing its keys (base58 and a
    /// checksum each) is most of a poll's work: the last few are kept and reused when the wire text is the same.
    /// </summary>
    private ProducerSchedule Parse(ProducerScheduleJson wire)
    {
        lock (_parsed)
        {
            foreach (var (known, parsed) in _parsed)
            {
                if (SameSchedule(known, wire))
                {
                    return parsed;
                }
            }
        }

        var result = ProducerSchedule.FromWire(wire);
        lock (_parsed)
        {
            if (_parsed.Count >= 4)
            {
                _parsed.RemoveAt(0);
            }

            _parsed.Add((wire, result));
        }

        return result;
    }

    private static bool SameSchedule(ProducerScheduleJson a, ProducerScheduleJson b)
    {
        if (a.Version != b.Version || a.Producers.Count != b.Producers.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Producers.Count; i++)
        {
            var (x, y) = (a.Producers[i], b.Producers[i]);
            if (x.ProducerName != y.ProducerName || x.Authority.Threshold != y.Authority.Threshold || x.Authority.Keys.Count != y.Authority.Keys.Count)
            {
                return false;
            }

            for (var k = 0; k < x.Authority.Keys.Count; k++)
            {
                if (x.Authority.Keys[k] != y.Authority.Keys[k])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Blocks <paramref name="from"/>..<paramref name="to"/>, read concurrently, in order.</summary>
    public async Task<IReadOnlyList<ObservedBlock>> ReadBlocksAsync(
        uint from, uint to, uint irreversibleUpTo, int concurrency, CancellationToken cancellationToken, FinalizerView? finalizers = null)
    {
        if (to < from)
        {
            return [];
        }

        var blocks = new ObservedBlock[to - from + 1];
        if (blocks.Length == 1)
        {
            // The usual poll: one new block, no need for the parallel loop's workers.
            blocks[0] = await ReadBlockAsync(from, irreversibleUpTo, cancellationToken, finalizers).ConfigureAwait(false);
            return blocks;
        }

        await Parallel.ForEachAsync(
            Enumerable.Range(0, blocks.Length),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) => blocks[i] = await ReadBlockAsync(from + (uint)i, irreversibleUpTo, ct, finalizers).ConfigureAwait(false)).ConfigureAwait(false);
        return blocks;
    }

    /// <summary>
    /// One block, with the key its signature recovers to (legacy blocks at or below <paramref name="irreversibleUpTo"/>:
    /// none, their header state is not asked for); with <paramref name="finalizers"/>, read whole (<c>get_block</c>) for
    /// whether our finalizer voted in the certificate it carries.
    /// </summary>
    public async Task<ObservedBlock> ReadBlockAsync(uint number, uint irreversibleUpTo, CancellationToken cancellationToken, FinalizerView? finalizers = null)
    {
        var (id, previous, producerText, timestamp, scheduleVersion, signature, qc) = await ReadHeaderAsync(number, finalizers is not null, cancellationToken).ConfigureAwait(false);
        if (id.Length != 64 || BlockId.BlockNum(Checksum256.Parse(id)) != number)
        {
            throw new FormatException($"{Name} answered block {number} with id {id}, whose first 4 bytes name another block.");
        }

        var producer = Antelope.Name.Parse(producerText);
        var signingKey = scheduleVersion != BlockHeader.SavannaScheduleVersion && number <= irreversibleUpTo
            ? null
            : (await RecoverSignerAsync(id, scheduleVersion, signature, cancellationToken).ConfigureAwait(false))?.ToString();

        // A node without get_block_info serves get_block, certificate included, even when votes are not followed.
        var certificate = qc is null || finalizers is null ? null : QuorumCertificateVotes.FromJson(qc);
        return new ObservedBlock(number, id, previous, producer, timestamp, scheduleVersion, signingKey,
            certificate?.BlockNum, certificate is null ? null : FinalizerVote.Of(certificate, finalizers!));
    }

    /// <summary>A block's id by number, for comparing endpoints at a common height.</summary>
    public async Task<string> ReadBlockIdAsync(uint number, CancellationToken cancellationToken) =>
        (await ReadHeaderAsync(number, withCertificate: false, cancellationToken).ConfigureAwait(false)).Id;

    private async Task<(string Id, string Previous, string Producer, DateTimeOffset Timestamp, uint ScheduleVersion, string Signature, QcExtension? Qc)> ReadHeaderAsync(
        uint number, bool withCertificate, CancellationToken cancellationToken)
    {
        if (!_noBlockInfo && !withCertificate)
        {
            try
            {
                var info = await Client.GetBlockInfoAsync(number, cancellationToken).ConfigureAwait(false);
                return (info.Id, info.Previous, info.Producer, info.Timestamp, info.ScheduleVersion, info.ProducerSignature, null);
            }
            catch (ChainApiException e) when (e.HttpStatus == HttpStatusCode.NotFound)
            {
                _noBlockInfo = true; // a node without get_block_info (before Leap 3): get_block has the same header fields
            }
        }

        var block = await Client.GetBlockAsync(number, cancellationToken).ConfigureAwait(false);
        return (block.Id, block.Previous, block.Producer, block.Timestamp, block.ScheduleVersion, block.ProducerSignature, block.QcExtension);
    }

    /// <summary>
    /// Savanna blocks are signed over their id; legacy blocks over the sig_digest, which needs the header state of
    /// <c>get_block_header_state</c> (reversible blocks only on Leap), whose header must hash to the block's id. Null
    /// when the endpoint does not serve that header state; a signature that recovers to no key is malformed.
    /// </summary>
    private async Task<PublicKey?> RecoverSignerAsync(string id, uint scheduleVersion, string signatureText, CancellationToken cancellationToken)
    {
        var signature = Signature.Parse(signatureText);
        var blockId = Checksum256.Parse(id);
        if (scheduleVersion == BlockHeader.SavannaScheduleVersion)
        {
            return BlockSignature.RecoverSavannaSigner(signature, blockId);
        }

        try
        {
            var state = await Client.GetBlockHeaderStateAsync(id, cancellationToken).ConfigureAwait(false);
            if (state.Id != id || state.BlockrootMerkle.ActiveNodes.Count == 0)
            {
                return null;
            }

            var header = BlockHeader.FromWire(state.Header);
            if (header.ComputeId() != blockId)
            {
                throw new FormatException($"{Name} served a header state for block {id} whose header hashes to {header.ComputeId()}.");
            }

            return BlockSignature.RecoverLegacySigner(
                signature,
                header,
                Checksum256.Parse(state.BlockrootMerkle.ActiveNodes[^1]),
                Checksum256.Parse(state.PendingSchedule.ScheduleHash));
        }
        catch (ChainApiException e) when (e.IsUnknownBlock)
        {
            return null; // already irreversible: Leap serves header states of reversible blocks only
        }
    }
}

/// <summary>Which <see cref="EndpointReasons"/> a failure to read an endpoint stands for.</summary>
public static class EndpointFailures
{
    /// <summary>The reason an exception from reading an endpoint stands for, or null if it is not an endpoint's fault.</summary>
    public static string? Classify(Exception exception) => exception switch
    {
        ChainApiTimeoutException => EndpointReasons.Timeout,
        ChainApiConnectionException => EndpointReasons.Unreachable,
        ChainApiMalformedResponseException => EndpointReasons.Malformed,
        ChainApiException => EndpointReasons.HttpError,
        FormatException => EndpointReasons.Malformed,
        ArgumentException => EndpointReasons.Malformed,
        _ => null,
    };
}
