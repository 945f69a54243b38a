using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Failover.Antelope;
using Failover.Host.Commands;

namespace Failover.Host.Tests;

/// <summary>
/// <c>failover run</c> on a port another process listens on: one line saying so and exit 1, not System.CommandLine's
/// "Unhandled exception" with a stack trace. A busy <c>--urls</c> port is found before the store is opened; a busy port
/// only Kestrel's own configuration names is found when the server fails to bind, after the observer has started —
/// then the service is stopped and the store closed before the command returns. (The demo's case: <see cref="DemoDataDirTests"/>.)
/// </summary>
public sealed class ListenFailureTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-listen-test-");
    private readonly TcpListener _busy = new(IPAddress.Loopback, 0);

    public ListenFailureTests() => _busy.Start();

    private string StorePath => Path.Combine(_directory.FullName, "data", "failover.db");

    private string BusyUrl => $"http://127.0.0.1:{((IPEndPoint)_busy.LocalEndpoint).Port}";

    [Fact]
    public async Task A_busy_urls_port_is_one_line_and_exit_1_before_the_store_is_opened()
    {
        var result = await CliRunner.RunAsync("run", "--config", WriteConfig(kestrelUrl: null), "--urls", BusyUrl).WaitAsync(Limit);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal([$"Could not listen on {BusyUrl}: address already in use"], Lines(result.Error).Where(l => !l.StartsWith("WARNING: ", StringComparison.Ordinal)));
        Assert.DoesNotContain("Unhandled", result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Out + result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(StorePath)), "the store was opened");
    }

    [Fact]
    public async Task A_busy_port_of_kestrels_own_endpoints_is_one_line_and_exit_1_with_the_service_stopped_and_the_store_closed()
    {
        var result = await CliRunner.RunAsync("run", "--config", WriteConfig(kestrelUrl: BusyUrl), "--urls", "http://127.0.0.1:0").WaitAsync(Limit);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal([$"Could not listen on {BusyUrl}: address already in use"], Lines(result.Error).Where(l => !l.StartsWith("WARNING: ", StringComparison.Ordinal)));
        Assert.DoesNotContain("Unhandled", result.Out + result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(StorePath), "the service had not started before the server failed");

        // Closed: SQLite removes the write-ahead log when the last connection closes, and the log is intact.
        Assert.False(File.Exists(StorePath + "-wal"), "the store was left open");
        var verify = await CliRunner.RunAsync("audit", "verify", "--store", "sqlite:" + StorePath).WaitAsync(Limit);
        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.Out + verify.Error);
    }

    public void Dispose()
    {
        _busy.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>A valid configuration (DryRun, so no signer key; an endpoint nobody serves), with Kestrel's own endpoint if given.</summary>
    private string WriteConfig(string? kestrelUrl)
    {
        var root = new Dictionary<string, object>
        {
            ["Failover"] = new Dictionary<string, object>
            {
                ["ObserverId"] = "obs-1",
                ["Store"] = "sqlite:" + StorePath,
                ["Chain"] = new Dictionary<string, object> { ["Endpoints"] = new[] { "http://127.0.0.1:1" }, ["Consensus"] = "legacy" },
                ["Producer"] = "failover.bp",
                ["DataCenters"] = new object[]
                {
                    new Dictionary<string, object> { ["Name"] = "dc1", ["Priority"] = 1, ["SigningKey"] = Key(1) },
                    new Dictionary<string, object> { ["Name"] = "dc2", ["Priority"] = 2, ["SigningKey"] = Key(2) },
                },
                ["Signer"] = new Dictionary<string, object> { ["Permission"] = "failover" },
                ["DryRun"] = true,
            },
        };
        if (kestrelUrl is not null)
        {
            root["Kestrel"] = new Dictionary<string, object> { ["Endpoints"] = new Dictionary<string, object> { ["Http"] = new Dictionary<string, object> { ["Url"] = kestrelUrl } } };
        }

        var path = Path.Combine(_directory.FullName, "config.json");
        File.WriteAllText(path, JsonSerializer.Serialize(root));
        return path;
    }

    private static string Key(int seed) => PrivateKey.FromSecret(Enumerable.Repeat((byte)seed, 32).ToArray()).PublicKey.ToString();

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
}
