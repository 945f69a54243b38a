using System.Text;
using System.Text.Json.Nodes;
using Failover.Antelope;
using Failover.Domain.Decisions;
using Failover.Domain.Events;
using Failover.Domain.Process;
using Failover.Service.Configuration;
using Failover.Service.Hosting;
using Failover.Service.Process;
using Failover.Simulator;
using Failover.Simulator.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Failover.Service.Tests;

/// <summary>
/// The process manager's checks against the simulator: the signing permission (dedicated, linked to the rotation's
/// actions, holding the key; read at start-up and again while running), the signing key (parsed at start-up, never
/// shown), and the configured
/// consensus against the chain's — which, when it differs, holds every rotation back as a recorded suppression.
/// </summary>
public sealed class StartupChecksTests
{
    // ---- a correct setup ----

    [Theory]
    [InlineData(ConsensusMode.Savanna)]
    [InlineData(ConsensusMode.Legacy)]
    public async Task A_dedicated_linked_permission_holding_a_key_that_parses_on_the_configured_consensus_logs_nothing_critical(ConsensusMode mode)
    {
        await using var rig = await ServiceRig.StartAsync(mode);

        await rig.RunForAsync(TimeSpan.FromSeconds(15));

        Assert.Empty(Criticals(rig));
        Assert.Empty(rig.Manager.Blockers);
        Assert.Equal(rig.Settings.Consensus, rig.Manager.ChainConsensusSeen);
        Assert.Equal(HealthStatus.Healthy, (await Readiness(rig)).Status);
        NoPrivateKeyLogged(rig);
    }

    // ---- 1. the signing permission ----

    [Theory]
    [InlineData("active")]
    [InlineData("owner")]
    public async Task Signing_with_active_or_owner_is_logged_at_critical_at_start_up_but_does_not_block(string permission)
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        using var keyFile = new TempKeyFile(PermissionKey(rig, permission).ExportWif());
        rig.Reconfigure(s => s with { Signer = new SignerSettings(Name.Parse(permission), keyFile.Path, null) });

        await rig.StepAsync();

        var critical = Assert.Single(Criticals(rig));
        Assert.StartsWith("SIGNING PERMISSION: ", critical, StringComparison.Ordinal);
        Assert.Contains($"signs with failover.bp@{permission}, a key that can do anything", critical, StringComparison.Ordinal);
        Assert.Empty(rig.Manager.Blockers); // it works; it is only dangerous
        NoPrivateKeyLogged(rig);
    }

    [Fact]
    public async Task A_permission_the_account_does_not_have_is_logged_at_critical_and_blocks()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        rig.Reconfigure(s => s with { Signer = s.Signer with { Permission = Name.Parse("nosuchperm") } });

        await rig.StepAsync();

        var critical = Assert.Single(Criticals(rig));
        Assert.Equal("SIGNING PERMISSION: failover.bp has no permission 'nosuchperm': rotations signed for it will be rejected", critical);
        Assert.Equal(["failover.bp has no permission 'nosuchperm': rotations signed for it will be rejected"], rig.Manager.Blockers);
        var readiness = await Readiness(rig);
        Assert.Equal(HealthStatus.Unhealthy, readiness.Status);
        Assert.Contains("no permission 'nosuchperm'", readiness.Description, StringComparison.Ordinal);
    }

    /// <summary>
    /// The simulator links failover.bp@failover to regproducer, regproducer2 and actfinkey and has no unlinkauth, so the
    /// unlinked permission is the chain's get_account answer with links taken out on the way.
    /// </summary>
    [Theory]
    [InlineData(ConsensusMode.Savanna, "actfinkey", new[] { "actfinkey" })]
    [InlineData(ConsensusMode.Savanna, "regproducer,regproducer2,actfinkey", new[] { "regproducer", "actfinkey" })]
    [InlineData(ConsensusMode.Legacy, "actfinkey", new string[0])]
    [InlineData(ConsensusMode.Legacy, "regproducer,regproducer2,actfinkey", new[] { "regproducer" })]
    public async Task A_permission_not_linked_to_the_rotations_actions_is_logged_at_critical_for_each_missing_action(
        ConsensusMode mode, string unlinked, string[] expected)
    {
        await using var rig = await ServiceRig.StartAsync(mode);
        var removed = unlinked.Split(',');
        var (manager, log) = ManagerSeeing(rig, permission => permission["linked_actions"] = new JsonArray(
            [.. permission["linked_actions"]!.AsArray().Where(l => !removed.Contains((string?)l!["action"])).Select(l => l!.DeepClone())]));

        await rig.SettleAsync();

        Assert.Equal(
            [.. expected.Select(a => $"SIGNING PERMISSION: failover.bp@failover is not linked to eosio::{a}: the rotation will be rejected for missing authority")],
            log.Entries.Where(e => e.Level == LogLevel.Critical).Select(e => e.Message));
        Assert.Equal(expected.Length, manager.Blockers.Count);
    }

    /// <summary>
    /// Issue 15, finding 11: a permission linked to the whole eosio contract satisfies the rotation, but its key can
    /// sign any system action — said at Critical at start-up, like active/owner, without blocking.
    /// </summary>
    [Fact]
    public async Task A_permission_linked_to_the_whole_eosio_contract_is_logged_at_critical_at_start_up_but_does_not_block()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var (manager, log) = ManagerSeeing(rig, permission => permission["linked_actions"] = new JsonArray(new JsonObject { ["account"] = "eosio" }));

        await rig.SettleAsync();

        Assert.Equal(
            ["SIGNING PERMISSION: failover.bp@failover is linked to the whole eosio contract, so its key can sign any system action (vote, stake, buy RAM, …); link it only to eosio::regproducer, regproducer2 and actfinkey"],
            log.Entries.Where(e => e.Level == LogLevel.Critical).Select(e => e.Message));
        Assert.Empty(manager.Blockers);
    }

    /// <summary>
    /// The permission is read again while the service runs: unlinked on chain after start-up, it blocks within
    /// <c>ChainFacts.Refresh</c> (10 minutes), is logged at Critical once however long it lasts, and stops blocking
    /// once linked again.
    /// </summary>
    [Fact]
    public async Task A_permission_unlinked_while_the_service_runs_blocks_within_ten_minutes_is_logged_once_and_clears_when_linked_again()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var unlinked = false;
        var (manager, log) = ManagerSeeing(rig, permission =>
        {
            if (unlinked)
            {
                permission["linked_actions"] = new JsonArray(
                    [.. permission["linked_actions"]!.AsArray().Where(l => (string?)l!["action"] != "actfinkey").Select(l => l!.DeepClone())]);
            }
        });
        await rig.SettleAsync();
        Assert.Empty(manager.Blockers);
        const string problem = "failover.bp@failover is not linked to eosio::actfinkey: the rotation will be rejected for missing authority";

        unlinked = true;
        await rig.RunForAsync(TimeSpan.FromMinutes(9));
        Assert.Empty(manager.Blockers); // read at start-up; not read again yet

        await rig.RunForAsync(TimeSpan.FromMinutes(1.5));
        Assert.Equal([problem], manager.Blockers);

        await rig.RunForAsync(TimeSpan.FromMinutes(21));
        Assert.Equal([problem], manager.Blockers);
        Assert.Equal(["SIGNING PERMISSION: " + problem], log.Entries.Where(e => e.Level == LogLevel.Critical).Select(e => e.Message));

        unlinked = false;
        await rig.RunForAsync(TimeSpan.FromMinutes(10.5));
        Assert.Empty(manager.Blockers);
        Assert.Single(log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("SIGNING PERMISSION: failover.bp@failover is now as the rotation needs it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_permission_no_endpoint_could_read_at_start_up_is_read_at_the_next_sample()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var reachable = false;
        var log = new RecordingLogger();
        var http = new HttpClient(new FailAccountReads(new InProcessChainHandler(rig.Simulator, rig.Clock), () => reachable)) { Timeout = Timeout.InfiniteTimeSpan };
        var manager = rig.Follow(store => new ProcessManager(rig.Settings with { Signer = rig.Settings.Signer with { Permission = Name.Parse("nosuchperm") } }, store, http, rig.ServiceClock, log));

        await rig.SettleAsync();
        Assert.Empty(manager.Blockers); // unknown is not a finding

        reachable = true;
        await rig.RunForAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["failover.bp has no permission 'nosuchperm': rotations signed for it will be rejected"], manager.Blockers);
    }

    [Fact]
    public async Task A_key_file_holding_another_key_than_the_permissions_is_logged_at_critical_naming_only_its_public_key()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var active = PermissionKey(rig, "active");
        using var keyFile = new TempKeyFile(active.ExportPvtK1());
        rig.Reconfigure(s => s with { Signer = s.Signer with { KeyFile = keyFile.Path } });

        await rig.StepAsync();

        var critical = Assert.Single(Criticals(rig));
        Assert.Equal($"SIGNING PERMISSION: the configured signing key ({active.PublicKey}) is not a key of failover.bp@failover: the rotation will be rejected for missing authority", critical);
        Assert.Single(rig.Manager.Blockers);
        NoPrivateKeyLogged(rig);
    }

    [Fact]
    public async Task A_key_that_cannot_satisfy_the_permissions_threshold_alone_is_logged_at_critical()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var (manager, log) = ManagerSeeing(rig, permission => permission["required_auth"]!["threshold"] = 2);

        await rig.SettleAsync();

        var critical = Assert.Single(log.Entries, e => e.Level == LogLevel.Critical).Message;
        Assert.Contains("weighs 1 in failover.bp@failover, whose threshold is 2: it cannot sign the rotation alone", critical, StringComparison.Ordinal);
        Assert.Single(manager.Blockers);
    }

    // ---- 4. the data centers' finalizer keys (Savanna) ----

    /// <summary>
    /// Issue 15, finding 2: the finalizer tables are read again while the service runs. dc2's configured finalizer key
    /// is registered to no one at start-up — a blocker, said at Critical once. Registered to us afterwards (regfinkey),
    /// it stops blocking within <c>ChainFacts.Refresh</c> (10 minutes), which is said at Information.
    /// </summary>
    [Fact]
    public async Task A_standby_finalizer_key_registered_to_us_while_the_service_runs_stops_blocking_within_ten_minutes()
    {
        var spare = SeedDerivation.FinalizerKey("startup-checks", "dc2-spare");
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            History = TimeSpan.Zero,
            Configure = s => s with { DataCenters = [.. s.DataCenters.Select(d => d.Name == "dc2" ? d with { FinalizerKey = spare } : d)] },
        });
        await rig.StepAsync();
        var problem = $"data center dc2's finalizer key {spare} is not registered to failover.bp on chain (eosio finkeys)";
        Assert.StartsWith(problem, Assert.Single(rig.Manager.Blockers), StringComparison.Ordinal);
        Assert.StartsWith("FINALIZER KEY: " + problem, Assert.Single(Criticals(rig)), StringComparison.Ordinal);

        rig.Simulator.RegisterFinalizerKey(ServiceRig.OursText, spare);
        await rig.RunForAsync(TimeSpan.FromMinutes(9));
        Assert.Single(rig.Manager.Blockers); // read at start-up; not read again yet

        await rig.RunForAsync(TimeSpan.FromMinutes(1.5));
        Assert.Empty(rig.Manager.Blockers);
        Assert.Single(Criticals(rig));
        Assert.Single(rig.Instances[0].Log.Entries, e => e.Level == LogLevel.Information && e.Message == "FINALIZER KEY: data center dc2's finalizer key is now registered to failover.bp on chain; it can be chosen again.");
        Assert.Equal(HealthStatus.Healthy, (await Readiness(rig)).Status);
    }

    [Fact]
    public async Task On_a_legacy_configuration_the_finalizer_tables_are_not_read()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Legacy);

        await rig.StepAsync();

        Assert.Null(rig.Manager.FinalizerKeysSeen);
        Assert.Empty(rig.Manager.Blockers);
    }

    // ---- 3. the signing key, parsed at start-up ----

    [Fact]
    public async Task A_malformed_key_file_is_logged_at_critical_at_start_up_without_its_text_and_the_manager_is_not_ready()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var typo = Typo(PermissionKey(rig, "failover").ExportWif());
        using var keyFile = new TempKeyFile(typo);
        rig.Reconfigure(s => s with { Signer = s.Signer with { KeyFile = keyFile.Path } });

        await rig.StepAsync(); // start-up: nothing has happened on the chain yet

        Assert.Empty(await rig.ProcessEventsAsync());
        var critical = Assert.Single(Criticals(rig));
        Assert.Equal($"SIGNING KEY: the signing key in {keyFile.Path} is not a private key (WIF or PVT_K1_…); no rotation can be signed until it is fixed", critical);
        Assert.Single(rig.Manager.Blockers);
        Assert.Equal(HealthStatus.Unhealthy, (await Readiness(rig)).Status);
        Assert.DoesNotContain(rig.Instances[0].Log.Entries, e => e.Message.Contains(typo, StringComparison.Ordinal));
        NoPrivateKeyLogged(rig);
    }

    [Fact]
    public async Task Garbage_in_the_key_environment_variable_is_logged_at_critical_at_start_up_without_its_text()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var variable = "FAILOVER_TEST_KEY_" + Guid.NewGuid().ToString("N");
        var garbage = "PVT_K1_" + new string('x', 40);
        Environment.SetEnvironmentVariable(variable, garbage);
        try
        {
            rig.Reconfigure(s => s with { Signer = s.Signer with { KeyFile = null, KeyEnvironmentVariable = variable } });

            await rig.StepAsync();

            var critical = Assert.Single(Criticals(rig));
            Assert.Equal($"SIGNING KEY: the signing key in ${variable} is not a private key (WIF or PVT_K1_…); no rotation can be signed until it is fixed", critical);
            Assert.DoesNotContain(rig.Instances[0].Log.Entries, e => e.Message.Contains(garbage, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_good_key_in_the_environment_variable_logs_nothing_critical()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        var variable = "FAILOVER_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, PermissionKey(rig, "failover").ExportWif());
        try
        {
            rig.Reconfigure(s => s with { Signer = s.Signer with { KeyFile = null, KeyEnvironmentVariable = variable } });

            await rig.StepAsync();

            Assert.Empty(Criticals(rig));
            Assert.Empty(rig.Manager.Blockers);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task DryRun_without_a_key_logs_nothing_critical()
    {
        await using var rig = await ServiceRig.StartAsync(ConsensusMode.Savanna);
        rig.Reconfigure(s => s with { DryRun = true, Signer = s.Signer with { KeyFile = null } });

        await rig.StepAsync();

        Assert.Empty(Criticals(rig));
        Assert.Empty(rig.Manager.Blockers);
    }

    // ---- 2. the configured consensus against the chain's ----

    /// <summary>
    /// An operator wrote legacy for a Savanna chain and left out the finalizer keys. Without the check the legacy
    /// gates pass (the revealing block is final at once) and the service rotates with regproducer alone, leaving dc2's
    /// node paused without its finalizer's votes.
    /// </summary>
    [Fact]
    public async Task Configured_legacy_on_a_savanna_chain_is_critical_at_start_up_and_an_outage_is_suppressed_as_consensus_mismatch_with_nothing_sent()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Consensus = ConsensusMode.Savanna,
            Configure = s => s with { Consensus = ConsensusKind.Legacy, DataCenters = [.. s.DataCenters.Select(d => d with { FinalizerKey = null })] },
        });
        await rig.StepAsync();
        var mismatch = "Failover:Chain:Consensus is legacy, but the chain is savanna";
        Assert.StartsWith($"CHAIN CONSENSUS: {mismatch} (", Assert.Single(Criticals(rig)), StringComparison.Ordinal);
        Assert.Contains(mismatch, Assert.Single(rig.Manager.Blockers), StringComparison.Ordinal);
        Assert.Contains(mismatch, (await Readiness(rig)).Description, StringComparison.Ordinal);

        await OutageHeldBackAsync(rig, "the configuration says legacy but the chain's block headers are savanna", TimeSpan.FromMinutes(3));
    }

    /// <summary>The other way round: savanna configured for a legacy chain (actfinkey and the Savanna finality gate do not apply).</summary>
    [Fact]
    public async Task Configured_savanna_on_a_legacy_chain_is_critical_at_start_up_and_an_outage_is_suppressed_as_consensus_mismatch_with_nothing_sent()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Consensus = ConsensusMode.Legacy,
            History = TimeSpan.FromMinutes(6),
            Configure = s => s with { Consensus = ConsensusKind.Savanna },
        });
        await rig.StepAsync();
        var mismatch = "Failover:Chain:Consensus is savanna, but the chain is legacy";
        Assert.StartsWith($"CHAIN CONSENSUS: {mismatch} (", Assert.Single(Criticals(rig)), StringComparison.Ordinal);
        Assert.Contains(mismatch, Assert.Single(rig.Manager.Blockers), StringComparison.Ordinal);

        await OutageHeldBackAsync(rig, "the configuration says savanna but the chain's block headers are legacy", TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task An_operators_switch_is_suppressed_as_no_ready_standby_too_while_the_consensus_differs()
    {
        await using var rig = await ServiceRig.StartAsync(new RigOptions
        {
            Consensus = ConsensusMode.Savanna,
            Configure = s => s with { Consensus = ConsensusKind.Legacy },
        });
        await rig.RunForAsync(TimeSpan.FromSeconds(10));

        var asked = await rig.OperatorAsync(at => new FailoverCommand.RequestManualFailover("dc2", "tester", "drill", at));
        Assert.Null(asked.Refusal);
        await rig.RunForAsync(TimeSpan.FromSeconds(10));

        var suppressed = Assert.Single(await Scenario.SuppressionsAsync(rig));
        Assert.NotNull(suppressed.Evidence.Manual);
        Assert.Equal([ReasonCodes.ConsensusMismatch], suppressed.Reasons);
        Assert.Contains("the configuration says legacy but the chain's block headers are savanna", suppressed.Decision.Gates.Single(g => g.Reason == ReasonCodes.ConsensusMismatch).Detail, StringComparison.Ordinal);
        await Scenario.NothingSentAsync(rig);
    }

    /// <summary>
    /// Our primary goes down before our window; the 12th miss opens the incident. Every decision on it is a
    /// suppression for consensus-mismatch, nothing is ever pushed, and the mismatch is logged once.
    /// </summary>
    private static async Task OutageHeldBackAsync(ServiceRig rig, string mismatch, TimeSpan after)
    {
        await rig.RunUntilJustBeforeOurWindowAsync();
        rig.Simulator.SetNodeDown(Scenario.Dc1, true);

        await rig.RunUntilAsync(
            async () => (await Scenario.SuppressionsAsync(rig)).Any(s => s.Reasons.Contains(ReasonCodes.ConsensusMismatch)),
            TimeSpan.FromMinutes(5),
            "a suppression for the consensus mismatch");
        await rig.RunForAsync(after); // well past the time a rotation would have been decided, pushed and active

        await Scenario.NothingSentAsync(rig);
        var suppressions = await Scenario.SuppressionsAsync(rig);
        Assert.NotEmpty(suppressions);
        Assert.All(suppressions, s =>
        {
            Assert.StartsWith("missed-", s.IncidentId, StringComparison.Ordinal);
            Assert.Equal(DecisionOutcome.Suppress, s.Decision.Outcome);
            Assert.Null(s.Decision.TargetDataCenter);
            Assert.Equal(s.Reasons, s.Decision.Reasons);
            Assert.Contains(ReasonCodes.ConsensusMismatch, s.Reasons);
            var gate = s.Decision.Gates.Single(g => g.Reason == ReasonCodes.ConsensusMismatch);
            Assert.False(gate.Passed);
            Assert.StartsWith(mismatch, gate.Detail, StringComparison.Ordinal);
            Assert.True(s.Decision.Gates.Single(g => g.Reason == ReasonCodes.NoReadyStandby).Passed);
            Assert.Equal(s.Evidence.Consensus == ConsensusKind.Savanna ? ConsensusKind.Legacy : ConsensusKind.Savanna, s.Evidence.ChainConsensus);
            var rerun = Policy.Evaluate(s.Evidence, s.Policy); // what failover audit verify does
            Assert.Equal(s.Decision.Outcome, rerun.Outcome);
            Assert.Equal(s.Decision.Reasons, rerun.Reasons);
            Assert.Null(rerun.TargetDataCenter);
        });
        Assert.Single(Criticals(rig), c => c.StartsWith("CHAIN CONSENSUS: ", StringComparison.Ordinal));
    }

    // ---- helpers ----

    private static List<string> Criticals(ServiceRig rig) =>
        [.. rig.Instances[0].Log.Entries.Where(e => e.Level == LogLevel.Critical).Select(e => e.Message)];

    private static Task<HealthCheckResult> Readiness(ServiceRig rig) =>
        new ProcessManagerReadiness(() => rig.Manager).CheckHealthAsync(new HealthCheckContext());

    private static PrivateKey PermissionKey(ServiceRig rig, string permission) =>
        rig.Simulator.Roster.Accounts.Single(a => a.Account == ServiceRig.Ours).Permissions[Name.Parse(permission)];

    /// <summary>No log entry holds any private key of the simulation, in either text form.</summary>
    private static void NoPrivateKeyLogged(ServiceRig rig)
    {
        var secrets = rig.Simulator.Roster.Accounts.SelectMany(a => a.Permissions.Values)
            .Concat(rig.Simulator.Roster.Nodes.Select(n => n.SigningKey))
            .SelectMany(k => new[] { k.ExportWif(), k.ExportPvtK1() })
            .ToList();
        Assert.All(rig.Instances[0].Log.Entries, e => Assert.DoesNotContain(secrets, s => e.Message.Contains(s, StringComparison.Ordinal)));
    }

    /// <summary>A key with one character changed, as an operator's typo would: no longer a valid key (its checksum fails).</summary>
    private static string Typo(string key)
    {
        var i = key.Length / 2;
        var text = key[..i] + (key[i] == 'A' ? 'B' : 'A') + key[(i + 1)..];
        Assert.False(PrivateKey.TryParse(text, out _, out _));
        return text;
    }

    /// <summary>A process manager over the rig's store and settings whose get_account answers pass through <paramref name="edit"/> (applied to failover.bp@failover).</summary>
    private static (ProcessManager Manager, RecordingLogger Log) ManagerSeeing(ServiceRig rig, Action<JsonObject> edit)
    {
        var log = new RecordingLogger();
        var http = new HttpClient(new EditAccount(new InProcessChainHandler(rig.Simulator, rig.Clock), edit)) { Timeout = Timeout.InfiniteTimeSpan };
        return (rig.Follow(store => new ProcessManager(rig.Settings, store, http, rig.ServiceClock, log)), log);
    }

    /// <summary>Rewrites the failover permission in get_account answers, as a chain where it is set up otherwise would answer.</summary>
    private sealed class EditAccount(HttpMessageHandler inner, Action<JsonObject> edit) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!request.RequestUri!.AbsolutePath.EndsWith("/get_account", StringComparison.Ordinal))
            {
                return response;
            }

            var account = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
            edit(account["permissions"]!.AsArray().Single(p => (string?)p!["perm_name"] == "failover")!.AsObject());
            response.Content = new StringContent(account.ToJsonString(), Encoding.UTF8, "application/json");
            return response;
        }
    }

    /// <summary>get_account fails as a node that is down does, until <paramref name="reachable"/> says otherwise.</summary>
    private sealed class FailAccountReads(HttpMessageHandler inner, Func<bool> reachable) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri!.AbsolutePath.EndsWith("/get_account", StringComparison.Ordinal) && !reachable()
                ? throw new HttpRequestException("connection refused")
                : base.SendAsync(request, cancellationToken);
    }

    /// <summary>A key file readable by its owner only, deleted at the end.</summary>
    private sealed class TempKeyFile : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-key-");

        public TempKeyFile(string text)
        {
            Path = System.IO.Path.Combine(_directory.FullName, "signer.key");
            File.WriteAllText(Path, text);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path, UnixFileMode.UserRead);
            }
        }

        public string Path { get; }

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
