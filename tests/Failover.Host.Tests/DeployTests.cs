using System.Globalization;
using System.Text.RegularExpressions;
using Failover.Testing;

namespace Failover.Host.Tests;

/// <summary>
/// issue 18: the deployment files hold up to the tools operators run them with — systemd-analyze for the unit,
/// promtool for the Prometheus configuration and rules (each rule's unit test included) — and the container files
/// reference what exists and keep keys out.
/// </summary>
public sealed partial class DeployTests
{
    private static string Repo(string path) => Path.Combine(RepositoryRoot.Path, path);

    private const string Unit = "deploy/systemd/failover.service";

    [Fact]
    public async Task The_systemd_unit_verifies_with_the_binary_where_it_expects_it()
    {
        // systemd-analyze verify checks that ExecStart's binary exists: point it at this build's, change nothing else.
        var binary = Path.Combine(RepositoryRoot.Path, "src/Failover.Host/bin/Debug/net10.0/failover");
        Assert.True(File.Exists(binary), $"{binary} is built before the tests run");
        var directory = Directory.CreateTempSubdirectory("failover-unit-");
        var unit = Path.Combine(directory.FullName, "failover.service");
        await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(Repo(Unit))).Replace("/usr/local/bin/failover", binary, StringComparison.Ordinal));

        var result = await ExternalTool.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.True(result.ExitCode == 0 && result.Output.Trim().Length == 0, result.ToString());
    }

    [Fact]
    public async Task The_compaction_timer_and_its_service_verify_and_run_the_store_compact_command_as_the_service_s_user()
    {
        var binary = Path.Combine(RepositoryRoot.Path, "src/Failover.Host/bin/Debug/net10.0/failover");
        var directory = Directory.CreateTempSubdirectory("failover-unit-");
        foreach (var name in new[] { "failover-compact.service", "failover-compact.timer" })
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, name),
                (await File.ReadAllTextAsync(Repo("deploy/systemd/" + name))).Replace("/usr/local/bin/failover", binary, StringComparison.Ordinal));
        }

        var result = await ExternalTool.RunAsync("systemd-analyze", ["verify", Path.Combine(directory.FullName, "failover-compact.timer"), Path.Combine(directory.FullName, "failover-compact.service")]);

        Assert.True(result.ExitCode == 0 && result.Output.Trim().Length == 0, result.ToString());
        var service = await File.ReadAllTextAsync(Repo("deploy/systemd/failover-compact.service"));
        Assert.Contains("ExecStart=/usr/local/bin/failover store compact --config ${CONFIGURATION_DIRECTORY}/failover.json\n", service, StringComparison.Ordinal);
        // failover.service's dynamic user is named after its unit: the same name gives the same user, owner of the store.
        Assert.Contains("User=failover\n", service.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("StateDirectory=failover\n", service, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_systemd_unit_scores_2_or_better_in_systemd_analyze_security_and_the_runbook_gives_that_score()
    {
        var result = await ExternalTool.RunAsync("systemd-analyze", ["security", "--offline=true", "--no-pager", Repo(Unit)]);

        var score = ExposureLevel().Match(result.Output);
        Assert.True(score.Success, result.ToString());
        var exposure = double.Parse(score.Groups["score"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(exposure, 0, 2.0);
        Assert.Contains($"systemd-analyze security` scores it **{score.Groups["score"].Value} {score.Groups["verdict"].Value}**", await File.ReadAllTextAsync(Repo("docs/operations.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Type=notify")]
    [InlineData("WatchdogSec=")]
    [InlineData("LoadCredential=signing-key:")]
    [InlineData("Environment=FAILOVER__Signer__KeyFile=%d/signing-key")]
    [InlineData("DynamicUser=yes")]
    [InlineData("Environment=DOTNET_BUNDLE_EXTRACT_BASE_DIR=%C/failover")]
    [InlineData("CacheDirectory=failover")]
    [InlineData("StateDirectory=failover")]
    [InlineData("ProtectSystem=strict")]
    [InlineData("NoNewPrivileges=yes")]
    [InlineData("PrivateTmp=yes")]
    [InlineData("CapabilityBoundingSet=\n")]
    public async Task The_systemd_unit_runs_notify_with_a_watchdog_the_key_as_a_credential_and_no_privileges(string line) =>
        Assert.Contains(line, (await File.ReadAllTextAsync(Repo(Unit))).ReplaceLineEndings("\n"), StringComparison.Ordinal);

    [Fact]
    public async Task The_alert_rules_pass_promtool_check_and_their_unit_tests()
    {
        var check = await ExternalTool.RunAsync("promtool", ["check", "rules", "failover-rules.yml"], Repo("deploy/prometheus"));
        Assert.True(check.ExitCode == 0, check.ToString());
        var tests = await ExternalTool.RunAsync("promtool", ["test", "rules", "failover-rules.test.yml"], Repo("deploy/prometheus"));
        Assert.True(tests.ExitCode == 0, tests.ToString());
    }

    [Fact]
    public async Task Every_alert_rule_has_a_unit_test()
    {
        var rules = AlertNames().Matches(await File.ReadAllTextAsync(Repo("deploy/prometheus/failover-rules.yml"))).Select(m => m.Groups["name"].Value).ToHashSet();
        var tested = TestedAlerts().Matches(await File.ReadAllTextAsync(Repo("deploy/prometheus/failover-rules.test.yml"))).Select(m => m.Groups["name"].Value).ToHashSet();
        Assert.NotEmpty(rules);
        Assert.Empty(rules.Except(tested));
    }

    [Fact]
    public async Task The_prometheus_configuration_passes_promtool_check_config()
    {
        var result = await ExternalTool.RunAsync("promtool", ["check", "config", "prometheus.yml"], Repo("deploy/prometheus"));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task The_image_runs_as_a_non_root_user_and_its_build_context_leaves_keys_stores_and_build_output_out()
    {
        var dockerfile = await File.ReadAllTextAsync(Repo("Dockerfile"));
        Assert.Matches(@"(?m)^USER app$", dockerfile);
        Assert.DoesNotMatch(@"(?m)^(ENV|ARG).*(KEY|key)\s*=", dockerfile);
        var ignored = (await File.ReadAllLinesAsync(Repo(".dockerignore"))).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        Assert.Superset(new HashSet<string> { "deploy/keys/", "**/*.key", "**/*.db", "**/bin/", "**/obj/", ".git" }, ignored);
    }

    [GeneratedRegex(@"Overall exposure level for failover\.service: (?<score>\d+\.\d) (?<verdict>[A-Z]+)")]
    private static partial Regex ExposureLevel();

    [GeneratedRegex(@"- alert: (?<name>\w+)")]
    private static partial Regex AlertNames();

    [GeneratedRegex(@"alertname: (?<name>\w+)")]
    private static partial Regex TestedAlerts();
}
