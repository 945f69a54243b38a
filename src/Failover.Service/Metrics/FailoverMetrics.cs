using System.Diagnostics.Metrics;
using Failover.Domain.Chain;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.EventStore;
using Failover.Service.Configuration;

namespace Failover.Service.Metrics;

/// <summary>
/// The service's Prometheus metrics (meter <c>Failover</c>, exported at <c>/metrics</c> through OpenTelemetry), fed by
/// <see cref="LogMetricsService"/> from the events the log records — never read from the observer or the process
/// manager — and by the store decorator's append timings. Counters count what was appended since this process started
/// (Prometheus treats a restart as a counter reset); gauges show the latest observation.
/// </summary>
public sealed class FailoverMetrics : IDisposable
{
    public const string MeterName = "Failover";

    /// <summary>Append latency buckets in seconds: SQLite commits take well under a millisecond to tens of milliseconds.</summary>
    private static readonly double[] AppendBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private static readonly string[] AutomationStates = ["armed", "paused", "latched"];

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly string _observerId;
    private readonly string _producer;
    private readonly Lock _lock = new();
    private readonly Counter<long> _missed;
    private readonly Counter<long> _rotations;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _alerts;
    private readonly Histogram<double> _appendDuration;
    private readonly Dictionary<string, bool> _endpoints = new(StringComparer.Ordinal);
    private DateTimeOffset? _headTime;
    private uint? _libLag;
    private double? _lastRound;
    private double? _sliding;
    private int? _ourConsecutiveMissed;
    private DateTimeOffset? _lastSampleAt;
    private ObserverState _observer = ObserverState.Empty;
    private FailoverProcess _process = FailoverProcess.Initial;
    private int _silentCertificates;
    private readonly LogProgress _progress = new();

    public FailoverMetrics(IMeterFactory meters, TimeProvider time, FailoverSettings settings)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(settings);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        (_observerId, _producer) = (settings.ObserverId, settings.Producer.ToString());
        _meter = meters.Create(MeterName);
        _missed = _meter.CreateCounter<long>("failover_missed_blocks", "{block}", "Scheduled slots left empty, per scheduled producer, as recorded in the chain stream.");
        _rotations = _meter.CreateCounter<long>("failover_rotations", "{rotation}",
            "Key rotations by outcome: requested, submitted (accepted, duplicate or unknown), failed (rejected, expired, …), completed.");
        _decisions = _meter.CreateCounter<long>("failover_decisions", "{decision}",
            "Decisions of the failover process by outcome (trigger, suppress) and reason (automatic or manual for a trigger; the reason codes for a suppression).");
        _alerts = _meter.CreateCounter<long>("failover_alerts", "{alert}", "Alerts per webhook by outcome: delivered, retried (an attempt failed), dropped (older than Alerts:MaxAge).");
        _appendDuration = _meter.CreateHistogram("failover_store_append_duration", "s", "Event store append latency (one AppendToStream call).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AppendBuckets });
        _meter.CreateObservableGauge("failover_head_lag", HeadLag, "s", "Age of the newest recorded head block: now minus its timestamp.");
        _meter.CreateObservableGauge("failover_lib_lag_blocks", LibLag, null, "Head minus last irreversible block, in blocks, at the latest participation sample.");
        _meter.CreateObservableGauge("failover_participation_ratio", Participation, "1",
            "Participation of the other producers (0–1) over the last full round and over the sliding window of one round.");
        _meter.CreateObservableGauge("failover_our_consecutive_missed_blocks", OurConsecutiveMissed, null,
            "Our producer's current run of consecutive missed scheduled blocks, at the latest sample.");
        _meter.CreateObservableGauge("failover_endpoint_up", EndpointsUp, null,
            "1 while the observer judges the chain API endpoint healthy and agreeing with the recorded chain, else 0.");
        _meter.CreateObservableGauge("failover_automation", Automation, null,
            "1 for the state automation is in (label state: armed, paused by an operator, latched at the rotation cap), 0 for the others.");
        _meter.CreateObservableGauge("failover_rotation_in_flight", RotationInFlight, "s",
            "Time since the rotation under way was requested (0 when none is): requested, submitted or rotated, not yet in force.");
        _meter.CreateObservableGauge("failover_awaiting_operator", AwaitingOperator, null,
            "1 while automation cannot finish the latest rotation on its own and waits for an operator, else 0.");
        _meter.CreateObservableGauge("failover_finalizer_silent_certificates", SilentCertificates, null,
            "Quorum certificates in a row, on the recorded chain, that our finalizer did not vote in (Savanna; 0 when it voted in the latest).");
    }

    /// <summary>When this service's observer last recorded a participation sample (readiness: is it within its lag budget?).</summary>
    public DateTimeOffset? LastSampleAt
    {
        get
        {
            lock (_lock)
            {
                return _lastSampleAt;
            }
        }
    }

    /// <summary>This service's observer stream folded as the log shows it (readiness: do a majority of endpoints agree?).</summary>
    public ObserverState Observer
    {
        get
        {
            lock (_lock)
            {
                return _observer;
            }
        }
    }

    /// <summary>The position of the last event of the log taken into account.</summary>
    public long Position => _progress.Position;

    /// <summary>Completes once the events up to <paramref name="position"/> are taken into account (the log is followed live).</summary>
    public Task WaitForPositionAsync(long position, CancellationToken cancellationToken = default) => _progress.WaitForPositionAsync(position, cancellationToken);

    /// <summary>The subscriber has applied every event up to <paramref name="position"/>.</summary>
    public void Applied(long position) => _progress.Reached(position);

    public void RecordAppend(TimeSpan duration) => _appendDuration.Record(duration.TotalSeconds);

    public void RecordAlert(string webhook, string outcome) =>
        _alerts.Add(1, new KeyValuePair<string, object?>("webhook", webhook), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Takes one event of the log into account.</summary>
    public void Apply(object @event)
    {
        if (@event is IObserverEvent observed && observed.ObserverId == _observerId)
        {
            lock (_lock)
            {
                _observer = _observer.Apply(observed);
            }
        }

        if (@event is IProcessEvent process && process.Producer == _producer)
        {
            lock (_lock)
            {
                _process = _process.Apply(process);
            }
        }

        switch (@event)
        {
            case BlockProduced e:
                lock (_lock)
                {
                    _headTime = _headTime is { } t && t > e.Timestamp ? t : e.Timestamp;
                    _silentCertificates = e.OurFinalizerVoted switch
                    {
                        false => _silentCertificates + 1,
                        true => 0,
                        null => _silentCertificates,
                    };
                }

                break;
            case BlockMissed e:
                _missed.Add(1, new KeyValuePair<string, object?>("producer", e.ScheduledProducer));
                break;
            case ParticipationSampled e when e.ObserverId == _observerId:
                lock (_lock)
                {
                    _headTime = _headTime is { } t && t > e.HeadBlockTime ? t : e.HeadBlockTime;
                    (_libLag, _lastRound, _sliding, _ourConsecutiveMissed, _lastSampleAt) =
                        (e.LibLag, e.LastFullRound?.Rate, e.SlidingWindow?.Rate, e.OurConsecutiveMissed, e.ObservedAt);
                    foreach (var view in e.Endpoints)
                    {
                        _endpoints[view.Endpoint] = view.Healthy && view.Agrees;
                    }
                }

                break;
            case EndpointDegraded e when e.ObserverId == _observerId:
                SetEndpoint(e.Endpoint, false);
                break;
            case EndpointRecovered e when e.ObserverId == _observerId:
                SetEndpoint(e.Endpoint, true);
                break;
            case FailoverTriggered e when e.Producer == _producer:
                Decision("trigger", e.Evidence.Manual is null ? "automatic" : "manual");
                break;
            case FailoverSuppressed e when e.Producer == _producer:
                Decision("suppress", string.Join(',', e.Reasons));
                break;
            case KeyRotationRequested e when e.Producer == _producer:
                Rotation("requested");
                break;
            case KeyRotationSubmitted e when e.Producer == _producer:
                Rotation("submitted");
                break;
            case KeyRotationFailed e when e.Producer == _producer:
                Rotation("failed");
                break;
            case FailoverCompleted e when e.Producer == _producer:
                Rotation("completed");
                break;
        }
    }

    public void Dispose() => _meter.Dispose();

    private void Decision(string outcome, string reason) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("reason", reason));

    private void Rotation(string outcome) => _rotations.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private void SetEndpoint(string endpoint, bool up)
    {
        lock (_lock)
        {
            _endpoints[endpoint] = up;
        }
    }

    private List<Measurement<long>> Automation()
    {
        lock (_lock)
        {
            var state = _process.Latched ? "latched" : _process.AutomationPaused ? "paused" : "armed";
            return [.. AutomationStates.Select(s => new Measurement<long>(s == state ? 1 : 0, new KeyValuePair<string, object?>("state", s)))];
        }
    }

    private List<Measurement<double>> RotationInFlight()
    {
        lock (_lock)
        {
            var age = _process is { RotationInFlight: true, CurrentRotation: { } rotation } ? (_time.GetUtcNow() - rotation.RequestedAt).TotalSeconds : 0;
            return [new Measurement<double>(Math.Max(0, age))];
        }
    }

    private List<Measurement<long>> AwaitingOperator()
    {
        lock (_lock)
        {
            return [new Measurement<long>(_process.AwaitingOperator is null ? 0 : 1)];
        }
    }

    private List<Measurement<long>> SilentCertificates()
    {
        lock (_lock)
        {
            return [new Measurement<long>(_silentCertificates)];
        }
    }

    private List<Measurement<double>> HeadLag()
    {
        lock (_lock)
        {
            return _headTime is { } t ? [new Measurement<double>(Math.Max(0, (_time.GetUtcNow() - t).TotalSeconds))] : [];
        }
    }

    private List<Measurement<long>> LibLag()
    {
        lock (_lock)
        {
            return _libLag is { } lag ? [new Measurement<long>(lag)] : [];
        }
    }

    private List<Measurement<long>> OurConsecutiveMissed()
    {
        lock (_lock)
        {
            return _ourConsecutiveMissed is { } n ? [new Measurement<long>(n, new KeyValuePair<string, object?>("producer", _producer))] : [];
        }
    }

    private List<Measurement<long>> EndpointsUp()
    {
        lock (_lock)
        {
            return [.. _endpoints.Select(e => new Measurement<long>(e.Value ? 1 : 0, new KeyValuePair<string, object?>("endpoint", e.Key)))];
        }
    }

    private List<Measurement<double>> Participation()
    {
        lock (_lock)
        {
            var measurements = new List<Measurement<double>>(2);
            if (_lastRound is { } round)
            {
                measurements.Add(new Measurement<double>(round, new KeyValuePair<string, object?>("window", "last_round")));
            }

            if (_sliding is { } sliding)
            {
                measurements.Add(new Measurement<double>(sliding, new KeyValuePair<string, object?>("window", "sliding")));
            }

            return measurements;
        }
    }
}
