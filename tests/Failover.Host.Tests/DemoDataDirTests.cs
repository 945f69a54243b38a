using System.Net;
using System.Net.Sockets;
using Failover.Host.Commands;

namespace Failover.Host.Tests;

/// <summary>
/// <c>failover demo --data-dir DIR</c> refuses a directory that already holds a store (a second run would replay the
/// first run's events as its own and print a false summary) and takes an existing empty one; with a busy <c>--urls</c>
/// port it says so in one line before creating anything. None of these runs the demo itself (about 25 s at --speed 20):
/// a store is stood in for by a dummy file, and an accepted directory is shown by the run getting as far as listening.
/// </summary>
public sealed class DemoDataDirTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("failover-demo-dir-test-");

    [Theory]
    [InlineData("failover.db")]
    [InlineData("failover.db-wal")]
    public async Task A_data_dir_that_already_holds_a_store_is_refused_with_exit_2_and_left_as_it_was(string file)
    {
        var store = Path.Combine(_dataDirectory.FullName, file);
        await File.WriteAllTextAsync(store, "an earlier run's store");

        var result = await CliRunner.RunAsync("demo", "--speed", "20", "--urls", "http://127.0.0.1:0", "--data-dir", _dataDirectory.FullName).WaitAsync(Limit);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            [
                $"--data-dir {_dataDirectory.FullName} already holds a store ({file}) from an earlier run, whose events the demo would replay as its own: "
                + $"use a new directory (or remove {Path.Combine(_dataDirectory.FullName, "failover.db")} and its -wal and -shm files).",
            ],
            Lines(result.Error));
        Assert.Empty(result.Out);
        Assert.Equal("an earlier run's store", await File.ReadAllTextAsync(store));
        Assert.Equal([store], Directory.GetFiles(_dataDirectory.FullName));
    }

    [Fact]
    public async Task A_data_dir_that_is_a_file_is_refused_with_exit_2()
    {
        var file = Path.Combine(_dataDirectory.FullName, "data");
        await File.WriteAllTextAsync(file, "x");

        var result = await CliRunner.RunAsync("demo", "--data-dir", file).WaitAsync(Limit);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal([$"--data-dir {file} is a file, not a directory."], Lines(result.Error));
    }

    [Fact]
    public async Task An_existing_empty_data_dir_is_accepted_and_a_busy_port_is_one_line_exit_1_with_nothing_created()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)busy.LocalEndpoint).Port}";

        var result = await CliRunner.RunAsync("demo", "--speed", "20", "--urls", url, "--data-dir", _dataDirectory.FullName).WaitAsync(Limit);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal([$"Could not listen on {url}: address already in use"], Lines(result.Error));
        Assert.Empty(result.Out);
        Assert.DoesNotContain("Unhandled", result.Out + result.Error, StringComparison.Ordinal);
        Assert.Empty(_dataDirectory.EnumerateFileSystemInfos());
    }

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
}
