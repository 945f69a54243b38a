using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.EventStore;

namespace Failover.Service.Configuration;

/// <summary>
/// One of our data centers: its signing key, its finalizer key (Savanna), optionally its own node, and optionally the
/// block signing authority a rotation to it registers (<c>regproducer2</c>; null: its signing key alone).
/// </summary>
public sealed record DataCenter(string Name, int Priority, PublicKey SigningKey, string? FinalizerKey, Uri? Endpoint, SigningAuthority? SigningAuthority = null)
{
    /// <summary>What the domain's rules need of it (<see cref="DataCenterConfig"/>).</summary>
    public DataCenterConfig ToConfig() => new(Name, Priority, SigningKey.ToString(), FinalizerKey, Endpoint is not null, SigningAuthority);
}

/// <summary>The signing permission and where its key comes from (never the key itself).</summary>
public sealed record SignerSettings(Name Permission, string? KeyFile, string? KeyEnvironmentVariable);

public sealed record ObserverSettings(
    TimeSpan PollInterval,
    TimeSpan SampleInterval,
    int BackfillConcurrency,
    int BatchSize,
    TimeSpan RequestTimeout,
    TimeSpan StaleAfter,
    uint? FromBlock)
{
    public static ObserverSettings Default { get; } = new(
        TimeSpan.FromMilliseconds(BlockTimestamp.SlotMs), TimeSpan.FromSeconds(6), 32, 1000, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15), null);
}

public sealed record ApiSettings(string? Token, string? TokenFile, bool ProtectReads)
{
    public const int DefaultMaxStreams = 256;

    /// <summary>How many <c>/api/stream</c> clients may be connected at once (<c>Api:MaxStreams</c>); one more gets 503.</summary>
    public int MaxStreams { get; init; } = DefaultMaxStreams;

    /// <summary>Never shows the token.</summary>
    public override string ToString() =>
        $"ApiSettings {{ Token = {(Token is null ? "(none)" : "***")}, TokenFile = {TokenFile ?? "(none)"}, ProtectReads = {ProtectReads} }}";
}

/// <summary>How an alert is written: generic JSON, a Slack incoming webhook message or a Telegram sendMessage call.</summary>
public enum AlertFormat
{
    Json,
    Slack,
    Telegram,
}

/// <summary>A webhook receiving alerts; <see cref="Url"/> may hold a secret (Slack, Telegram) and is never shown.</summary>
public sealed record WebhookSettings(string Name, Uri Url, AlertFormat Format, string? ChatId)
{
    public override string ToString() => $"webhook {Name} ({Format.ToString().ToLowerInvariant()}, {Url.Scheme}://{Url.Host}/…)";
}

/// <summary>The alert webhooks (none by default), how long an alert is worth sending and each call's timeout.</summary>
public sealed record AlertSettings(IReadOnlyList<WebhookSettings> Webhooks, TimeSpan MaxAge, TimeSpan Timeout)
{
    public static TimeSpan DefaultMaxAge { get; } = TimeSpan.FromDays(1);

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);

    public static AlertSettings None { get; } = new([], DefaultMaxAge, DefaultTimeout);
}

/// <summary>A validated configuration (design §5, issue 7's contract), typed.</summary>
public sealed record FailoverSettings(
    string ObserverId,
    StoreLocation Store,
    Checksum256? ChainId,
    IReadOnlyList<Uri> Endpoints,
    ConsensusKind Consensus,
    Name Producer,
    IReadOnlyList<DataCenter> DataCenters,
    SignerSettings Signer,
    FailoverPolicy Policy,
    bool DryRun,
    ObserverSettings Observer,
    ApiSettings Api)
{
    /// <summary>Alert webhooks (<c>Failover:Alerts</c>); none unless configured.</summary>
    public AlertSettings Alerts { get; init; } = AlertSettings.None;
}
