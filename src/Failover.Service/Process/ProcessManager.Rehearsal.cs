using System.Security.Cryptography;
using Failover.Antelope;
using Failover.Antelope.Keys;
using Failover.Antelope.Transactions;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Service.Storage;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Process;

public sealed partial class ProcessManager
{
    /// <summary>How far the rehearsal went: "signed" when the whole path ran; null until the first sample once live.</summary>
    internal string? Rehearsal { get; private set; }

    /// <summary>
    /// At the first sample once live, the decision's own code runs once on a copy of the live state, without acting: an
    /// incident and an operator's request to a standby are evaluated, the rotation decided, its events written and read
    /// back, folded, checked and signed with a throwaway key — and all of it dropped. Code that otherwise first runs at
    /// the incident is compiled then, which cost the push tens of milliseconds (docs/performance.md, "Evidence block to
    /// push"). Nothing is appended or sent, and the configured key is not loaded.
    /// </summary>
    /// <returns>How far it went (<see cref="Rehearsal"/>); null: not yet, the state has no sample or head yet.</returns>
    private string? Rehearse()
    {
        if (_inputs.Observer.LatestSample is not { } sample || _inputs.Chain.Head is null || _inputs.Chain.ChainId is not { } chainId
            || _dataCenters.Count < 2 || Process.RotationInFlight || Process.PendingManual is not null)
        {
            return null;
        }

        try
        {
            var now = _time.GetUtcNow();
            var head = _inputs.Chain.Head;
            var draft = new RotationDraft(chainId, sample.LastIrreversibleBlockId, RotationFollowUp.ExpirationAfter(now), _settings.Signer.Permission.ToString(), "https://rehearsal.invalid", 0, null);

            var incident = EvidenceBuilder.Build(_settings.Producer, _settings.Consensus, _settings.Policy, _dataCenters, _inputs, now, null) with
            {
                Incident = new IncidentEvidence(head.Slot, now, _settings.Policy.MissedBlocksThreshold, head.Number, head.Id, now, IncidentAnchor.LatestMiss, head.Slot, IncidentKind.MissedRun),
                ChainConsensus = _settings.Consensus,
            };
            var inputs = Fold(_inputs, FailoverDecider.Decide(new FailoverCommand.Evaluate(incident, _settings.Policy, draft), Process, _producer).Events);

            var inForce = incident.Schedule.ActiveKeys;
            var standby = (_dataCenters.FirstOrDefault(d => !inForce.Contains(d.SigningKey)) ?? _dataCenters[^1]).Name;
            inputs = Fold(inputs, [new ManualFailoverRequested(_producer, standby, "rehearsal", "rehearsal", now)]);
            var manual = EvidenceBuilder.Build(_settings.Producer, _settings.Consensus, _settings.Policy, _dataCenters, inputs, now, new ManualRequest(standby, "rehearsal", "rehearsal", now))
                with { ChainConsensus = _settings.Consensus };
            inputs = Fold(inputs, FailoverDecider.Decide(new FailoverCommand.Evaluate(manual, _settings.Policy, draft), inputs.Process, _producer).Events);
            if (inputs.Process.Phase is not Phase.Requested { Rotation: var rotation })
            {
                return "decided, no rotation requested";
            }

            _ = SigningCheck.Problems(rotation, new SigningContext(_producer, draft.Permission, chainId, _dataCenters, draft.Url, draft.Location, now));
            var throwaway = PrivateKey.FromSecret(RandomNumberGenerator.GetBytes(32));
            _ = TransactionSigner.Sign(Transaction.Unpack(Convert.FromHexString(rotation.PackedTransaction)), Checksum256.Parse(rotation.ChainId), [throwaway]);
            Fold(inputs, FailoverDecider.Decide(new FailoverCommand.RecordPush(rotation.RotationId, "rehearsal", new PushResult(PushOutcomes.Accepted, "rehearsal"), now), inputs.Process, _producer).Events);
            return "signed";
        }
        catch (Exception e)
        {
            // A rehearsal only warms code: whatever it meets is left to the real decision, which meets it in the open.
            Log.RehearsalFailed(_log, e);
            return "failed: " + e.GetType().Name;
        }
    }

    /// <summary>Each event written and read back as the store would, then folded into a copy of the inputs.</summary>
    private FailoverInputs Fold(FailoverInputs inputs, IEnumerable<IProcessEvent> events)
    {
        foreach (var e in events)
        {
            var data = DomainEvents.ToEventData(Guid.NewGuid(), e);
            inputs = inputs.Apply(_scope, ProcessStream, inputs.Process.EventCount, EventCatalogue.Deserialize(data.Type, data.Payload.Span));
        }

        return inputs;
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Warning, "The rehearsal of a rotation failed on a copy of the state (nothing was recorded or sent); a real incident runs the same code: investigate.")]
        public static partial void RehearsalFailed(ILogger logger, Exception exception);
    }
}
