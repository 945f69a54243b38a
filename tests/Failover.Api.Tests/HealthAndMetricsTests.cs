using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Failover.Service.Metrics;
using Failover.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Failover.Api.Tests;

/// <summary>
/// /metrics while the service records a failover (the application follows the log live). Alone in its collection:
/// OpenTelemetry listens to every meter named Failover in the process, so no other application may run meanwhile.
/// </summary>
[Collection(Alone.Name)]
public sealed partial class HealthAndMetricsTests : IAsyncLifetime
{
    private const string Token = "metrics-token-0123456789";
    private ApiRig _rig = null!;
    private FailoverApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _rig = await ApiRig.StartAsync(TimeSpan.FromMinutes(5), seed: "metrics");
        _factory = new FailoverApiFactory(_rig, s => s with { Api = new Failover.Service.Configuration.ApiSettings(Token, null, false) });
        _client = _factory.CreateClient();
        await _rig.RunForAsync(TimeSpan.FromSeconds(30));
        await _rig.RunOutageUntilFailoverCompletedAsync();
        await _rig.RunForAsync(TimeSpan.FromSeconds(5));
        var head = await _rig.Store.ReadHeadPositionAsync();
        await _factory.Services.GetRequiredService<FailoverMetrics>().WaitForPositionAsync(head).WaitAsync(TimeSpan.FromSeconds(30));
        await _factory.CaughtUpAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_show_the_outage_the_decision_and_the_rotation_with_plausible_values()
    {
        // An append through the service's own store (the rig's observer appends to the store directly).
        await (await _client.PostJsonAsync("/api/automation/pause", new { reason = "metrics" }, Token)).JsonAsync(HttpStatusCode.OK);
        await _factory.Services.GetRequiredService<FailoverMetrics>().WaitForPositionAsync(await _rig.Store.ReadHeadPositionAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        var response = await _client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(12, Value(text, "failover_missed_blocks_total", ("producer", ApiRig.Ours)));
        Assert.Equal(1, Value(text, "failover_decisions_total", ("outcome", "trigger"), ("reason", "automatic")));
        foreach (var outcome in new[] { "requested", "submitted", "completed" })
        {
            Assert.Equal(1, Value(text, "failover_rotations_total", ("outcome", outcome)));
        }

        Assert.DoesNotContain("outcome=\"failed\"", text, StringComparison.Ordinal);
        Assert.InRange(Value(text, "failover_participation_ratio", ("window", "last_round")), 0.8, 1.0);
        Assert.InRange(Value(text, "failover_participation_ratio", ("window", "sliding")), 0.8, 1.0);
        Assert.InRange(Value(text, "failover_lib_lag_blocks"), 0, 8);
        Assert.InRange(Value(text, "failover_head_lag_seconds"), 0, 2);
        Assert.Equal(0, Value(text, "failover_our_consecutive_missed_blocks", ("producer", ApiRig.Ours)));
        Assert.Equal(1, Value(text, "failover_endpoint_up", ("endpoint", "http://simulator")));
        Assert.True(Value(text, "failover_store_append_duration_seconds_count") >= 1);
        Assert.Equal([0, 1, 0], new[] { "armed", "paused", "latched" }.Select(state => Value(text, "failover_automation", ("state", state))));
        Assert.Equal(0, Value(text, "failover_rotation_in_flight_seconds"));
        Assert.Equal(0, Value(text, "failover_awaiting_operator"));
        Assert.Equal(0, Value(text, "failover_finalizer_silent_certificates"));
        Assert.Matches(@"failover_store_append_duration_seconds_bucket\{[^}]*le=""0.005""", text);
    }

    /// <summary>issue 18.4: what Prometheus scrapes is well formed, and the alert rules and the dashboard read only metrics that exist.</summary>
    [Fact]
    public async Task The_metrics_pass_promtool_and_every_metric_the_alert_rules_and_the_dashboard_read_is_exported()
    {
        // Counters and histograms appear with their first measurement: an append through the service's store, an alert.
        await (await _client.PostJsonAsync("/api/automation/pause", new { reason = "metrics" }, Token)).JsonAsync(HttpStatusCode.OK);
        _factory.Services.GetRequiredService<FailoverMetrics>().RecordAlert("ops", "delivered");
        var text = await _client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        var check = await ExternalTool.RunAsync("promtool", ["check", "metrics"], standardInput: text);
        Assert.True(check.ExitCode == 0, check.ToString());

        var exported = MetricName().Matches(text).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var file in new[] { "deploy/prometheus/failover-rules.yml", "deploy/grafana/dashboards/failover.json" })
        {
            var used = MetricName().Matches(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, file))).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            Assert.NotEmpty(used);
            Assert.All(used, name => Assert.True(exported.Contains(name), $"{file} reads {name}, which /metrics does not export"));
        }
    }

    [GeneratedRegex(@"\bfailover_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    /// <summary>The value of the one sample of <paramref name="metric"/> carrying these labels (any others allowed).</summary>
    private static double Value(string exposition, string metric, params (string Name, string Value)[] labels)
    {
        var lines = exposition.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal)))
            .ToList();
        Assert.True(lines.Count == 1, $"{metric} {string.Join(',', labels)}: {lines.Count} samples in\n{exposition}");
        return double.Parse(SampleValue().Match(lines[0]).Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\}?\s(?<value>[-+0-9.eE]+|NaN)(\s\d+)?$")]
    private static partial Regex SampleValue();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "alone in the process";
}
