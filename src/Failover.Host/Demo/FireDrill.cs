using System.Globalization;
using Failover.Antelope;
using Failover.Antelope.Chain;
using Failover.Antelope.Transactions;
using Failover.Host.Commands;

namespace Failover.Host.Demo;

/// <summary>How a drill ended; the times are simulated.</summary>
internal sealed record DrillOutcome(
    bool Succeeded,
    string? FailureReason,
    int BlocksMissed,
    int MissedAtRotation,
    string? TransactionId,
    TimeSpan? TimeToRotate,
    TimeSpan? TimeToResume,
    uint? ResumedBlock,
    PublicKey? ResumedKey);

/// <summary>
/// A fire drill of the failover path that exists today: it watches the chain through the chain API, takes our first
/// data center down after a few rounds, rotates to the standby key by a fixed rule (a number of consecutive missed
/// slots), pushes the rotation once, and follows the chain until a block of ours signed by the standby key appears.
/// The decision step is deliberately simple; the failover service replaces it with its gated policy.
/// </summary>
internal sealed class FireDrill(ChainApiClient chain, TimeProvider time, IFaultInjector faults, DrillPlan plan, Action<DrillEvent> report)
{
    private static readonly TimeSpan TransactionLifetime = TimeSpan.FromMinutes(5);

    private DateTimeOffset _start;
    private DateTimeOffset? _downAt;
    private DateTimeOffset? _pushedAt;
    private string? _transactionId;
    private int _missed;
    private int _missedAtRotation;
    private bool _tableShowsStandby;
    private bool _scheduleHasStandby;

    public async Task<DrillOutcome> RunAsync(CancellationToken cancellationToken)
    {
        _start = time.GetUtcNow();
        try
        {
            return await DrillAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DrillFailedException or ChainApiException or FormatException)
        {
            var reason = e switch
            {
                DrillFailedException => e.Message,
                ChainApiException => $"The chain API failed: {e.Message}",
                _ => $"The chain API returned malformed data: {e.Message}",
            };
            Report(DrillEventKind.Failed, $"DRILL FAILED: {reason}");
            return Outcome(reason, null, null);
        }
    }

    private async Task<DrillOutcome> DrillAsync(CancellationToken cancellationToken)
    {
        var info = await chain.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var chainId = Checksum256.Parse(info.ChainId);
        var schedule = await ActiveScheduleAsync(cancellationToken).ConfigureAwait(false);
        var follower = new ChainFollower(chain, await chain.GetBlockInfoAsync(info.HeadBlockNum, cancellationToken).ConfigureAwait(false));
        var ledger = new RoundLedger(plan.Producer, ChainFollower.SlotOf(follower.Last) + 1);
        var headSince = time.GetUtcNow();
        Report(DrillEventKind.Started,
            $"Fire drill on chain {info.ChainId[..12]}…, head {info.HeadBlockNum}, {schedule.Producers.Count} scheduled producers. " +
            $"After {plan.RoundsBeforeOutage} full rounds {plan.Producer}/{plan.FailingDataCenter} is taken down. This drill rotates by a " +
            $"fixed rule: after {plan.MissedSlotsToRotate} consecutive missed blocks it pushes the rotation to {plan.StandbyDataCenter}'s key. " +
            "The automated, gated decision (participation > 80 %, fresh head, LIB advancing, …) comes with the failover service.");

        while (true)
        {
            await Task.Delay(plan.PollInterval, time, cancellationToken).ConfigureAwait(false);
            info = await chain.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (info.HeadBlockNum > follower.Last.BlockNum)
            {
                headSince = now;
            }

            CheckLimits(now, headSince, follower.Last.Timestamp);

            foreach (var slot in await follower.AdvanceAsync(info.HeadBlockNum, schedule, cancellationToken).ConfigureAwait(false))
            {
                if (ledger.Record(slot, schedule.Producers.Count) is { } round)
                {
                    ReportRound(round);
                }

                if (_downAt is null && ledger.IsInLastWindowOfFullRound(slot.Slot, schedule.Producers.Count, plan.RoundsBeforeOutage))
                {
                    faults.TakeDown(plan.Producer, plan.FailingDataCenter);
                    _downAt = time.GetUtcNow();
                    Report(DrillEventKind.DataCenterDown,
                        $"{plan.Producer}/{plan.FailingDataCenter} taken down as round {RoundLedger.RoundOf(slot.Slot, schedule.Producers.Count)} ends: its node neither produces nor votes.");
                }

                if (slot.Scheduled != plan.Producer)
                {
                    continue;
                }

                if (!slot.Produced)
                {
                    _missed++;
                    Report(DrillEventKind.BlockMissed,
                        $"{plan.Producer} missed its block in slot {slot.Slot} ({BlockTimestamp.Format(BlockTimestamp.FromSlot(slot.Slot))}), {ledger.ConsecutiveMissed} in a row.");
                    if (_pushedAt is null && ledger.ConsecutiveMissed == plan.MissedSlotsToRotate)
                    {
                        await RotateAsync(chainId, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (_pushedAt is not null
                    && await BlockSigner.RecoverAsync(chain, slot.Block!, cancellationToken).ConfigureAwait(false) is var key
                    && key == plan.StandbyKey)
                {
                    return Resumed(slot.Block!, key);
                }
            }

            if (_pushedAt is not null)
            {
                schedule = await FollowRotationAsync(schedule, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The stall limit is on the clock; the outage and resume limits are on the time of the latest block read, so a
    /// drill that reads blocks more slowly than they come is not failed for its own lag.
    /// </summary>
    private void CheckLimits(DateTimeOffset now, DateTimeOffset headSince, DateTimeOffset chainTime)
    {
        if (now - headSince > plan.StallLimit)
        {
            throw new DrillFailedException($"The chain head did not advance for {Minutes(now - headSince)}.");
        }

        if (_pushedAt is { } pushed && chainTime - pushed > plan.ResumeLimit)
        {
            throw new DrillFailedException(
                $"{plan.Producer} did not produce with {plan.StandbyDataCenter}'s key within {Minutes(plan.ResumeLimit)} of the rotation " +
                $"(producers table updated: {YesNo(_tableShowsStandby)}, schedule active with the key: {YesNo(_scheduleHasStandby)}).");
        }

        if (_pushedAt is null && _downAt is { } down && chainTime - down > plan.RotationLimit)
        {
            throw new DrillFailedException(
                $"{plan.Producer} did not miss {plan.MissedSlotsToRotate} blocks in a row within {Minutes(chainTime - down)} of {plan.FailingDataCenter} going down.");
        }
    }

    private async Task RotateAsync(Checksum256 chainId, CancellationToken cancellationToken)
    {
        // TaPoS and expiration from the chain as it is now, not as it was when the missed slots' blocks were read.
        var info = await chain.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var rows = await chain.GetProducerRowsAsync(plan.Producer.ToString(), 1, cancellationToken).ConfigureAwait(false);
        var row = rows.Rows.FirstOrDefault(r => r.Owner == plan.Producer.ToString())
            ?? throw new DrillFailedException($"{plan.Producer} is not in the producers table.");
        var rotation = Antelope.SystemContract.KeyRotation.ToNewKey(
            chainId,
            Checksum256.Parse(info.LastIrreversibleBlockId),
            DateTimeOffset.FromUnixTimeSeconds(info.HeadBlockTime.ToUnixTimeSeconds()) + TransactionLifetime,
            new PermissionLevel(plan.Producer, DrillPlan.FailoverPermission),
            plan.StandbyKey,
            row.Url,
            row.Location,
            plan.StandbyFinalizerKey);
        var packed = rotation.Sign([plan.FailoverKey]);
        var transactionId = rotation.ToTransaction().Id;
        _missedAtRotation = _missed;
        try
        {
            // Pushed once: a push that failed in transit may still have been accepted, so it is never repeated.
            await chain.PushTransactionAsync(packed, cancellationToken).ConfigureAwait(false);
        }
        catch (ChainApiException e)
        {
            throw new DrillFailedException($"The node rejected the rotation transaction {transactionId}: {e.Message}");
        }

        _pushedAt = time.GetUtcNow();
        _transactionId = transactionId.ToString();
        var actions = plan.StandbyFinalizerKey is null ? "regproducer" : "regproducer + actfinkey";
        Report(DrillEventKind.RotationSubmitted,
            $"Rotation submitted trx {_transactionId}: {actions} to {plan.StandbyDataCenter}'s key {plan.StandbyKey}, signed by {plan.Producer}@{DrillPlan.FailoverPermission} " +
            $"(rule: {plan.MissedSlotsToRotate} missed blocks in a row).");
    }

    private async Task<ProducerSchedule> FollowRotationAsync(ProducerSchedule schedule, CancellationToken cancellationToken)
    {
        if (!_tableShowsStandby)
        {
            var rows = await chain.GetProducerRowsAsync(plan.Producer.ToString(), 1, cancellationToken).ConfigureAwait(false);
            if (rows.Rows.FirstOrDefault(r => r.Owner == plan.Producer.ToString()) is { } row && PublicKey.Parse(row.ProducerKey) == plan.StandbyKey)
            {
                _tableShowsStandby = true;
                Report(DrillEventKind.ProducersTableUpdated, $"Producers table shows {plan.StandbyDataCenter}'s key for {plan.Producer}.");
            }
        }

        if (_scheduleHasStandby)
        {
            return schedule;
        }

        var active = await ActiveScheduleAsync(cancellationToken).ConfigureAwait(false);
        var ours = active.Producers.FirstOrDefault(p => p.ProducerName == plan.Producer.ToString());
        if (ours is not null && ours.Authority.Keys.Any(k => PublicKey.Parse(k.Key) == plan.StandbyKey))
        {
            _scheduleHasStandby = true;
            Report(DrillEventKind.ScheduleActivated, $"Schedule v{active.Version} active with {plan.StandbyDataCenter}'s key for {plan.Producer}.");
        }

        return active;
    }

    private async Task<ProducerSchedule> ActiveScheduleAsync(CancellationToken cancellationToken) =>
        (await chain.GetProducerScheduleAsync(cancellationToken).ConfigureAwait(false)).Active
        ?? throw new DrillFailedException("get_producer_schedule shows no active schedule.");

    private DrillOutcome Resumed(GetBlockInfoResult block, PublicKey key)
    {
        Report(DrillEventKind.ProductionResumed,
            $"Block {block.BlockNum} produced by {plan.Producer} signed by {plan.StandbyDataCenter}'s key {key} (recovered from its producer_signature).");
        var toRotate = _pushedAt!.Value - _downAt!.Value;
        var toResume = block.Timestamp - _pushedAt.Value;
        Report(DrillEventKind.Summary,
            $"Drill complete: {plan.Producer} missed {_missed} blocks ({_missedAtRotation} before the rotation); rotation pushed " +
            $"{Seconds(toRotate)} after {plan.FailingDataCenter} went down; production resumed {Seconds(toResume)} after the rotation, " +
            $"{Seconds(block.Timestamp - _downAt.Value)} after the outage (simulated time).");
        return Outcome(null, block, key);
    }

    private DrillOutcome Outcome(string? failure, GetBlockInfoResult? resumed, PublicKey? key) => new(
        failure is null,
        failure,
        _missed,
        _missedAtRotation,
        _transactionId,
        _pushedAt - _downAt,
        resumed is null ? null : resumed.Timestamp - _pushedAt,
        resumed?.BlockNum,
        key);

    private void Report(DrillEventKind kind, string text) => report(new DrillEvent(kind, time.GetUtcNow() - _start, text));

    private void ReportRound(RoundSummary round) => Report(DrillEventKind.RoundSummary,
        $"Round {round.Round}{(round.Partial ? " (partial)" : string.Empty)}: participation {round.Participating}/{round.Producers}, " +
        $"{plan.Producer} produced {round.OursProduced}, missed {round.OursMissed}.");

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s");

    private static string Minutes(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} min");

    private static string YesNo(bool value) => value ? "yes" : "no";
}
