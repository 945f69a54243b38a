using Failover.Antelope.Chain;
using Failover.Antelope.Chain.Wire;
using Failover.Domain.Decisions;
using SigningAuthority = Failover.Domain.Decisions.SigningAuthority;
using Failover.Service.Observation;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Process;

/// <summary>
/// Our producer's row of the producers table: the URL and location a rotation keeps, its key (<c>producer_key</c>: the
/// all-zero key when a multi-key authority is registered) and the authority it registers.
/// </summary>
internal sealed record Registration(string Url, ushort Location, string Key, SigningAuthority Authority);

/// <summary>What a block header showed of the chain's consensus.</summary>
internal sealed record ChainConsensus(ConsensusKind Kind, uint BlockNum, uint HeaderScheduleVersion);

/// <summary>A fact read from the chain, and when it was read.</summary>
internal sealed record ChainFact<T>(T Value, DateTimeOffset ReadAt);

/// <summary>
/// The one reader of what the process manager needs from the chain besides the log: our producers-table row, the chain's
/// consensus (from a block header), the signing account's permissions and our finalizer keys.
/// <list type="bullet">
/// <item>The consensus, the account and the finalizer keys are read from the first endpoint that answers, in the order
/// <paramref name="endpoints"/> gives at the time (the process manager puts those that agreed with the recorded chain at
/// its observer's latest sample first), and kept with the time it was read; a reading older than <see cref="Refresh"/>
/// is read again when asked for; when no endpoint answers, the last reading stands (null: never read).</item>
/// <item>The producers-table row decides what a rotation does — whether it applied, whether it expired, whether someone
/// else rotated, what URL and location to keep — so it is never taken from a cache and never from an endpoint that did
/// not agree: it is read now, from the endpoints of <paramref name="agreeing"/> only, or it is unknown.</item>
/// </list>
/// </summary>
internal sealed class ChainFacts(Func<IEnumerable<ChainEndpoint>> endpoints, Func<IEnumerable<ChainEndpoint>> agreeing, string producer, TimeProvider time, ILogger log)
{
    /// <summary>How long a reading is taken as the chain's word (the chain changes these rarely, and never unnoticed: the log shows rotations).</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(10);

    private ChainFact<ChainConsensus>? _consensus;
    private ChainFact<GetAccountResult>? _account;
    private ChainFact<FinalizerKeyRegistration>? _finalizerKeys;

    /// <summary>
    /// Our producer's row as the first agreeing endpoint that answers shows it now; with <paramref name="appliedThrough"/>,
    /// only from an endpoint whose own LIB has reached that block (its table then holds every transaction final up to it —
    /// a lagging endpoint cannot say that a transaction did not apply). Null: no such endpoint answered.
    /// </summary>
    public async Task<Registration?> RegistrationNowAsync(uint? appliedThrough, CancellationToken cancellationToken)
    {
        foreach (var endpoint in agreeing())
        {
            try
            {
                if (appliedThrough is { } block && (await endpoint.Client.GetInfoAsync(cancellationToken).ConfigureAwait(false)).LastIrreversibleBlockNum < block)
                {
                    continue;
                }

                var rows = await endpoint.Client.GetProducerRowsAsync(producer, 1, cancellationToken).ConfigureAwait(false);
                if (rows.Rows.FirstOrDefault(r => r.Owner == producer) is { } row)
                {
                    return new Registration(row.Url, row.Location, row.ProducerKey, SigningAuthority.For(row.ProducerKey,
                        row.ProducerAuthority is { } authority ? SigningAuthority.Of(authority) : null));
                }
            }
            catch (Exception e) when (e is ChainApiException or FormatException)
            {
                ChainFactsLog.ReadFailed(log, "producers table", e.Message);
            }
        }

        return null;
    }

    /// <summary>
    /// The chain's consensus, from the header of block <paramref name="blockNum"/> (the head the observer follows; at
    /// start-up, null: the endpoint's own head), read as the observer reads blocks.
    /// </summary>
    public async Task<ChainFact<ChainConsensus>?> ConsensusAsync(uint? blockNum, CancellationToken cancellationToken)
    {
        _consensus = await ReadAsync(_consensus, fresh: false, "chain's consensus (a block header)", async endpoint =>
        {
            var number = blockNum ?? (await endpoint.Client.GetInfoAsync(cancellationToken).ConfigureAwait(false)).HeadBlockNum;
            var block = await endpoint.ReadBlockAsync(number, irreversibleUpTo: number, cancellationToken).ConfigureAwait(false);
            return new ChainConsensus(block.IsSavanna ? ConsensusKind.Savanna : ConsensusKind.Legacy, block.Number, block.HeaderScheduleVersion);
        }).ConfigureAwait(false);
        return _consensus;
    }

    /// <summary>Our producer's account (its permissions and their links); read now when <paramref name="fresh"/>.</summary>
    public async Task<ChainFact<GetAccountResult>?> AccountAsync(bool fresh, CancellationToken cancellationToken)
    {
        _account = await ReadAsync(_account, fresh, "account " + producer,
            endpoint => endpoint.Client.GetAccountAsync(producer, cancellationToken)!).ConfigureAwait(false);
        return _account;
    }

    /// <summary>
    /// Our producer's Savanna finalizer keys, registered and active (the system contract's <c>finkeys</c> and
    /// <c>finalizers</c> tables); read now when <paramref name="fresh"/>, or when the reading was taken before
    /// <paramref name="readSince"/> (a decision on an incident sees the tables as they were after it began).
    /// </summary>
    public async Task<ChainFact<FinalizerKeyRegistration>?> FinalizerKeysAsync(bool fresh, DateTimeOffset? readSince, CancellationToken cancellationToken)
    {
        _finalizerKeys = await ReadAsync(_finalizerKeys, fresh || (readSince is { } since && _finalizerKeys is { } known && known.ReadAt < since), "finalizer keys of " + producer + " (eosio finkeys/finalizers)",
            endpoint => endpoint.Client.GetFinalizerKeysAsync(producer, cancellationToken)!).ConfigureAwait(false);
        return _finalizerKeys;
    }

    private async Task<ChainFact<T>?> ReadAsync<T>(ChainFact<T>? known, bool fresh, string what, Func<ChainEndpoint, Task<T?>> read)
        where T : class
    {
        if (!fresh && known is { } reading && time.GetUtcNow() - reading.ReadAt < Refresh)
        {
            return known;
        }

        foreach (var endpoint in endpoints())
        {
            try
            {
                if (await read(endpoint).ConfigureAwait(false) is { } value)
                {
                    return new ChainFact<T>(value, time.GetUtcNow());
                }
            }
            catch (Exception e) when (e is ChainApiException or FormatException)
            {
                ChainFactsLog.ReadFailed(log, what, e.Message);
            }
        }

        return known;
    }
}

internal static partial class ChainFactsLog
{
    [LoggerMessage(LogLevel.Warning, "Could not read the {What}: {Problem}")]
    public static partial void ReadFailed(ILogger logger, string what, string problem);
}
