using System.Text.Json;

namespace Failover.Audit.Tests;

/// <summary>What every verb shares: the store opened read-only (never written), clear failures, --json for scripts.</summary>
[Collection(DemoStoreFixture.Name)]
public sealed class AuditCommandTests(DemoStore demo)
{
    [Fact]
    public async Task No_verb_writes_to_the_store()
    {
        var path = demo.Copy("untouched");
        var before = DemoStore.Sha256(path);
        var location = "sqlite:" + path;

        string[][] runs =
        [
            ["verify", "--store", location], ["replay", "--store", location], ["what-if", "--store", location, "--set", "Policy:MinParticipation=1"],
            ["explain", "--store", location, "--failover", "1"], ["export", "--store", location, "--what", "rounds"], ["export", "--store", location],
        ];
        foreach (var args in runs)
        {
            var run = await Audit.RunAsync(args);
            Assert.True(run.ExitCode == 0, $"{string.Join(' ', args)}: {run.Error}");
        }

        Assert.Equal(before, DemoStore.Sha256(path));
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("replay")]
    [InlineData("explain", "--position", "1")]
    [InlineData("export")]
    public async Task A_missing_store_is_exit_1_with_the_reason_and_not_created(string verb, params string[] options)
    {
        var missing = Path.Combine(demo.DataDirectory, "..", "nowhere", "none.db");

        var run = await Audit.RunAsync([verb, "--store", "sqlite:" + missing, .. options]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Cannot open the store sqlite:", run.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public async Task A_file_that_is_not_a_store_is_exit_1_with_the_reason_also_as_json()
    {
        var notAStore = Path.Combine(demo.DataDirectory, "failover.key.txt");
        await File.WriteAllTextAsync(notAStore, "not a database, but long enough to be read as one by SQLite's header check............................");

        var run = await Audit.RunAsync("verify", "--store", "sqlite:" + notAStore, "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Cannot open the store", run.Error, StringComparison.Ordinal);
        Assert.StartsWith("Cannot open the store", JsonDocument.Parse(run.Out).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_postgres_store_is_exit_1_without_showing_its_password()
    {
        var run = await Audit.RunAsync("verify", "--store", "postgres:Host=127.0.0.1;Port=1;Username=u;Password=secret-pw;Timeout=2");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Cannot open the store postgres:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", run.Error + run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_store_every_problem_is_listed_with_exit_2()
    {
        var run = await Audit.RunAsync("what-if", "--set", "Policy:Cooldown=-1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--store is required", run.Error, StringComparison.Ordinal);
        Assert.Contains("'-1' is not a non-negative duration", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_lists_its_verbs()
    {
        var run = await Audit.RunAsync("--help");

        foreach (var verb in new[] { "verify", "replay", "what-if", "explain", "export" })
        {
            Assert.Contains(verb, run.Out, StringComparison.Ordinal);
        }
    }
}
