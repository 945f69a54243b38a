using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Microsoft.Extensions.Configuration;
using Failover.EventStore;

namespace Failover.Service.Configuration;

/// <summary>The outcome of reading the configuration: settings, or every problem found.</summary>
public sealed record SettingsResult(FailoverSettings? Settings, IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings);

/// <summary>Reads, checks and types the <c>Failover</c> section.</summary>
public static class FailoverSettingsLoader
{
    private static readonly FailoverConfigurationValidator Validator = new();

    public static SettingsResult Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(FailoverConfiguration.SectionName);
        var raw = new FailoverConfiguration();
        section.Bind(raw);
        var problems = UnknownKeys(section).ToList();
        problems.AddRange(Validator.Validate(raw).Errors.Select(e => e.ErrorMessage).Distinct());
        if (problems.Count > 0)
        {
            return new SettingsResult(null, problems, []);
        }

        var settings = ToSettings(raw);
        return new SettingsResult(settings, [], Warnings(settings));
    }

    /// <summary>What is allowed but risky: said loudly at start-up.</summary>
    private static List<string> Warnings(FailoverSettings settings)
    {
        var warnings = new List<string>();
        var permission = settings.Signer.Permission.ToString();
        if (permission is "active" or "owner")
        {
            warnings.Add($"Failover:Signer:Permission is '{permission}': the service would hold a key that can do anything with {settings.Producer}. "
                + "Create a dedicated permission (e.g. failover) linked only to eosio::regproducer, regproducer2 and actfinkey.");
        }

        if (settings.Endpoints.Count < 3)
        {
            warnings.Add($"Failover:Chain:Endpoints lists {settings.Endpoints.Count} endpoint(s): a majority of them must agree before a rotation; three or more independent nodes make one faulty node harmless.");
        }

        if (settings.DryRun)
        {
            warnings.Add("Failover:DryRun is true: decisions and transactions are recorded, nothing is sent.");
        }

        return warnings;
    }

    private static FailoverSettings ToSettings(FailoverConfiguration raw)
    {
        var store = StoreLocation.TryParse(raw.Store, out var location, out var error) ? location! : throw new InvalidOperationException(error);
        var ignored = new List<string>();
        var consensus = raw.Chain.Consensus == "legacy" ? ConsensusKind.Legacy : ConsensusKind.Savanna;
        return new FailoverSettings(
            raw.ObserverId!,
            store,
            raw.Chain.Id is null ? null : Checksum256.Parse(raw.Chain.Id),
            [.. raw.Chain.Endpoints.Select(e => new Uri(e))],
            consensus,
            Name.Parse(raw.Producer!),
            [.. raw.DataCenters.Select(d => new DataCenter(
                d.Name!,
                int.Parse(d.Priority!, CultureInfo.InvariantCulture),
                PublicKey.Parse(d.SigningKey!),
                d.FinalizerKey,
                d.Endpoint is null ? null : new Uri(d.Endpoint),
                FailoverConfigurationValidator.ToAuthority(d.SigningAuthority))).OrderBy(d => d.Priority)],
            new SignerSettings(Name.Parse(raw.Signer.Permission!), raw.Signer.KeyFile, raw.Signer.KeyEnvironmentVariable),
            FailoverConfigurationValidator.ToPolicy(raw.Policy, ignored),
            raw.DryRun is not null && bool.Parse(raw.DryRun),
            FailoverConfigurationValidator.ToObserver(raw.Observer, ignored),
            new ApiSettings(raw.Api.Token, raw.Api.TokenFile, raw.Api.ProtectReads is not null && bool.Parse(raw.Api.ProtectReads))
            {
                MaxStreams = raw.Api.MaxStreams is { } streams ? int.Parse(streams, CultureInfo.InvariantCulture) : ApiSettings.DefaultMaxStreams,
            })
        {
            Alerts = ToAlerts(raw.Alerts),
        };
    }

    private static AlertSettings ToAlerts(AlertsConfiguration raw)
    {
        var ignored = new List<string>();
        var webhooks = raw.Webhooks.Select(w =>
        {
            var url = new Uri(w.Url ?? File.ReadAllText(w.UrlFile!).Trim());
            var name = w.Name ?? "webhook-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(url.AbsoluteUri)))[..10];
            var format = w.Format switch
            {
                "slack" => AlertFormat.Slack,
                "telegram" => AlertFormat.Telegram,
                _ => AlertFormat.Json,
            };
            return new WebhookSettings(name, url, format, w.ChatId);
        }).ToList();
        return new AlertSettings(
            webhooks,
            FailoverConfigurationValidator.Duration(raw.MaxAge, "MaxAge", AlertSettings.DefaultMaxAge, ignored),
            FailoverConfigurationValidator.Duration(raw.Timeout, "Timeout", AlertSettings.DefaultTimeout, ignored));
    }

    /// <summary>
    /// Keys under the section that no property of <see cref="FailoverConfiguration"/> takes, and values written where a
    /// section or a list belongs (the binder would drop either silently): one problem each.
    /// </summary>
    private static IEnumerable<string> UnknownKeys(IConfigurationSection section) => UnknownKeys(section, typeof(FailoverConfiguration));

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimmedPropertiesKept)]
    private static IEnumerable<string> UnknownKeys(IConfigurationSection section, Type type)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                yield return Unknown(child);
                continue;
            }

            foreach (var problem in ShapeProblems(child, property.PropertyType))
            {
                yield return problem;
            }
        }
    }

    /// <summary>What is wrong with the keys at and below a section that binds to a property of <paramref name="type"/>.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = TrimmedPropertiesKept)]
    private static IEnumerable<string> ShapeProblems(IConfigurationSection section, Type type)
    {
        if (type == typeof(string))
        {
            // A value takes no keys below it.
            return section.GetChildren().Select(Unknown);
        }

        var list = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>);
        var problems = new List<string>();
        if (!string.IsNullOrEmpty(section.Value))
        {
            // The value is not repeated: it may be a secret written at the wrong level (e.g. "Api": "<token>").
            problems.Add($"{section.Path} must be {(list ? "a list" : "a section of settings")}, not a value.");
        }

        problems.AddRange(list
            ? section.GetChildren().SelectMany(item => ShapeProblems(item, type.GetGenericArguments()[0]))
            : UnknownKeys(section, type));
        return problems;
    }

    /// <summary>
    /// Why the walk over the configuration types' properties survives trimming: the source-generated binder
    /// (EnableConfigurationBindingGenerator) sets every property of every type below <see cref="FailoverConfiguration"/>,
    /// so the trimmer keeps them all; the published binary's test checks a configuration that sets every section.
    /// </summary>
    private const string TrimmedPropertiesKept = "Every property below FailoverConfiguration is bound by generated code, so trimming keeps it.";

    private static string Unknown(IConfigurationSection key) => $"{key.Path} is not a setting Failover knows (a typo?).";
}
