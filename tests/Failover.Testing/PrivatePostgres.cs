using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Failover.Testing;

/// <summary>
/// A PostgreSQL 15 server of one test's own (initdb in a temporary directory, a free port, trust authentication), for
/// tests that restart or kill the server: the shared cluster (<see cref="PostgresServer"/>) serves the other tests
/// meanwhile. The binaries come from <c>pg_config --bindir</c> or Debian's /usr/lib/postgresql/15/bin; run as root,
/// every command runs as the <c>postgres</c> user (initdb refuses root).
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly DirectoryInfo _directory;
    private readonly bool _asPostgres;

    private PrivatePostgres(string bin, DirectoryInfo directory, int port, bool asPostgres)
    {
        (_bin, _directory, Port, _asPostgres) = (bin, directory, port, asPostgres);
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_directory.FullName, "data");

    /// <summary>A connection string to the server's <c>postgres</c> database whose store lives in <paramref name="schema"/>.</summary>
    public string ConnectionString(string schema) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "failover", Database = "postgres", SearchPath = schema }.ConnectionString;

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = await BinDirectoryAsync();
        var directory = Directory.CreateTempSubdirectory("failover-pg-");
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", directory.FullName]);
        }

        var server = new PrivatePostgres(bin, directory, FreePort(), asPostgres);
        await server.PgAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", "failover", "--no-sync", "-E", "UTF8"]);
        await server.PgCtlAsync("start");
        return server;
    }

    /// <summary>Stops the server as a crash would (<c>-m immediate</c>: no checkpoint, clients cut off) and starts it again.</summary>
    public Task<string> CrashAndRestartAsync() => PgCtlAsync("restart", "immediate");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgCtlAsync("stop", "immediate");
        }
        finally
        {
            _directory.Delete(recursive: true);
        }
    }

    private Task<string> PgCtlAsync(string action, string mode = "fast") => PgAsync("pg_ctl",
    [
        "-D", DataDirectory, "-l", Path.Combine(_directory.FullName, "server.log"), "-w", "-t", "60", "-m", mode,
        "-o", $"-p {Port} -k {_directory.FullName} -c listen_addresses=127.0.0.1 -c fsync=off", action,
    ]);

    private Task<string> PgAsync(string program, IReadOnlyList<string> arguments) => _asPostgres
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments])
        : RunAsync(Path.Combine(_bin, program), arguments);

    private static async Task<string> BinDirectoryAsync()
    {
        const string debian = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(debian, "initdb")))
        {
            return debian;
        }

        return (await RunAsync("pg_config", ["--bindir"])).Trim();
    }

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
