using System.Globalization;
using Failover.Antelope;
using Failover.Antelope.SystemContract;
using Failover.Domain.Events;
using Failover.Domain.Decisions;
using FluentValidation;
using Failover.EventStore;

namespace Failover.Service.Configuration;

/// <summary>
/// Every rule of the <c>Failover</c> section; the service refuses to start while any fails and lists them all.
/// Messages name the key as an operator writes it (e.g. <c>Failover:DataCenters:1:SigningKey</c>).
/// </summary>
public sealed class FailoverConfigurationValidator : AbstractValidator<FailoverConfiguration>
{
    private const string Prefix = FailoverConfiguration.SectionName + ":";

    public FailoverConfigurationValidator()
    {
        RuleFor(c => c.ObserverId).Must(id => !string.IsNullOrWhiteSpace(id) && id.Length <= 64 && id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            .WithName(Prefix + "ObserverId").WithMessage("{PropertyName} must be 1–64 letters, digits, '-', '_' or '.' (e.g. obs-1), got '{PropertyValue}'.");
        RuleFor(c => c.Store).Custom((store, context) =>
        {
            if (!StoreLocation.TryParse(store, out _, out var error))
            {
                context.AddFailure(Prefix + "Store", $"{Prefix}Store {error}.");
            }
        });
        RuleFor(c => c.Chain.Id).Must(id => id is null || Checksum256.TryParse(id, out _, out _))
            .WithName(Prefix + "Chain:Id").WithMessage("{PropertyName} must be the chain id as 64 hex digits when given.");
        RuleFor(c => c.Chain.Consensus).Must(c => c is null or "savanna" or "legacy")
            .WithName(Prefix + "Chain:Consensus").WithMessage("{PropertyName} must be savanna or legacy, got '{PropertyValue}'.");
        RuleFor(c => c.Chain.Endpoints).NotEmpty().WithName(Prefix + "Chain:Endpoints")
            .WithMessage("{PropertyName} must list at least one chain API URL (e.g. http://127.0.0.1:8888).");
        RuleForEach(c => c.Chain.Endpoints).Custom((url, context) => CheckUrl(url, $"{Prefix}Chain:Endpoints:{context.PropertyIndex()}", context));
        // One node written two ways (a trailing slash, the default port) would count twice towards the majority.
        RuleFor(c => c.Chain.Endpoints).Must(e => e.Select(SameNode).Distinct(StringComparer.OrdinalIgnoreCase).Count() == e.Count)
            .WithName(Prefix + "Chain:Endpoints").WithMessage("{PropertyName} lists the same URL twice.");
        RuleFor(c => c.Producer).Custom((producer, context) =>
        {
            if (!Name.TryParse(producer, out _, out var error))
            {
                context.AddFailure(Prefix + "Producer", $"{Prefix}Producer must be the producer account: {error}");
            }
        });
        RuleFor(c => c.DataCenters).Must(d => d.Count >= 2).WithName(Prefix + "DataCenters")
            .WithMessage("{PropertyName} must list at least two data centers: failing over needs somewhere to go.");
        RuleForEach(c => c.DataCenters).Custom(CheckDataCenter);
        RuleFor(c => c).Custom(CheckDataCentersTogether);
        RuleFor(c => c.Signer).Custom(CheckSigner);
        RuleFor(c => c.Policy).Custom(CheckPolicy);
        RuleFor(c => c.DryRun).Must(v => v is null || bool.TryParse(v, out _))
            .WithName(Prefix + "DryRun").WithMessage("{PropertyName} must be true or false, got '{PropertyValue}'.");
        RuleFor(c => c.Observer).Custom(CheckObserver);
        RuleFor(c => c.Api).Custom(CheckApi);
        RuleFor(c => c.Alerts).Custom(CheckAlerts);
        RuleFor(c => c.Retention).Custom((retention, context) =>
        {
            var problems = new List<string>();
            RetentionConfiguration.ParseKeepDays(retention.KeepDays, Prefix + "Retention:KeepDays", problems);
            RetentionConfiguration.ParseProtect(retention.Protect, Prefix + "Retention:Protect", problems);
            foreach (var problem in problems)
            {
                context.AddFailure(Prefix + "Retention", problem);
            }
        });
    }

    private static void CheckDataCenter(DataCenterConfiguration dc, ValidationContext<FailoverConfiguration> context)
    {
        var key = $"{Prefix}DataCenters:{context.PropertyIndex()}";
        if (string.IsNullOrWhiteSpace(dc.Name))
        {
            context.AddFailure(key + ":Name", $"{key}:Name must name the data center (e.g. dc1).");
        }

        if (!int.TryParse(dc.Priority, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            context.AddFailure(key + ":Priority", $"{key}:Priority must be a whole number (1 = first choice), got '{dc.Priority}'.");
        }

        if (!PublicKey.TryParse(dc.SigningKey, out _, out var keyError))
        {
            context.AddFailure(key + ":SigningKey", $"{key}:SigningKey must be a public key (PUB_K1_… or EOS…): {keyError}");
        }

        var savanna = context.InstanceToValidate.Chain.Consensus is null or "savanna";
        if (dc.FinalizerKey is null && savanna)
        {
            context.AddFailure(key + ":FinalizerKey",
                $"{key}:FinalizerKey is required on a Savanna chain: a producing node pauses without its finalizer's votes, so a rotation must activate the standby's finalizer key (actfinkey) too.");
        }
        else if (dc.FinalizerKey is not null && dc.FinalizerKey.StartsWith("PVT_", StringComparison.Ordinal))
        {
            // A private key pasted where the public one belongs: said, never repeated.
            context.AddFailure(key + ":FinalizerKey", $"{key}:FinalizerKey is a private key (PVT_…, not shown): give the finalizer's public key (PUB_BLS_…), and keep the private one on the node only.");
        }
        else if (dc.FinalizerKey is not null && BlsPublicKey.Validate(dc.FinalizerKey) is { } blsError)
        {
            context.AddFailure(key + ":FinalizerKey", $"{key}:FinalizerKey must be a BLS public key (PUB_BLS_…): {blsError}, got '{dc.FinalizerKey}'.");
        }

        if (dc.Endpoint is not null)
        {
            CheckUrl(dc.Endpoint, key + ":Endpoint", context);
        }

        if (dc.SigningAuthority is { } authority)
        {
            CheckAuthority(authority, dc.SigningKey, key + ":SigningAuthority", context);
        }
    }

    /// <summary>
    /// A declared authority must be one the system contract accepts, and one the data center's node can sign with alone:
    /// it lists the data center's signing key with a weight reaching the threshold (its node signs with that key).
    /// </summary>
    private static void CheckAuthority(SigningAuthorityConfiguration authority, string? signingKey, string key, ValidationContext<FailoverConfiguration> context)
    {
        if (!uint.TryParse(authority.Threshold, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold) || threshold == 0)
        {
            context.AddFailure(key + ":Threshold", $"{key}:Threshold must be a whole number of at least 1, got '{authority.Threshold}'.");
        }

        if (authority.Keys.Count == 0)
        {
            context.AddFailure(key + ":Keys", $"{key}:Keys must list at least one {{Key, Weight}}.");
        }

        var weights = new List<KeyWeight>();
        foreach (var (entry, index) in authority.Keys.Select((e, i) => (e, i)))
        {
            var entryKey = $"{key}:Keys:{index}";
            var parsedKey = PublicKey.TryParse(entry.Key, out var k, out var keyError) ? k : null;
            if (parsedKey is null)
            {
                context.AddFailure(entryKey + ":Key", $"{entryKey}:Key must be a public key (PUB_K1_… or EOS…): {keyError}");
            }

            var parsedWeight = ushort.TryParse(entry.Weight, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 0 ? w : (ushort?)null;
            if (parsedWeight is null)
            {
                context.AddFailure(entryKey + ":Weight", $"{entryKey}:Weight must be a whole number from 1 to 65535, got '{entry.Weight}'.");
            }

            if (parsedKey is not null && parsedWeight is not null)
            {
                weights.Add(new KeyWeight(parsedKey, parsedWeight.Value));
            }
        }

        if (threshold == 0 || weights.Count != authority.Keys.Count || weights.Count == 0)
        {
            return;
        }

        if (new BlockSigningAuthority(threshold, weights).Validate() is { Count: > 0 } invalid)
        {
            foreach (var problem in invalid)
            {
                context.AddFailure(key, $"{key}: {problem}");
            }
        }
        else if (PublicKey.TryParse(signingKey, out var own, out _) && weights.Where(w => w.Key == own).Sum(w => (long)w.Weight) < threshold)
        {
            context.AddFailure(key, $"{key} must list the data center's SigningKey with a weight of at least the threshold {threshold}: its node signs our blocks with that key alone.");
        }
    }

    /// <summary>A validated authority as the domain keeps it (null when none is declared).</summary>
    internal static SigningAuthority? ToAuthority(SigningAuthorityConfiguration? raw) => raw is null
        ? null
        : new SigningAuthority(
            uint.Parse(raw.Threshold!, CultureInfo.InvariantCulture),
            [.. raw.Keys.Select(k => new ScheduleKey(PublicKey.Parse(k.Key!).ToString(), ushort.Parse(k.Weight!, CultureInfo.InvariantCulture)))]);

    private static void CheckDataCentersTogether(FailoverConfiguration config, ValidationContext<FailoverConfiguration> context)
    {
        var named = config.DataCenters.Where(d => !string.IsNullOrWhiteSpace(d.Name)).ToList();
        foreach (var name in named.GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            context.AddFailure(Prefix + "DataCenters", $"{Prefix}DataCenters names '{name}' more than once.");
        }

        // Compared as numbers: "1" and "01" are the same priority.
        var priorities = config.DataCenters.Select(d => int.TryParse(d.Priority, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : (int?)null).OfType<int>();
        foreach (var priority in priorities.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            context.AddFailure(Prefix + "DataCenters", $"{Prefix}DataCenters gives priority {priority} to more than one data center; priorities decide the target, so they must differ.");
        }

        var keys = config.DataCenters.Select(d => PublicKey.TryParse(d.SigningKey, out var k, out _) ? k : null).Where(k => k is not null).ToList();
        if (keys.Distinct().Count() != keys.Count)
        {
            context.AddFailure(Prefix + "DataCenters", $"{Prefix}DataCenters gives the same signing key to two data centers; each must sign with its own key.");
        }
        else if (KeysOfMoreThanOne(config.DataCenters) is { Count: > 0 } shared)
        {
            // After a rotation to one, the other's node could sign our blocks too: two data centers producing at once.
            context.AddFailure(Prefix + "DataCenters",
                $"{Prefix}DataCenters puts {string.Join(", ", shared)} in the signing authorities of two data centers; each data center's authority must hold only its own keys.");
        }

        var finalizers = config.DataCenters.Select(d => d.FinalizerKey).Where(k => k is not null).ToList();
        if (finalizers.Distinct(StringComparer.Ordinal).Count() != finalizers.Count)
        {
            context.AddFailure(Prefix + "DataCenters", $"{Prefix}DataCenters gives the same finalizer key to two data centers; each votes with its own key.");
        }
    }

    private static void CheckSigner(SignerConfiguration signer, ValidationContext<FailoverConfiguration> context)
    {
        var key = Prefix + "Signer";
        if (!Name.TryParse(signer.Permission, out _, out var error))
        {
            context.AddFailure(key + ":Permission", $"{key}:Permission must be the permission that signs the rotation (e.g. failover): {error}");
        }

        var dryRun = bool.TryParse(context.InstanceToValidate.DryRun, out var d) && d;
        if (signer.KeyFile is not null && signer.KeyEnvironmentVariable is not null)
        {
            context.AddFailure(key, $"{key} gives both KeyFile and KeyEnvironmentVariable; give one.");
        }
        else if (signer.KeyFile is null && signer.KeyEnvironmentVariable is null && !dryRun)
        {
            context.AddFailure(key, $"{key} needs KeyFile (a file readable by its owner only) or KeyEnvironmentVariable, unless DryRun is true.");
        }

        var readable = true;
        if (signer.KeyFile is not null && KeyFileProblem(signer.KeyFile) is { } problem)
        {
            context.AddFailure(key + ":KeyFile", $"{key}:KeyFile {problem}");
            readable = false;
        }

        if (signer.KeyEnvironmentVariable is { } variable && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            context.AddFailure(key + ":KeyEnvironmentVariable", $"{key}:KeyEnvironmentVariable names '{variable}', which is not set.");
            readable = false;
        }

        // A key that does not parse would show only when a rotation is signed, mid-failover: refuse to start instead.
        if (readable && (signer.KeyFile is null) != (signer.KeyEnvironmentVariable is null)
            && Process.SigningKeySource.Problem(signer.KeyFile, signer.KeyEnvironmentVariable) is { } keyProblem)
        {
            context.AddFailure(key, $"{key}: {keyProblem}.");
        }
    }

    /// <summary>
    /// Why a key file cannot be used, or null: it must exist, be the file itself (not a symbolic link), belong to the
    /// user the service runs as (or root), and be readable by its owner only.
    /// </summary>
    public static string? KeyFileProblem(string path) => KeyFileProblem(path, FileOwner.ProcessUser);

    /// <summary><see cref="KeyFileProblem(string)"/> as if the service ran as <paramref name="processUser"/>.</summary>
    public static string? KeyFileProblem(string path, uint? processUser)
    {
        if (!File.Exists(path))
        {
            return $"'{path}' does not exist.";
        }

        if (new FileInfo(path).LinkTarget is { } target)
        {
            // Its owner and mode would be the target's, wherever that is: give the file itself.
            return $"'{path}' is a symbolic link (to '{target}'); give the file itself.";
        }

        if (FileOwner.Problem(path, FileOwner.Of(path), processUser) is { } ownerProblem)
        {
            return ownerProblem;
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & others) != 0)
            {
                return $"'{path}' is readable or writable by its group or others (mode {Convert.ToString((int)mode, 8)}); chmod 400 it.";
            }
        }

        return null;
    }

    private static void CheckPolicy(PolicyConfiguration policy, ValidationContext<FailoverConfiguration> context)
    {
        var key = Prefix + "Policy";
        var problems = new List<string>();
        var parsed = ToPolicy(policy, problems);
        foreach (var problem in problems.Concat(parsed.Validate()))
        {
            context.AddFailure(key, $"{key}: {problem}");
        }
    }

    private static void CheckObserver(ObserverConfiguration observer, ValidationContext<FailoverConfiguration> context)
    {
        var problems = new List<string>();
        var settings = ToObserver(observer, problems);
        if (settings.PollInterval <= TimeSpan.Zero || settings.SampleInterval <= TimeSpan.Zero || settings.RequestTimeout <= TimeSpan.Zero || settings.StaleAfter <= TimeSpan.Zero)
        {
            problems.Add("PollInterval, SampleInterval, RequestTimeout and StaleAfter must be positive.");
        }

        if (settings.BackfillConcurrency is < 1 or > 256 || settings.BatchSize is < 1 or > 100_000)
        {
            problems.Add("BackfillConcurrency must be 1–256 and BatchSize 1–100000.");
        }

        foreach (var problem in problems)
        {
            context.AddFailure(Prefix + "Observer", $"{Prefix}Observer: {problem}");
        }
    }

    private static void CheckApi(ApiConfiguration api, ValidationContext<FailoverConfiguration> context)
    {
        var key = Prefix + "Api";
        if (api.Token is not null && api.TokenFile is not null)
        {
            context.AddFailure(key, $"{key} gives both Token and TokenFile; give one.");
        }

        if (api.Token is { Length: < 16 })
        {
            context.AddFailure(key + ":Token", $"{key}:Token must be at least 16 characters.");
        }

        if (api.TokenFile is not null && KeyFileProblem(api.TokenFile) is { } problem)
        {
            context.AddFailure(key + ":TokenFile", $"{key}:TokenFile {problem}");
        }
        else if (api.TokenFile is not null && File.ReadAllText(api.TokenFile).Trim().Length < 16)
        {
            context.AddFailure(key + ":TokenFile", $"{key}:TokenFile holds a token shorter than 16 characters (not shown).");
        }

        if (api.MaxStreams is not null && (!int.TryParse(api.MaxStreams, NumberStyles.None, CultureInfo.InvariantCulture, out var streams) || streams is < 1 or > 10_000))
        {
            context.AddFailure(key + ":MaxStreams", $"{key}:MaxStreams must be a whole number from 1 to 10000, got '{api.MaxStreams}'.");
        }

        if (api.ProtectReads is not null && !bool.TryParse(api.ProtectReads, out _))
        {
            context.AddFailure(key + ":ProtectReads", $"{key}:ProtectReads must be true or false, got '{api.ProtectReads}'.");
        }
        else if (api.ProtectReads is not null && bool.Parse(api.ProtectReads) && api.Token is null && api.TokenFile is null)
        {
            context.AddFailure(key + ":ProtectReads",
                $"{key}:ProtectReads is true but no token is configured: set {key}:Token or {key}:TokenFile (read routes would answer 403 to everyone), or set ProtectReads to false.");
        }
    }

    /// <summary>Webhook URLs may hold secrets (Slack, Telegram): no message here repeats one.</summary>
    private static void CheckAlerts(AlertsConfiguration alerts, ValidationContext<FailoverConfiguration> context)
    {
        var key = Prefix + "Alerts";
        var problems = new List<string>();
        var (maxAge, timeout) = (Duration(alerts.MaxAge, "MaxAge", AlertSettings.DefaultMaxAge, problems), Duration(alerts.Timeout, "Timeout", AlertSettings.DefaultTimeout, problems));
        if (maxAge <= TimeSpan.Zero || timeout <= TimeSpan.Zero)
        {
            problems.Add("MaxAge and Timeout must be positive.");
        }

        foreach (var problem in problems)
        {
            context.AddFailure(key, $"{key}: {problem}");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < alerts.Webhooks.Count; i++)
        {
            var webhook = alerts.Webhooks[i];
            var at = $"{key}:Webhooks:{i}";
            if ((webhook.Url is null) == (webhook.UrlFile is null))
            {
                context.AddFailure(at + ":Url", $"{at} must give one of Url or UrlFile.");
            }
            else if (webhook.Url is not null && WebhookUrlProblem(webhook.Url) is { } urlProblem)
            {
                context.AddFailure(at + ":Url", $"{at}:Url {urlProblem}");
            }
            else if (webhook.UrlFile is not null && KeyFileProblem(webhook.UrlFile) is { } fileProblem)
            {
                context.AddFailure(at + ":UrlFile", $"{at}:UrlFile {fileProblem}");
            }

            var format = webhook.Format ?? "json";
            if (format is not ("json" or "slack" or "telegram"))
            {
                context.AddFailure(at + ":Format", $"{at}:Format must be json, slack or telegram, got '{format}'.");
            }
            else if (format == "telegram" && string.IsNullOrWhiteSpace(webhook.ChatId))
            {
                context.AddFailure(at + ":ChatId", $"{at}:ChatId is required with Format telegram (the chat the bot posts to).");
            }

            if (webhook.Name is { } name && (name.Length is 0 or > 40 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')))
            {
                context.AddFailure(at + ":Name", $"{at}:Name must be 1–40 letters, digits, '-', '_' or '.', got '{name}'.");
            }
            else if (webhook.Name is not null && !names.Add(webhook.Name))
            {
                context.AddFailure(at + ":Name", $"{at}:Name '{webhook.Name}' is used by another webhook; each has its own delivery cursor.");
            }
        }
    }

    /// <summary>Why a webhook URL cannot be used, without repeating it (it may carry a token).</summary>
    public static string? WebhookUrlProblem(string url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0
            ? "must be an absolute http:// or https:// URL (not shown: it may hold a secret)."
            : uri.UserInfo.Length > 0 || uri.Fragment.Length > 0
                ? "must not carry credentials or a fragment (not shown: it may hold a secret)."
                : null;

    /// <summary>The node a chain API URL names: the base address the client builds (normalised, trailing slash ignored).</summary>
    private static string SameNode(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsoluteUri.TrimEnd('/') : url ?? string.Empty;

    private static void CheckUrl(string? url, string key, ValidationContext<FailoverConfiguration> context)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            context.AddFailure(key, $"{key} must be an absolute http:// or https:// URL (it may carry a path, e.g. http://127.0.0.1:8888/node/api2), got '{url}'.");
        }
        else if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            context.AddFailure(key, $"{key} must not carry a query, fragment or credentials, got '{url}'.");
        }
    }

    /// <summary>Keys that two data centers hold (a signing key or a key of a declared authority).</summary>
    private static List<string> KeysOfMoreThanOne(IEnumerable<DataCenterConfiguration> dataCenters) =>
    [
        .. dataCenters
            .SelectMany((d, i) => new[] { d.SigningKey }.Concat(d.SigningAuthority?.Keys.Select(k => k.Key) ?? []).Select(k => (Index: i, Key: PublicKey.TryParse(k, out var p, out _) ? p : null)))
            .Where(k => k.Key is not null)
            .Distinct()
            .GroupBy(k => k.Key)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key!.ToString()),
    ];

    internal static FailoverPolicy ToPolicy(PolicyConfiguration raw, List<string> problems)
    {
        var defaults = new FailoverPolicy();
        return new FailoverPolicy
        {
            MissedBlocksThreshold = Int(raw.MissedBlocksThreshold, "MissedBlocksThreshold", defaults.MissedBlocksThreshold, problems),
            MinParticipation = Double(raw.MinParticipation, "MinParticipation", defaults.MinParticipation, problems),
            MaxHeadAge = Duration(raw.MaxHeadAge, "MaxHeadAge", defaults.MaxHeadAge, problems),
            MaxLibStall = Duration(raw.MaxLibStall, "MaxLibStall", defaults.MaxLibStall, problems),
            Cooldown = Duration(raw.Cooldown, "Cooldown", defaults.Cooldown, problems),
            MaxRotationsPer24h = Int(raw.MaxRotationsPer24h, "MaxRotationsPer24h", defaults.MaxRotationsPer24h, problems),
            MaxStandbyHeadAge = Duration(raw.MaxStandbyHeadAge, "MaxStandbyHeadAge", defaults.MaxStandbyHeadAge, problems),
            FinalizerSilence = string.Equals(raw.FinalizerSilence, "off", StringComparison.OrdinalIgnoreCase)
                ? null
                : Duration(raw.FinalizerSilence, "FinalizerSilence", FailoverPolicy.DefaultFinalizerSilence, problems),
            Degraded = Degraded(raw.Degraded, problems),
            NodeSilence = raw.NodeSilence is null || string.Equals(raw.NodeSilence, "off", StringComparison.OrdinalIgnoreCase)
                ? null
                : Duration(raw.NodeSilence, "NodeSilence", TimeSpan.MaxValue, problems), // the fallback is never used: a bad value stops start-up
        };
    }

    /// <summary><c>M/N</c>: at least M of our last N slots missed; <c>off</c>; absent: <see cref="FailoverPolicy.DefaultDegraded"/>.</summary>
    private static DegradedRule? Degraded(string? text, List<string> problems)
    {
        if (text is null)
        {
            return FailoverPolicy.DefaultDegraded;
        }

        if (string.Equals(text, "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var missed)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var slots))
        {
            return new DegradedRule(missed, slots);
        }

        problems.Add($"Degraded must be MISSED/SLOTS (e.g. 12/36: 12 of our last 36 slots missed) or off, got '{text}'.");
        return FailoverPolicy.DefaultDegraded;
    }

    internal static ObserverSettings ToObserver(ObserverConfiguration raw, List<string> problems)
    {
        var d = ObserverSettings.Default;
        uint? from = null;
        if (raw.FromBlock is { } text)
        {
            if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 1)
            {
                from = number;
            }
            else
            {
                problems.Add($"FromBlock must be a block number after the genesis block (2 or more), got '{text}'.");
            }
        }

        return new ObserverSettings(
            Duration(raw.PollInterval, "PollInterval", d.PollInterval, problems),
            Duration(raw.SampleInterval, "SampleInterval", d.SampleInterval, problems),
            Int(raw.BackfillConcurrency, "BackfillConcurrency", d.BackfillConcurrency, problems),
            Int(raw.BatchSize, "BatchSize", d.BatchSize, problems),
            Duration(raw.RequestTimeout, "RequestTimeout", d.RequestTimeout, problems),
            Duration(raw.StaleAfter, "StaleAfter", d.StaleAfter, problems),
            from);
    }

    private static int Int(string? text, string name, int fallback, List<string> problems)
    {
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add($"{name} must be a whole number, got '{text}'.");
        return fallback;
    }

    private static double Double(string? text, string name, double fallback, List<string> problems)
    {
        if (text is null)
        {
            return fallback;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        problems.Add($"{name} must be a number (e.g. 0.8), got '{text}'.");
        return fallback;
    }

    internal static TimeSpan Duration(string? text, string name, TimeSpan fallback, List<string> problems)
    {
        if (text is null)
        {
            return fallback;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add($"{name} must be a duration as hh:mm:ss[.fff] (e.g. 00:00:03), got '{text}'.");
        return fallback;
    }
}

/// <summary>The index of the collection element a rule is validating.</summary>
internal static class ValidationContextExtensions
{
    public static int PropertyIndex<T>(this ValidationContext<T> context) =>
        context.MessageFormatter.PlaceholderValues.TryGetValue("CollectionIndex", out var index) && index is int i ? i : 0;
}
