using Failover.EventStore.Sqlite;
using Failover.Host.Commands;

namespace Failover.Host.Tests;

/// <summary>
/// Issue 18.6: <c>failover store compact</c>'s options and its run on a store (what it compacts is proven in Service
/// <c>CompactionScenarioTests</c> and the fault campaign).
/// </summary>
public sealed class StoreCompactCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-compact-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Every_bad_option_is_listed_at_once_and_nothing_is_opened()
    {
        var result = await CliRunner.RunAsync("store", "compact", "--store", "mysql:x", "--producer", "NOT A NAME", "--keep-days", "0", "--before", "2026-01-01T00:00:00Z", "--protect", "-00:01:00");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("store compact: 4 problem(s):", result.Error, StringComparison.Ordinal);
        Assert.Contains("--store ", result.Error, StringComparison.Ordinal);
        Assert.Contains("--producer: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("Give one of --keep-days N or --before TIME.", result.Error, StringComparison.Ordinal);
        Assert.Contains("--protect '-00:01:00' must be a duration", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "--keep-days '0' must be a whole number of days from 1 to 36500.")]
    [InlineData("30.5", "--keep-days '30.5' must be a whole number of days from 1 to 36500.")]
    public async Task Keep_days_is_a_whole_number_of_days(string days, string problem)
    {
        var result = await CliRunner.RunAsync("store", "compact", "--store", "sqlite:" + Path.Combine(_directory.FullName, "x.db"), "--producer", "failover.bp", "--keep-days", days);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory.FullName, "x.db")));
    }

    [Fact]
    public async Task The_store_and_producer_come_from_the_configuration_and_a_young_store_has_nothing_to_compact()
    {
        var path = Path.Combine(_directory.FullName, "failover.db");
        await (await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path })).DisposeAsync();
        var config = Path.Combine(_directory.FullName, "failover.json");
        await File.WriteAllTextAsync(config, $$"""{ "Failover": { "Store": "sqlite:{{path}}", "Producer": "failover.bp" } }""");

        var result = await CliRunner.RunAsync("store", "compact", "--config", config, "--keep-days", "30");

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.StartsWith("Nothing to compact before ", result.Out, StringComparison.Ordinal);
        Assert.Contains("(compacted through position 0)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_store_or_a_configuration_it_says_which_is_needed()
    {
        var result = await CliRunner.RunAsync("store", "compact", "--keep-days", "30");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--store (or --config) is required", result.Error, StringComparison.Ordinal);
        Assert.Contains("--producer (or --config) is required", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_configuration_its_retention_policy_applies_where_the_flags_say_nothing()
    {
        var path = Path.Combine(_directory.FullName, "retention.db");
        await (await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path })).DisposeAsync();
        var config = Path.Combine(_directory.FullName, "retention.json");
        await File.WriteAllTextAsync(config, $$"""{ "Failover": { "Store": "sqlite:{{path}}", "Producer": "failover.bp", "Retention": { "KeepDays": "7" } } }""");
        var bad = Path.Combine(_directory.FullName, "bad.json");
        await File.WriteAllTextAsync(bad, $$"""{ "Failover": { "Store": "sqlite:{{path}}", "Producer": "failover.bp", "Retention": { "KeepDays": "a week", "Protect": "10m" } } }""");

        var result = await CliRunner.RunAsync("store", "compact", "--config", config);
        var refused = await CliRunner.RunAsync("store", "compact", "--config", bad);

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        var cutoff = DateTimeOffset.Parse(result.Out["Nothing to compact before ".Length..result.Out.IndexOf(" (", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - cutoff, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(5), TimeSpan.FromDays(7) + TimeSpan.FromMinutes(5));
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("Failover:Retention:KeepDays 'a week' must be a whole number of days", refused.Error, StringComparison.Ordinal);
        Assert.Contains("Failover:Retention:Protect '10m' must be a duration", refused.Error, StringComparison.Ordinal);
    }
}
