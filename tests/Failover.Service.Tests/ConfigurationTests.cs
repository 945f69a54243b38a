using System.Text;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Service.Configuration;
using Failover.Simulator;
using Microsoft.Extensions.Configuration;
using Failover.EventStore;

namespace Failover.Service.Tests;

/// <summary>
/// The <c>Failover</c> section as operators write it, read by <see cref="FailoverSettingsLoader"/>: a valid section
/// becomes the expected settings; an invalid one lists every problem at once (and no settings, no warnings); each rule
/// is pinned alone so that breaking one rule fails its own row. The consensus rule (a Savanna data center needs a
/// FinalizerKey) is static: <c>Chain:Consensus</c> defaults to savanna, nothing asks the chain at start-up.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConfigurationTests : IDisposable
{
    private const string Seed = "configuration-tests";
    private static readonly string Dc1Key = SeedDerivation.PrivateKey(Seed, "dc1").PublicKey.ToString();
    private static readonly string Dc2Key = SeedDerivation.PrivateKey(Seed, "dc2").PublicKey.ToString();
    private static readonly string Dc3Key = SeedDerivation.PrivateKey(Seed, "dc3").PublicKey.ToString();
    private static readonly string Dc1Finalizer = SeedDerivation.FinalizerKey(Seed, "dc1/finalizer");
    private static readonly string Dc2Finalizer = SeedDerivation.FinalizerKey(Seed, "dc2/finalizer");
    private static readonly string ChainId = SeedDerivation.ChainId(Seed).ToString();
    private static readonly string UnsetVariable = "FAILOVER_TEST_UNSET_" + Guid.NewGuid().ToString("N");

    /// <summary>A variable of this process holding a signing key (its name is unique to this class).</summary>
    private const string KeyVariable = "FAILOVER_TEST_CONFIGURATION_SIGNING_KEY";

    /// <summary>A key no data center signs with: a backup node's, in dc2's authority.</summary>
    private static readonly string BackupKey = SeedDerivation.PrivateKey(Seed, "dc2-backup").PublicKey.ToString();

    /// <summary>dc2 declares an authority: its key and a backup node's, each of weight 1, threshold 1.</summary>
    private static readonly string[] Dc2Authority =
    [
        "Failover:DataCenters:1:SigningAuthority:Threshold=1",
        "Failover:DataCenters:1:SigningAuthority:Keys:0:Key=" + Dc2Key,
        "Failover:DataCenters:1:SigningAuthority:Keys:0:Weight=1",
        "Failover:DataCenters:1:SigningAuthority:Keys:1:Key=" + BackupKey,
        "Failover:DataCenters:1:SigningAuthority:Keys:1:Weight=1",
    ];

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-config-");

    public ConfigurationTests()
    {
        Environment.SetEnvironmentVariable(KeyVariable, SeedDerivation.PrivateKey(Seed, "signer").ExportPvtK1());
        WriteFile("owner-only.key", SeedDerivation.PrivateKey(Seed, "signer").ExportPvtK1(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteFile("not-a-key.key", "PVT_K1_not a key at all", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteFile("world-readable.key", "not read: its mode is refused first", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        WriteFile("group-writable.key", "not read: its mode is refused first", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);
        WriteFile("short-token.key", "0123456789abcde\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.CreateSymbolicLink(Path.Combine(_directory.FullName, "linked.key"), OwnerOnlyFile);
    }

    private string OwnerOnlyFile => Path.Combine(_directory.FullName, "owner-only.key");

    [Fact]
    public void A_valid_configuration_written_as_in_the_readme_loads_into_the_expected_settings()
    {
        var json = $$"""
            { "Failover": {
                "ObserverId": "obs-1",
                "Store": "sqlite:./data/failover.db",
                "Chain": { "Id": "{{ChainId}}", "Consensus": "savanna",
                           "Endpoints": ["http://node-a:8888", "http://node-b:8888/some/path", "https://node-c"] },
                "Producer": "failover.bp",
                "DataCenters": [ { "Name": "dc2", "Priority": 2, "SigningKey": "{{Dc2Key}}", "FinalizerKey": "{{Dc2Finalizer}}" },
                                 { "Name": "dc1", "Priority": 1, "SigningKey": "{{Dc1Key}}", "FinalizerKey": "{{Dc1Finalizer}}",
                                   "Endpoint": "http://dc1-node:8888" } ],
                "Signer": { "Permission": "failover", "KeyFile": "{{OwnerOnlyFile}}" },
                "Policy": { "MissedBlocksThreshold": 6, "MinParticipation": 0.85, "MaxHeadAge": "00:00:04", "MaxLibStall": "00:00:20",
                            "Cooldown": "00:30:00", "MaxRotationsPer24h": 3, "MaxStandbyHeadAge": "00:00:07", "FinalizerSilence": "00:00:05",
                            "Degraded": "10/48" },
                "Observer": { "PollInterval": "00:00:00.25", "SampleInterval": "00:00:05", "StaleAfter": "00:00:30",
                              "RequestTimeout": "00:00:01", "BackfillConcurrency": 8, "BatchSize": 500, "FromBlock": 12345678 },
                "Api": { "Token": "0123456789abcdef-token", "ProtectReads": true, "MaxStreams": 64 },
                "Alerts": { "Webhooks": [ { "Name": "ops", "Url": "https://hooks.example/T0/B0/secret", "Format": "slack" } ],
                            "MaxAge": "02:00:00", "Timeout": "00:00:05" },
                "DryRun": false } }
            """;

        var result = FailoverSettingsLoader.Load(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build());

        Assert.Empty(result.Problems);
        Assert.Empty(result.Warnings);
        var settings = Assert.IsType<FailoverSettings>(result.Settings);
        Assert.Equal("obs-1", settings.ObserverId);
        Assert.Equal(new StoreLocation(StoreKind.Sqlite, "./data/failover.db"), settings.Store);
        Assert.Equal(ChainId, settings.ChainId?.ToString());
        Assert.Equal([new Uri("http://node-a:8888"), new Uri("http://node-b:8888/some/path"), new Uri("https://node-c")], settings.Endpoints);
        Assert.Equal(ConsensusKind.Savanna, settings.Consensus);
        Assert.Equal("failover.bp", settings.Producer.ToString());
        // Ordered by priority, whatever the order written.
        Assert.Equal(
            [new DataCenter("dc1", 1, PublicKey.Parse(Dc1Key), Dc1Finalizer, new Uri("http://dc1-node:8888")), new DataCenter("dc2", 2, PublicKey.Parse(Dc2Key), Dc2Finalizer, null)],
            settings.DataCenters);
        Assert.Equal(new SignerSettings(Name.Parse("failover"), OwnerOnlyFile, null), settings.Signer);
        Assert.Equal(
            new FailoverPolicy
            {
                MissedBlocksThreshold = 6, MinParticipation = 0.85, MaxHeadAge = TimeSpan.FromSeconds(4), MaxLibStall = TimeSpan.FromSeconds(20),
                Cooldown = TimeSpan.FromMinutes(30), MaxRotationsPer24h = 3, MaxStandbyHeadAge = TimeSpan.FromSeconds(7),
                FinalizerSilence = TimeSpan.FromSeconds(5), Degraded = new DegradedRule(10, 48),
            },
            settings.Policy);
        Assert.Equal(
            new ObserverSettings(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), 8, 500, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 12345678),
            settings.Observer);
        Assert.Equal(new ApiSettings("0123456789abcdef-token", null, true) { MaxStreams = 64 }, settings.Api);
        Assert.False(settings.DryRun);
        var webhook = Assert.Single(settings.Alerts.Webhooks);
        Assert.Equal(new WebhookSettings("ops", new Uri("https://hooks.example/T0/B0/secret"), AlertFormat.Slack, null), webhook);
        Assert.Equal((TimeSpan.FromHours(2), TimeSpan.FromSeconds(5)), (settings.Alerts.MaxAge, settings.Alerts.Timeout));
    }

    [Fact]
    public void A_declared_signing_authority_loads_with_its_keys_in_the_canonical_form_and_the_others_register_their_key_alone()
    {
        var result = Load(Valid(), [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:1:Key=" + LegacyForm(BackupKey), "Failover:DataCenters:1:SigningAuthority:Keys:1:Weight=3"]);

        Assert.True(result.Problems.Count == 0, string.Join(" | ", result.Problems));
        var dataCenters = result.Settings!.DataCenters;
        Assert.Null(dataCenters.Single(d => d.Name == "dc1").SigningAuthority);
        Assert.Equal(new SigningAuthority(1, [new(Dc2Key, 1), new(BackupKey, 3)]), dataCenters.Single(d => d.Name == "dc2").SigningAuthority);
        Assert.Equal(new SigningAuthority(1, [new(Dc2Key, 1), new(BackupKey, 3)]), dataCenters.Single(d => d.Name == "dc2").ToConfig().SigningAuthority);
    }

    [Fact]
    public void What_a_minimal_configuration_leaves_out_takes_the_documented_defaults()
    {
        var result = Load(Valid(), "-Failover:Chain:Id", "-Failover:Policy:MissedBlocksThreshold", "-Failover:Policy:MinParticipation", "-Failover:DryRun");

        var settings = Assert.IsType<FailoverSettings>(result.Settings);
        Assert.Null(settings.ChainId);
        Assert.Equal(ConsensusKind.Savanna, settings.Consensus);
        // Early detection is on unless turned off; a recorded policy without it (FailoverPolicy's own default) is off.
        Assert.Equal(new FailoverPolicy { FinalizerSilence = TimeSpan.FromSeconds(3), Degraded = new DegradedRule(12, 36) }, settings.Policy);
        Assert.Equal(FailoverPolicy.ServiceDefault, settings.Policy);
        Assert.Equal((12, 0.8), (settings.Policy.MissedBlocksThreshold, settings.Policy.MinParticipation));
        Assert.Null(Load(Valid(), "Failover:Policy:FinalizerSilence=off").Settings!.Policy.FinalizerSilence);
        Assert.Null(Load(Valid(), "Failover:Policy:Degraded=OFF").Settings!.Policy.Degraded);
        Assert.Null(settings.Policy.NodeSilence); // legacy early detection from the data centers' nodes is off unless configured
        Assert.Equal(TimeSpan.FromSeconds(18), Load(Valid(), "Failover:Policy:NodeSilence=00:00:18").Settings!.Policy.NodeSilence);
        Assert.Equal(ObserverSettings.Default, settings.Observer);
        Assert.Null(settings.Observer.FromBlock);
        Assert.Equal(new ApiSettings(null, null, false), settings.Api);
        Assert.Equal(ApiSettings.DefaultMaxStreams, settings.Api.MaxStreams);
        Assert.Empty(settings.Alerts.Webhooks);
        Assert.Equal((AlertSettings.DefaultMaxAge, AlertSettings.DefaultTimeout), (settings.Alerts.MaxAge, settings.Alerts.Timeout));
        Assert.False(settings.DryRun);
    }

    [Fact]
    public void Empty_sections_and_lists_in_json_read_as_absent()
    {
        var json = $$"""
            { "Failover": {
                "ObserverId": "obs-1", "Store": "sqlite:x.db", "Producer": "failover.bp",
                "Chain": { "Endpoints": ["http://a:8888", "http://b:8888", "http://c:8888"] },
                "DataCenters": [ { "Name": "dc1", "Priority": 1, "SigningKey": "{{Dc1Key}}", "FinalizerKey": "{{Dc1Finalizer}}" },
                                 { "Name": "dc2", "Priority": 2, "SigningKey": "{{Dc2Key}}", "FinalizerKey": "{{Dc2Finalizer}}" } ],
                "Signer": { "Permission": "failover", "KeyFile": "{{OwnerOnlyFile}}" },
                "Policy": {}, "Observer": {}, "Api": {}, "Alerts": { "Webhooks": [] } } }
            """;

        var result = FailoverSettingsLoader.Load(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build());

        Assert.Empty(result.Problems);
        Assert.Equal(FailoverPolicy.ServiceDefault, result.Settings!.Policy);
        Assert.Equal(ObserverSettings.Default, result.Settings.Observer);
        Assert.Empty(result.Settings.Alerts.Webhooks);
    }

    [Fact]
    public void Keys_are_read_in_any_case_as_environment_variables_write_them()
    {
        // FAILOVER__Policy__MinParticipation=0.85 reaches the configuration as FAILOVER:Policy:MinParticipation.
        var values = Valid();
        values.Remove("Failover:Policy:MinParticipation");
        values["FAILOVER:POLICY:MINPARTICIPATION"] = "0.85";

        var result = Load(values);

        Assert.Empty(result.Problems);
        Assert.Equal(0.85, result.Settings!.Policy.MinParticipation);
    }

    [Fact]
    public void A_configuration_with_many_problems_lists_every_one_of_them_and_yields_no_settings()
    {
        var result = Load(
            Valid(),
            "Failover:ObserverId=obs 1",
            "Failover:Store=mysql:Server=db;Password=hunter2",
            "Failover:Chain:Id=abc",
            "Failover:Chain:Endpoints:1=node-b:8888",
            "Failover:Chain:Endpoints:2=http://node-a:8888",
            "Failover:Producer=Failover.BP",
            "Failover:DataCenters:0:SigningKey=PUB_K1_notakey",
            "-Failover:DataCenters:0:FinalizerKey",
            "Failover:DataCenters:1:Name=dc1",
            "Failover:DataCenters:1:Priority=1",
            "Failover:DataCenters:1:FinalizerKey=PUB_BLS_short",
            "Failover:DataCenters:1:Endpoint=ftp://dc2-node",
            "Failover:Signer:KeyFile={dir}/world-readable.key",
            "Failover:Policy:MinParticipation=1.5",
            "Failover:Policy:MissedBlocksThreshold=0",
            "Failover:Policy:MisedBlocksThreshold=12",
            "Failover:Observer:FromBlock=1",
            "Failover:DryRun=yes",
            "Failover:Api:Token=short");

        Assert.Null(result.Settings);
        Assert.Empty(result.Warnings);
        string[] expected =
        [
            "Failover:Policy:MisedBlocksThreshold is not a setting Failover knows (a typo?).",
            "Failover:ObserverId must be 1–64 letters, digits, '-', '_' or '.' (e.g. obs-1), got 'obs 1'.",
            "Failover:Store 'mysql:Server=db;Password=***' is neither sqlite:PATH nor postgres:CONNECTION STRING.",
            "Failover:Chain:Id must be the chain id as 64 hex digits when given.",
            "Failover:Chain:Endpoints:1 must be an absolute http:// or https:// URL (it may carry a path, e.g. http://127.0.0.1:8888/node/api2), got 'node-b:8888'.",
            "Failover:Chain:Endpoints lists the same URL twice.",
            "Failover:Producer must be the producer account: " + NameError("Failover.BP"),
            "Failover:DataCenters:0:SigningKey must be a public key (PUB_K1_… or EOS…): " + KeyError("PUB_K1_notakey"),
            "Failover:DataCenters:0:FinalizerKey is required on a Savanna chain: a producing node pauses without its finalizer's votes, so a rotation must activate the standby's finalizer key (actfinkey) too.",
            "Failover:DataCenters:1:FinalizerKey must be a BLS public key (PUB_BLS_…): " + BlsPublicKey.Validate("PUB_BLS_short") + ", got 'PUB_BLS_short'.",
            "Failover:DataCenters:1:Endpoint must be an absolute http:// or https:// URL (it may carry a path, e.g. http://127.0.0.1:8888/node/api2), got 'ftp://dc2-node'.",
            "Failover:DataCenters names 'dc1' more than once.",
            "Failover:DataCenters gives priority 1 to more than one data center; priorities decide the target, so they must differ.",
            $"Failover:Signer:KeyFile '{_directory.FullName}/world-readable.key' is readable or writable by its group or others (mode 644); chmod 400 it.",
            "Failover:Policy: MissedBlocksThreshold must be at least 1, got 0.",
            "Failover:Policy: MinParticipation must be at least 0 and below 1, got 1.5.",
            "Failover:DryRun must be true or false, got 'yes'.",
            "Failover:Observer: FromBlock must be a block number after the genesis block (2 or more), got '1'.",
            "Failover:Api:Token must be at least 16 characters.",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), result.Problems.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(result.Problems, p => p.Contains("hunter2", StringComparison.Ordinal));
    }

    /// <summary>One rule each: the valid configuration with the changes of the row has exactly that one problem.</summary>
    public static TheoryData<string, string[], string> OneProblemEach => new()
    {
        { "unknown top-level key", ["Failover:Sotre=sqlite:x.db"], "Failover:Sotre is not a setting Failover knows (a typo?)." },
        { "unknown policy key", ["Failover:Policy:MisedBlocksThreshold=12"], "Failover:Policy:MisedBlocksThreshold is not a setting Failover knows (a typo?)." },
        { "unknown data center key", ["Failover:DataCenters:1:Key=x"], "Failover:DataCenters:1:Key is not a setting Failover knows (a typo?)." },
        { "unknown webhook key", ["Failover:Alerts:Webhooks:0:Url=https://hooks.example/x", "Failover:Alerts:Webhooks:0:Channel=x"], "Failover:Alerts:Webhooks:0:Channel is not a setting Failover knows (a typo?)." },
        { "a value where a section belongs", ["Failover:Policy=strict"], "Failover:Policy must be a section of settings, not a value." },
        { "a secret where a section belongs, never shown", ["Failover:Api=0123456789abcdef-secret"], "Failover:Api must be a section of settings, not a value." },
        { "a value where a list belongs", ["Failover:Chain:Endpoints=http://node-d:8888"], "Failover:Chain:Endpoints must be a list, not a value." },
        { "keys below a value", ["Failover:DryRun:Enabled=true"], "Failover:DryRun:Enabled is not a setting Failover knows (a typo?)." },
        { "keys below a list item", ["Failover:Chain:Endpoints:0:Url=http://node-d:8888"], "Failover:Chain:Endpoints:0:Url is not a setting Failover knows (a typo?)." },
        { "observer id missing", ["-Failover:ObserverId"], "Failover:ObserverId must be 1–64 letters, digits, '-', '_' or '.' (e.g. obs-1), got ''." },
        { "observer id with a space", ["Failover:ObserverId=obs 1"], "Failover:ObserverId must be 1–64 letters, digits, '-', '_' or '.' (e.g. obs-1), got 'obs 1'." },
        { "observer id of 65 characters", ["Failover:ObserverId=" + new string('o', 65)], $"Failover:ObserverId must be 1–64 letters, digits, '-', '_' or '.' (e.g. obs-1), got '{new string('o', 65)}'." },
        { "store missing", ["-Failover:Store"], "Failover:Store is empty; give sqlite:PATH or postgres:CONNECTION STRING." },
        { "store scheme unknown", ["Failover:Store=mysql:Host=db"], "Failover:Store 'mysql:Host=db' is neither sqlite:PATH nor postgres:CONNECTION STRING." },
        { "store without a path", ["Failover:Store=sqlite:"], "Failover:Store 'sqlite:' is neither sqlite:PATH nor postgres:CONNECTION STRING." },
        { "store password never shown", ["Failover:Store=Host=db;Password=hunter2"], "Failover:Store 'Host=db;Password=***' is neither sqlite:PATH nor postgres:CONNECTION STRING." },
        { "chain id not 64 hex", ["Failover:Chain:Id=" + new string('g', 64)], "Failover:Chain:Id must be the chain id as 64 hex digits when given." },
        { "chain id too short", ["Failover:Chain:Id=" + new string('a', 63)], "Failover:Chain:Id must be the chain id as 64 hex digits when given." },
        { "consensus unknown", ["Failover:Chain:Consensus=pow"], "Failover:Chain:Consensus must be savanna or legacy, got 'pow'." },
        { "no endpoints", ["-Failover:Chain:Endpoints:0", "-Failover:Chain:Endpoints:1", "-Failover:Chain:Endpoints:2"], "Failover:Chain:Endpoints must list at least one chain API URL (e.g. http://127.0.0.1:8888)." },
        { "endpoint not http", ["Failover:Chain:Endpoints:1=ftp://node-b"], "Failover:Chain:Endpoints:1 must be an absolute http:// or https:// URL (it may carry a path, e.g. http://127.0.0.1:8888/node/api2), got 'ftp://node-b'." },
        { "endpoint relative", ["Failover:Chain:Endpoints:2=/v1/chain"], "Failover:Chain:Endpoints:2 must be an absolute http:// or https:// URL (it may carry a path, e.g. http://127.0.0.1:8888/node/api2), got '/v1/chain'." },
        { "endpoint with a query", ["Failover:Chain:Endpoints:1=http://node-b:8888/?x=1"], "Failover:Chain:Endpoints:1 must not carry a query, fragment or credentials, got 'http://node-b:8888/?x=1'." },
        { "endpoint with credentials", ["Failover:Chain:Endpoints:0=http://user:pw@node-a:8888"], "Failover:Chain:Endpoints:0 must not carry a query, fragment or credentials, got 'http://user:pw@node-a:8888'." },
        { "endpoint listed twice", ["Failover:Chain:Endpoints:2=HTTP://NODE-A:8888"], "Failover:Chain:Endpoints lists the same URL twice." },
        { "endpoint listed twice, once with a slash", ["Failover:Chain:Endpoints:2=http://node-a:8888/"], "Failover:Chain:Endpoints lists the same URL twice." },
        { "endpoint listed twice, once with the default port", ["Failover:Chain:Endpoints:1=http://node-x", "Failover:Chain:Endpoints:2=http://node-x:80/"], "Failover:Chain:Endpoints lists the same URL twice." },
        { "producer not a name", ["Failover:Producer=Failover.BP"], "Failover:Producer must be the producer account: " + NameError("Failover.BP") },
        { "producer missing", ["-Failover:Producer"], "Failover:Producer must be the producer account: " + NameError(null) },
        { "one data center", ["-Failover:DataCenters:1:Name", "-Failover:DataCenters:1:Priority", "-Failover:DataCenters:1:SigningKey", "-Failover:DataCenters:1:FinalizerKey"], "Failover:DataCenters must list at least two data centers: failing over needs somewhere to go." },
        { "data center without a name", ["-Failover:DataCenters:1:Name"], "Failover:DataCenters:1:Name must name the data center (e.g. dc1)." },
        { "priority not a number", ["Failover:DataCenters:1:Priority=first"], "Failover:DataCenters:1:Priority must be a whole number (1 = first choice), got 'first'." },
        { "signing key malformed", ["Failover:DataCenters:1:SigningKey=PUB_K1_notakey"], "Failover:DataCenters:1:SigningKey must be a public key (PUB_K1_… or EOS…): " + KeyError("PUB_K1_notakey") },
        { "signing key missing", ["-Failover:DataCenters:0:SigningKey"], "Failover:DataCenters:0:SigningKey must be a public key (PUB_K1_… or EOS…): " + KeyError(null) },
        { "finalizer key missing on savanna (the default)", ["-Failover:DataCenters:1:FinalizerKey"], FinalizerRequired(1) },
        { "finalizer key missing on savanna (written)", ["Failover:Chain:Consensus=savanna", "-Failover:DataCenters:0:FinalizerKey"], FinalizerRequired(0) },
        { "finalizer key malformed", ["Failover:DataCenters:1:FinalizerKey=PUB_BLS_short"], "Failover:DataCenters:1:FinalizerKey must be a BLS public key (PUB_BLS_…): " + BlsPublicKey.Validate("PUB_BLS_short") + ", got 'PUB_BLS_short'." },
        { "finalizer key malformed on legacy", ["Failover:Chain:Consensus=legacy", "Failover:DataCenters:0:FinalizerKey=" + Dc2Key], "Failover:DataCenters:0:FinalizerKey must be a BLS public key (PUB_BLS_…): " + BlsPublicKey.Validate(Dc2Key) + $", got '{Dc2Key}'." },
        { "data center endpoint malformed", ["Failover:DataCenters:0:Endpoint=dc1-node:8888"], "Failover:DataCenters:0:Endpoint must be an absolute http:// or https:// URL (it may carry a path, e.g. http://127.0.0.1:8888/node/api2), got 'dc1-node:8888'." },
        { "data center names repeated", ["Failover:DataCenters:1:Name=dc1"], "Failover:DataCenters names 'dc1' more than once." },
        { "priorities repeated", ["Failover:DataCenters:1:Priority=1"], "Failover:DataCenters gives priority 1 to more than one data center; priorities decide the target, so they must differ." },
        { "priorities repeated, written differently", ["Failover:DataCenters:1:Priority=01"], "Failover:DataCenters gives priority 1 to more than one data center; priorities decide the target, so they must differ." },
        { "signing keys repeated", ["Failover:DataCenters:1:SigningKey=" + Dc1Key], "Failover:DataCenters gives the same signing key to two data centers; each must sign with its own key." },
        { "finalizer keys repeated", ["Failover:DataCenters:1:FinalizerKey=" + Dc1Finalizer], "Failover:DataCenters gives the same finalizer key to two data centers; each votes with its own key." },
        { "permission not a name", ["Failover:Signer:Permission=Failover"], "Failover:Signer:Permission must be the permission that signs the rotation (e.g. failover): " + NameError("Failover") },
        { "no signing key source", ["-Failover:Signer:KeyFile"], "Failover:Signer needs KeyFile (a file readable by its owner only) or KeyEnvironmentVariable, unless DryRun is true." },
        { "two signing key sources", ["Failover:Signer:KeyEnvironmentVariable=PATH"], "Failover:Signer gives both KeyFile and KeyEnvironmentVariable; give one." },
        { "key file missing", ["Failover:Signer:KeyFile={dir}/missing.key"], "Failover:Signer:KeyFile '{dir}/missing.key' does not exist." },
        { "key file world-readable", ["Failover:Signer:KeyFile={dir}/world-readable.key"], "Failover:Signer:KeyFile '{dir}/world-readable.key' is readable or writable by its group or others (mode 644); chmod 400 it." },
        { "key file group-writable", ["Failover:Signer:KeyFile={dir}/group-writable.key"], "Failover:Signer:KeyFile '{dir}/group-writable.key' is readable or writable by its group or others (mode 620); chmod 400 it." },
        { "key file not a key", ["Failover:Signer:KeyFile={dir}/not-a-key.key"], "Failover:Signer: the signing key in {dir}/not-a-key.key is not a private key (WIF or PVT_K1_…)." },
        { "key variable not a key", ["-Failover:Signer:KeyFile", "Failover:Signer:KeyEnvironmentVariable=HOME"], "Failover:Signer: the signing key in $HOME is not a private key (WIF or PVT_K1_…)." },
        { "key variable not set", ["-Failover:Signer:KeyFile", "Failover:Signer:KeyEnvironmentVariable=" + UnsetVariable], $"Failover:Signer:KeyEnvironmentVariable names '{UnsetVariable}', which is not set." },
        { "missed blocks threshold 0", ["Failover:Policy:MissedBlocksThreshold=0"], "Failover:Policy: MissedBlocksThreshold must be at least 1, got 0." },
        { "missed blocks threshold above the kept run start", ["Failover:Policy:MissedBlocksThreshold=257"], "Failover:Policy: MissedBlocksThreshold must be at most 256 (the start of a run of misses the observer keeps), got 257." },
        { "missed blocks threshold not whole", ["Failover:Policy:MissedBlocksThreshold=12.5"], "Failover:Policy: MissedBlocksThreshold must be a whole number, got '12.5'." },
        { "min participation 1", ["Failover:Policy:MinParticipation=1"], "Failover:Policy: MinParticipation must be at least 0 and below 1, got 1." },
        { "min participation negative", ["Failover:Policy:MinParticipation=-0.1"], "Failover:Policy: MinParticipation must be at least 0 and below 1, got -0.1." },
        { "min participation not a number", ["Failover:Policy:MinParticipation=80%"], "Failover:Policy: MinParticipation must be a number (e.g. 0.8), got '80%'." },
        { "min participation NaN", ["Failover:Policy:MinParticipation=NaN"], "Failover:Policy: MinParticipation must be a number (e.g. 0.8), got 'NaN'." },
        { "max head age not a duration", ["Failover:Policy:MaxHeadAge=3s"], "Failover:Policy: MaxHeadAge must be a duration as hh:mm:ss[.fff] (e.g. 00:00:03), got '3s'." },
        { "max head age zero", ["Failover:Policy:MaxHeadAge=00:00:00"], "Failover:Policy: MaxHeadAge must be positive, got 00:00:00." },
        { "max lib stall zero", ["Failover:Policy:MaxLibStall=00:00:00"], "Failover:Policy: MaxLibStall must be positive, got 00:00:00." },
        { "max standby head age zero", ["Failover:Policy:MaxStandbyHeadAge=00:00:00"], "Failover:Policy: MaxStandbyHeadAge must be positive, got 00:00:00." },
        { "finalizer silence zero", ["Failover:Policy:FinalizerSilence=00:00:00"], "Failover:Policy: FinalizerSilence must be positive (or off), got 00:00:00." },
        { "finalizer silence not a duration", ["Failover:Policy:FinalizerSilence=no"], "Failover:Policy: FinalizerSilence must be a duration as hh:mm:ss[.fff] (e.g. 00:00:03), got 'no'." },
        { "degraded not a fraction", ["Failover:Policy:Degraded=12"], "Failover:Policy: Degraded must be MISSED/SLOTS (e.g. 12/36: 12 of our last 36 slots missed) or off, got '12'." },
        { "degraded over one window", ["Failover:Policy:Degraded=6/12"], "Failover:Policy: Degraded must be MISSED/SLOTS with SLOTS 24 to 120 (two to ten of our windows) and MISSED 1 to SLOTS, got 6/12." },
        { "node silence zero", ["Failover:Policy:NodeSilence=00:00:00"], "Failover:Policy: NodeSilence must be positive (or off), got 00:00:00." },
        { "node silence not a duration", ["Failover:Policy:NodeSilence=18s"], "Failover:Policy: NodeSilence must be a duration as hh:mm:ss[.fff] (e.g. 00:00:03), got '18s'." },
        { "cooldown negative", ["Failover:Policy:Cooldown=-00:00:01"], "Failover:Policy: Cooldown must not be negative, got -00:00:01." },
        { "max rotations 0", ["Failover:Policy:MaxRotationsPer24h=0"], "Failover:Policy: MaxRotationsPer24h must be at least 1, got 0." },
        { "dry run not a boolean", ["Failover:DryRun=yes"], "Failover:DryRun must be true or false, got 'yes'." },
        { "from block 1 (genesis)", ["Failover:Observer:FromBlock=1"], "Failover:Observer: FromBlock must be a block number after the genesis block (2 or more), got '1'." },
        { "from block signed", ["Failover:Observer:FromBlock=+5"], "Failover:Observer: FromBlock must be a block number after the genesis block (2 or more), got '+5'." },
        { "poll interval zero", ["Failover:Observer:PollInterval=00:00:00"], "Failover:Observer: PollInterval, SampleInterval, RequestTimeout and StaleAfter must be positive." },
        { "stale after negative", ["Failover:Observer:StaleAfter=-00:00:01"], "Failover:Observer: PollInterval, SampleInterval, RequestTimeout and StaleAfter must be positive." },
        { "request timeout not a duration", ["Failover:Observer:RequestTimeout=2s"], "Failover:Observer: RequestTimeout must be a duration as hh:mm:ss[.fff] (e.g. 00:00:03), got '2s'." },
        { "backfill concurrency 257", ["Failover:Observer:BackfillConcurrency=257"], "Failover:Observer: BackfillConcurrency must be 1–256 and BatchSize 1–100000." },
        { "batch size 0", ["Failover:Observer:BatchSize=0"], "Failover:Observer: BackfillConcurrency must be 1–256 and BatchSize 1–100000." },
        { "batch size not whole", ["Failover:Observer:BatchSize=lots"], "Failover:Observer: BatchSize must be a whole number, got 'lots'." },
        { "api token short", ["Failover:Api:Token=0123456789abcde"], "Failover:Api:Token must be at least 16 characters." },
        { "api token and token file", ["Failover:Api:Token=0123456789abcdef", "Failover:Api:TokenFile={dir}/owner-only.key"], "Failover:Api gives both Token and TokenFile; give one." },
        { "finalizer private key pasted, never shown", ["Failover:DataCenters:1:FinalizerKey=PVT_BLS_9xq0tsecretsecretsecret"], "Failover:DataCenters:1:FinalizerKey is a private key (PVT_…, not shown): give the finalizer's public key (PUB_BLS_…), and keep the private one on the node only." },
        { "max streams zero", ["Failover:Api:MaxStreams=0"], "Failover:Api:MaxStreams must be a whole number from 1 to 10000, got '0'." },
        { "max streams not a number", ["Failover:Api:MaxStreams=many"], "Failover:Api:MaxStreams must be a whole number from 1 to 10000, got 'many'." },
        { "api token file too short", ["Failover:Api:TokenFile={dir}/short-token.key"], "Failover:Api:TokenFile holds a token shorter than 16 characters (not shown)." },
        { "api token file a symbolic link", ["Failover:Api:TokenFile={dir}/linked.key"], "Failover:Api:TokenFile '{dir}/linked.key' is a symbolic link (to '{dir}/owner-only.key'); give the file itself." },
        { "signer key file a symbolic link", ["Failover:Signer:KeyFile={dir}/linked.key"], "Failover:Signer:KeyFile '{dir}/linked.key' is a symbolic link (to '{dir}/owner-only.key'); give the file itself." },
        { "api token file world-readable", ["Failover:Api:TokenFile={dir}/world-readable.key"], "Failover:Api:TokenFile '{dir}/world-readable.key' is readable or writable by its group or others (mode 644); chmod 400 it." },
        { "retention keep days zero", ["Failover:Retention:KeepDays=0"], "Failover:Retention:KeepDays '0' must be a whole number of days from 1 to 36500." },
        { "retention protect not a duration", ["Failover:Retention:Protect=10m"], "Failover:Retention:Protect '10m' must be a duration as hh:mm:ss (e.g. 00:10:00), not negative." },
        { "protect reads not a boolean", ["Failover:Api:ProtectReads=1"], "Failover:Api:ProtectReads must be true or false, got '1'." },
        { "protect reads without a token", ["Failover:Api:ProtectReads=true"], "Failover:Api:ProtectReads is true but no token is configured: set Failover:Api:Token or Failover:Api:TokenFile (read routes would answer 403 to everyone), or set ProtectReads to false." },
        { "alert max age zero", ["Failover:Alerts:MaxAge=0"], "Failover:Alerts: MaxAge and Timeout must be positive." },
        { "alert timeout not a duration", ["Failover:Alerts:Timeout=10s"], "Failover:Alerts: Timeout must be a duration as hh:mm:ss[.fff] (e.g. 00:00:03), got '10s'." },
        { "webhook without url", ["Failover:Alerts:Webhooks:0:Format=json"], "Failover:Alerts:Webhooks:0 must give one of Url or UrlFile." },
        { "webhook url and url file", ["Failover:Alerts:Webhooks:0:Url=https://hooks.example/x", "Failover:Alerts:Webhooks:0:UrlFile={dir}/owner-only.key"], "Failover:Alerts:Webhooks:0 must give one of Url or UrlFile." },
        { "webhook url not http, never shown", ["Failover:Alerts:Webhooks:0:Url=ftp://hooks.example/secret"], "Failover:Alerts:Webhooks:0:Url must be an absolute http:// or https:// URL (not shown: it may hold a secret)." },
        { "webhook url with credentials", ["Failover:Alerts:Webhooks:0:Url=https://bot:secret@hooks.example/x"], "Failover:Alerts:Webhooks:0:Url must not carry credentials or a fragment (not shown: it may hold a secret)." },
        { "webhook url file world-readable", ["Failover:Alerts:Webhooks:0:UrlFile={dir}/world-readable.key"], "Failover:Alerts:Webhooks:0:UrlFile '{dir}/world-readable.key' is readable or writable by its group or others (mode 644); chmod 400 it." },
        { "webhook format unknown", ["Failover:Alerts:Webhooks:0:Url=https://hooks.example/x", "Failover:Alerts:Webhooks:0:Format=xml"], "Failover:Alerts:Webhooks:0:Format must be json, slack or telegram, got 'xml'." },
        { "telegram without chat id", ["Failover:Alerts:Webhooks:0:Url=https://api.telegram.org/botX/sendMessage", "Failover:Alerts:Webhooks:0:Format=telegram"], "Failover:Alerts:Webhooks:0:ChatId is required with Format telegram (the chat the bot posts to)." },
        { "webhook name malformed", ["Failover:Alerts:Webhooks:0:Url=https://hooks.example/x", "Failover:Alerts:Webhooks:0:Name=ops team"], "Failover:Alerts:Webhooks:0:Name must be 1–40 letters, digits, '-', '_' or '.', got 'ops team'." },
        {
            "webhook names repeated",
            ["Failover:Alerts:Webhooks:0:Url=https://hooks.example/a", "Failover:Alerts:Webhooks:0:Name=ops", "Failover:Alerts:Webhooks:1:Url=https://hooks.example/b", "Failover:Alerts:Webhooks:1:Name=ops"],
            "Failover:Alerts:Webhooks:1:Name 'ops' is used by another webhook; each has its own delivery cursor."
        },
        { "authority threshold zero", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Threshold=0"], "Failover:DataCenters:1:SigningAuthority:Threshold must be a whole number of at least 1, got '0'." },
        { "authority without keys", ["Failover:DataCenters:1:SigningAuthority:Threshold=1"], "Failover:DataCenters:1:SigningAuthority:Keys must list at least one {Key, Weight}." },
        { "authority key not a key", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:1:Key=EOSnotakey"], "Failover:DataCenters:1:SigningAuthority:Keys:1:Key must be a public key (PUB_K1_… or EOS…): " + KeyError("EOSnotakey") },
        { "authority weight zero", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:1:Weight=0"], "Failover:DataCenters:1:SigningAuthority:Keys:1:Weight must be a whole number from 1 to 65535, got '0'." },
        { "authority weight too large", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:1:Weight=65536"], "Failover:DataCenters:1:SigningAuthority:Keys:1:Weight must be a whole number from 1 to 65535, got '65536'." },
        { "authority key listed twice", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:1:Key=" + LegacyForm(Dc2Key)], "Failover:DataCenters:1:SigningAuthority: The authority lists the same key more than once." },
        { "authority weights below the threshold", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Threshold=3"], "Failover:DataCenters:1:SigningAuthority: The key weights add up to 2, below the threshold 3: the authority could never sign." },
        { "authority the data center's key cannot meet alone", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Threshold=2"], "Failover:DataCenters:1:SigningAuthority must list the data center's SigningKey with a weight of at least the threshold 2: its node signs our blocks with that key alone." },
        { "authority without the data center's key", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:0:Key=" + Dc3Key, "Failover:DataCenters:1:SigningAuthority:Keys:1:Key=" + BackupKey], "Failover:DataCenters:1:SigningAuthority must list the data center's SigningKey with a weight of at least the threshold 1: its node signs our blocks with that key alone." },
        { "authority holding another data center's key", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:1:Key=" + LegacyForm(Dc1Key)], "Failover:DataCenters puts " + Dc1Key + " in the signing authorities of two data centers; each data center's authority must hold only its own keys." },
    };

    [Theory]
    [MemberData(nameof(OneProblemEach))]
    public void Each_rule_alone_reports_its_one_problem(string rule, string[] changes, string problem)
    {
        var result = Load(Valid(), changes);

        Assert.True(result.Settings is null, $"'{rule}' was accepted");
        Assert.Equal([problem.Replace("{dir}", _directory.FullName, StringComparison.Ordinal)], result.Problems);
        Assert.Empty(result.Warnings);
    }

    /// <summary>Values at the edge of each rule that must still be accepted (so a rule cannot be tightened unnoticed).</summary>
    public static TheoryData<string, string[]> AcceptedAtTheEdge => new()
    {
        { "observer id of 64 characters", ["Failover:ObserverId=" + new string('o', 64)] },
        { "observer id with every allowed sign", ["Failover:ObserverId=Obs_1.dc-2"] },
        { "postgres store", ["Failover:Store=postgres:Host=db;Username=failover;Password=x;Database=failover"] },
        { "endpoint with a path", ["Failover:Chain:Endpoints:1=http://node-b:8888/node/api2"] },
        { "legacy consensus without finalizer keys", ["Failover:Chain:Consensus=legacy", "-Failover:DataCenters:0:FinalizerKey", "-Failover:DataCenters:1:FinalizerKey"] },
        { "legacy signing key form", ["Failover:DataCenters:1:SigningKey=" + LegacyForm(Dc2Key)] },
        { "priorities not consecutive", ["Failover:DataCenters:1:Priority=10"] },
        { "key from an environment variable", ["-Failover:Signer:KeyFile", "Failover:Signer:KeyEnvironmentVariable=" + KeyVariable] },
        { "missed blocks threshold 1", ["Failover:Policy:MissedBlocksThreshold=1"] },
        { "missed blocks threshold 256", ["Failover:Policy:MissedBlocksThreshold=256"] },
        { "min participation 0", ["Failover:Policy:MinParticipation=0"] },
        { "min participation just below 1", ["Failover:Policy:MinParticipation=0.999"] },
        { "cooldown zero", ["Failover:Policy:Cooldown=00:00:00"] },
        { "from block 2", ["Failover:Observer:FromBlock=2"] },
        { "backfill concurrency 256 and batch size 100000", ["Failover:Observer:BackfillConcurrency=256", "Failover:Observer:BatchSize=100000"] },
        { "backfill concurrency 1 and batch size 1", ["Failover:Observer:BackfillConcurrency=1", "Failover:Observer:BatchSize=1"] },
        { "max streams 1", ["Failover:Api:MaxStreams=1"] },
        { "max streams 10000", ["Failover:Api:MaxStreams=10000"] },
        { "api token of 16 characters, protecting reads", ["Failover:Api:Token=0123456789abcdef", "Failover:Api:ProtectReads=true"] },
        { "api token file owner-only", ["Failover:Api:TokenFile={dir}/owner-only.key"] },
        { "authority of one key", ["Failover:DataCenters:1:SigningAuthority:Threshold=1", "Failover:DataCenters:1:SigningAuthority:Keys:0:Key=" + Dc2Key, "Failover:DataCenters:1:SigningAuthority:Keys:0:Weight=1"] },
        { "authority whose weights just reach the threshold", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Threshold=2", "Failover:DataCenters:1:SigningAuthority:Keys:0:Weight=2"] },
        { "authority of the largest weight", [.. Dc2Authority, "Failover:DataCenters:1:SigningAuthority:Keys:1:Weight=65535"] },
        { "telegram webhook with chat id", ["Failover:Alerts:Webhooks:0:Url=https://api.telegram.org/botX/sendMessage", "Failover:Alerts:Webhooks:0:Format=telegram", "Failover:Alerts:Webhooks:0:ChatId=-100123"] },
    };

    [Theory]
    [MemberData(nameof(AcceptedAtTheEdge))]
    public void Values_at_the_edge_of_a_rule_are_accepted(string edge, string[] changes)
    {
        var result = Load(Valid(), changes);

        Assert.True(result.Problems.Count == 0, $"'{edge}': {string.Join(" | ", result.Problems)}");
        Assert.NotNull(result.Settings);
    }

    [Fact]
    public void Every_data_center_on_a_savanna_chain_is_refused_without_its_finalizer_key_and_on_a_legacy_chain_none_needs_one()
    {
        var savanna = Load(Valid(), "-Failover:DataCenters:0:FinalizerKey", "-Failover:DataCenters:1:FinalizerKey");
        var legacy = Load(Valid(), "Failover:Chain:Consensus=legacy", "-Failover:DataCenters:0:FinalizerKey", "-Failover:DataCenters:1:FinalizerKey");

        Assert.Equal([FinalizerRequired(0), FinalizerRequired(1)], savanna.Problems);
        Assert.Null(savanna.Settings);
        Assert.Equal(ConsensusKind.Legacy, legacy.Settings!.Consensus);
        Assert.All(legacy.Settings.DataCenters, d => Assert.Null(d.FinalizerKey));
    }

    [Fact]
    public void A_valid_configuration_of_risky_choices_loads_with_a_warning_for_each()
    {
        var result = Load(Valid(), "Failover:Signer:Permission=active", "-Failover:Chain:Endpoints:2", "-Failover:Signer:KeyFile", "Failover:DryRun=true");

        Assert.Empty(result.Problems);
        Assert.NotNull(result.Settings);
        Assert.True(result.Settings.DryRun);
        Assert.Equal(
            [
                "Failover:Signer:Permission is 'active': the service would hold a key that can do anything with failover.bp. Create a dedicated permission (e.g. failover) linked only to eosio::regproducer, regproducer2 and actfinkey.",
                "Failover:Chain:Endpoints lists 2 endpoint(s): a majority of them must agree before a rotation; three or more independent nodes make one faulty node harmless.",
                "Failover:DryRun is true: decisions and transactions are recorded, nothing is sent.",
            ],
            result.Warnings);
    }

    [Theory]
    [InlineData("Failover:Signer:Permission=owner", "Failover:Signer:Permission is 'owner'")]
    [InlineData("-Failover:Chain:Endpoints:2", "Failover:Chain:Endpoints lists 2 endpoint(s)")]
    [InlineData("Failover:DryRun=true", "Failover:DryRun is true")]
    public void Each_risky_choice_alone_warns_once(string change, string warning)
    {
        var result = Load(Valid(), change);

        Assert.Empty(result.Problems);
        Assert.StartsWith(warning, Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_configuration_of_safe_choices_has_no_warnings()
    {
        var result = Load(Valid());

        Assert.Empty(result.Problems);
        Assert.Empty(result.Warnings);
        Assert.NotNull(result.Settings);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>A valid section with three endpoints, two data centers, a dedicated permission and an owner-only key file: no warnings.</summary>
    private Dictionary<string, string?> Valid() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Failover:ObserverId"] = "obs-1",
        ["Failover:Store"] = "sqlite:./data/failover.db",
        ["Failover:Chain:Id"] = ChainId,
        ["Failover:Chain:Endpoints:0"] = "http://node-a:8888",
        ["Failover:Chain:Endpoints:1"] = "http://node-b:8888/some/path",
        ["Failover:Chain:Endpoints:2"] = "http://node-c:8888",
        ["Failover:Producer"] = "failover.bp",
        ["Failover:DataCenters:0:Name"] = "dc1",
        ["Failover:DataCenters:0:Priority"] = "1",
        ["Failover:DataCenters:0:SigningKey"] = Dc1Key,
        ["Failover:DataCenters:0:FinalizerKey"] = Dc1Finalizer,
        ["Failover:DataCenters:0:Endpoint"] = "http://dc1-node:8888",
        ["Failover:DataCenters:1:Name"] = "dc2",
        ["Failover:DataCenters:1:Priority"] = "2",
        ["Failover:DataCenters:1:SigningKey"] = Dc2Key,
        ["Failover:DataCenters:1:FinalizerKey"] = Dc2Finalizer,
        ["Failover:Signer:Permission"] = "failover",
        ["Failover:Signer:KeyFile"] = OwnerOnlyFile,
        ["Failover:Policy:MissedBlocksThreshold"] = "12",
        ["Failover:Policy:MinParticipation"] = "0.8",
        ["Failover:DryRun"] = "false",
    };

    /// <summary>Applies changes <c>KEY=VALUE</c> (set) and <c>-KEY</c> (remove); <c>{dir}</c> is this test's directory.</summary>
    private SettingsResult Load(Dictionary<string, string?> values, params string[] changes)
    {
        foreach (var change in changes.Select(c => c.Replace("{dir}", _directory.FullName, StringComparison.Ordinal)))
        {
            if (change.StartsWith('-'))
            {
                Assert.True(values.Remove(change[1..]), $"{change[1..]} is not in the valid configuration");
            }
            else
            {
                var at = change.IndexOf('=', StringComparison.Ordinal);
                values[change[..at]] = change[(at + 1)..];
            }
        }

        return FailoverSettingsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    private void WriteFile(string name, string content, UnixFileMode mode)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
    }

    private static string FinalizerRequired(int index) =>
        $"Failover:DataCenters:{index}:FinalizerKey is required on a Savanna chain: a producing node pauses without its finalizer's votes, so a rotation must activate the standby's finalizer key (actfinkey) too.";

    private static string NameError(string? text) => Name.TryParse(text, out _, out var error) ? throw new ArgumentException($"'{text}' is a name") : error;

    private static string KeyError(string? text) => PublicKey.TryParse(text, out _, out var error) ? throw new ArgumentException($"'{text}' is a key") : error;

    /// <summary>The same key in its legacy EOS… form.</summary>
    private static string LegacyForm(string key) => PublicKey.Parse(key).ToLegacyString();
}
