namespace Failover.Service.Configuration;

// The "Failover" configuration section exactly as operators write it (appsettings.json, --config FILE, environment
// FAILOVER__…). Every leaf is a string, so binding never fails half-way: the validator checks every value and lists
// every problem at once, and only a valid configuration becomes FailoverSettings.

/// <summary>The raw <c>Failover</c> section.</summary>
public sealed class FailoverConfiguration
{
    public const string SectionName = "Failover";

    public string? ObserverId { get; set; }

    public string? Store { get; set; }

    public ChainConfiguration Chain { get; set; } = new();

    public string? Producer { get; set; }

    public List<DataCenterConfiguration> DataCenters { get; set; } = [];

    public SignerConfiguration Signer { get; set; } = new();

    public PolicyConfiguration Policy { get; set; } = new();

    public string? DryRun { get; set; }

    public ObserverConfiguration Observer { get; set; } = new();

    public ApiConfiguration Api { get; set; } = new();

    public AlertsConfiguration Alerts { get; set; } = new();

    public RetentionConfiguration Retention { get; set; } = new();
}

/// <summary>The retention policy `failover store compact --config` applies (docs/operations.md, "A store that stays small").</summary>
public sealed class RetentionConfiguration
{
    /// <summary>Days of observations kept whole (default 30); older ones are compacted.</summary>
    public string? KeepDays { get; set; }

    /// <summary>How close to the failover process's events observations are kept whole (default 00:10:00).</summary>
    public string? Protect { get; set; }

    public const int DefaultKeepDays = 30;

    /// <summary>The days a value gives, or null (with the problem) when it is not a whole number from 1 to 36500.</summary>
    public static int? ParseKeepDays(string? text, string name, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 36_500)
        {
            return days;
        }

        problems.Add($"{name} '{text}' must be a whole number of days from 1 to 36500.");
        return null;
    }

    /// <summary>The duration a value gives, or null (with the problem) when it is not hh:mm:ss, not negative.</summary>
    public static TimeSpan? ParseProtect(string? text, string name, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (TimeSpan.TryParseExact(text, "c", System.Globalization.CultureInfo.InvariantCulture, out var around) && around >= TimeSpan.Zero)
        {
            return around;
        }

        problems.Add($"{name} '{text}' must be a duration as hh:mm:ss (e.g. 00:10:00), not negative.");
        return null;
    }
}

public sealed class ChainConfiguration
{
    /// <summary>64 hex; optional, checked against get_info when given.</summary>
    public string? Id { get; set; }

    public List<string> Endpoints { get; set; } = [];

    /// <summary>savanna (default) or legacy.</summary>
    public string? Consensus { get; set; }
}

public sealed class DataCenterConfiguration
{
    public string? Name { get; set; }

    public string? Priority { get; set; }

    public string? SigningKey { get; set; }

    public string? FinalizerKey { get; set; }

    /// <summary>
    /// Optional: the block signing authority a rotation to this data center registers (<c>regproducer2</c>) instead of
    /// its signing key alone — e.g. its signing key and a backup node's key, each able to sign alone.
    /// </summary>
    public SigningAuthorityConfiguration? SigningAuthority { get; set; }

    /// <summary>That data center's own node (optional): a standby is ready only if it reports a fresh head.</summary>
    public string? Endpoint { get; set; }
}

public sealed class SigningAuthorityConfiguration
{
    public string? Threshold { get; set; }

    public List<KeyWeightConfiguration> Keys { get; set; } = [];
}

public sealed class KeyWeightConfiguration
{
    public string? Key { get; set; }

    public string? Weight { get; set; }
}

public sealed class SignerConfiguration
{
    public string? Permission { get; set; }

    /// <summary>A file holding the private key (WIF or PVT_K1_…); refused when group- or world-readable.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Or the name of an environment variable holding it.</summary>
    public string? KeyEnvironmentVariable { get; set; }
}

public sealed class PolicyConfiguration
{
    public string? MissedBlocksThreshold { get; set; }

    public string? MinParticipation { get; set; }

    public string? MaxHeadAge { get; set; }

    public string? MaxLibStall { get; set; }

    public string? Cooldown { get; set; }

    public string? MaxRotationsPer24h { get; set; }

    public string? MaxStandbyHeadAge { get; set; }

    /// <summary>
    /// Savanna early detection: certificates without our finalizer's vote for this long open a <c>finalizer-silent</c>
    /// incident (default 00:00:03); <c>off</c> leaves only missed runs.
    /// </summary>
    public string? FinalizerSilence { get; set; }

    /// <summary>
    /// A degraded primary: <c>MISSED/SLOTS</c>, at least MISSED of our last SLOTS scheduled slots missed in two windows or
    /// more (default 12/36); <c>off</c> leaves only missed runs (and the finalizer's silence).
    /// </summary>
    public string? Degraded { get; set; }

    /// <summary>
    /// Legacy early detection (default off): the data center in force's own node (<c>DataCenters[].Endpoint</c>) shows no
    /// new head for this long, as a majority of the observers sharing the store see it — weaker evidence than the chain's.
    /// </summary>
    public string? NodeSilence { get; set; }
}

public sealed class ObserverConfiguration
{
    /// <summary>How often every endpoint's get_info is polled (default: one block interval, 00:00:00.5).</summary>
    public string? PollInterval { get; set; }

    /// <summary>At most this long between participation samples while nothing else calls for one (default 00:00:06).</summary>
    public string? SampleInterval { get; set; }

    /// <summary>Block reads in flight at once while catching up (default 32).</summary>
    public string? BackfillConcurrency { get; set; }

    /// <summary>Blocks read and appended per step while catching up (default 1000).</summary>
    public string? BatchSize { get; set; }

    /// <summary>Per-call timeout of chain API reads (default 00:00:02).</summary>
    public string? RequestTimeout { get; set; }

    /// <summary>An endpoint whose head is older than this is stale (default 00:00:15: longer than one producer's missed window).</summary>
    public string? StaleAfter { get; set; }

    /// <summary>Block number to start from when the chain stream is empty (default: the head).</summary>
    public string? FromBlock { get; set; }
}

public sealed class ApiConfiguration
{
    /// <summary>Bearer token for control routes (or TokenFile); absent: control routes answer 403.</summary>
    public string? Token { get; set; }

    public string? TokenFile { get; set; }

    /// <summary>Put read routes behind the token too (default false).</summary>
    public string? ProtectReads { get; set; }

    /// <summary>Server-sent event streams (<c>/api/stream</c>) served at once (default 256).</summary>
    public string? MaxStreams { get; set; }
}

public sealed class AlertsConfiguration
{
    /// <summary>Where alerts go: each webhook gets every alert, in log order, from a persisted cursor of its own.</summary>
    public List<WebhookConfiguration> Webhooks { get; set; } = [];

    /// <summary>An alert not delivered within this long of its event is dropped (logged and counted); default 1.00:00:00.</summary>
    public string? MaxAge { get; set; }

    /// <summary>Per-request timeout of a webhook call (default 00:00:10).</summary>
    public string? Timeout { get; set; }
}

public sealed class WebhookConfiguration
{
    /// <summary>Names the webhook in logs, metrics and its delivery cursor (default: derived from the URL). The URL itself is never shown.</summary>
    public string? Name { get; set; }

    /// <summary>The receiver (a secret for Slack and Telegram: never logged). Or <see cref="UrlFile"/>.</summary>
    public string? Url { get; set; }

    /// <summary>A file holding the URL, readable by its owner only.</summary>
    public string? UrlFile { get; set; }

    /// <summary>json (default), slack or telegram.</summary>
    public string? Format { get; set; }

    /// <summary>Telegram only: the chat the bot posts to.</summary>
    public string? ChatId { get; set; }
}
