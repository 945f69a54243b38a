using System.Security.Cryptography;
using Failover.Host.Commands;
using Microsoft.Data.Sqlite;

namespace Failover.Audit.Tests;

/// <summary>
/// A store recorded by a real demo run (`failover demo --speed 20`): the service observing the simulated chain, our
/// first data center going down, the decision, the rotation and its completion. Run once for every test of the
/// collection; tests audit it read-only or tamper with copies of it.
/// </summary>
public sealed class DemoStore : IAsyncLifetime
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(180);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-audit-demo-");

    public string DataDirectory => Path.Combine(_directory.FullName, "demo");

    /// <summary>The demo's store: audited read-only, never tampered with.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "failover.db");

    public string Location => "sqlite:" + DatabasePath;

    /// <summary>What the demo printed.</summary>
    public string DemoOutput { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FailoverCli.RunAsync(
            ["demo", "--speed", "20", "--outage-at", "1", "--urls", "http://127.0.0.1:0", "--data-dir", DataDirectory],
            new CliConsole(TextReader.Null, TextWriter.Synchronized(output), TextWriter.Synchronized(error))).WaitAsync(RunLimit);
        DemoOutput = output + error.ToString();
        if (exit != 0)
        {
            throw new InvalidOperationException($"The demo exited {exit}:\n{DemoOutput}");
        }
    }

    /// <summary>A copy of the demo's store in its own file, to tamper with or to write to.</summary>
    public string Copy(string name)
    {
        var path = Path.Combine(_directory.FullName, name + ".db");
        SqliteConnection.ClearAllPools();
        File.Copy(DatabasePath, path);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(DatabasePath + suffix))
            {
                File.Copy(DatabasePath + suffix, path + suffix);
            }
        }

        return path;
    }

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class DemoStoreFixture : ICollectionFixture<DemoStore>
{
    public const string Name = "a store recorded by the demo";
}
