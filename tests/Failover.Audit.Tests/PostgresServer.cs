using System.Diagnostics;
using Failover.Testing;
using Npgsql;

namespace Failover.Audit.Tests;

/// <summary>
/// The PostgreSQL server the tests use: FAILOVER_TEST_POSTGRES if set, else the local cluster that
/// scripts/postgres-up.sh starts (run once if nothing answers). Never skips: no server is a failure.
/// </summary>
internal static class PostgresServer
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=failover;Password=failover;Database=failover";

    private static readonly Lazy<Task<string>> Available = new(FindAsync);

    public static Task<string> ConnectionStringAsync() => Available.Value;

    private static async Task<string> FindAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("FAILOVER_TEST_POSTGRES") is { Length: > 0 } configured ? configured : DefaultConnectionString;
        if (await TryConnectAsync(connectionString) is null)
        {
            return connectionString;
        }

        var script = Path.Combine(RepositoryRoot.Path, "scripts", "postgres-up.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var failure = await TryConnectAsync(connectionString);
        return failure is null
            ? connectionString
            : throw new InvalidOperationException(
                $"PostgreSQL is not reachable at '{new NpgsqlConnectionStringBuilder(connectionString) { Password = null }}': {failure}. "
                + $"Ran {script} (exit {process.ExitCode}): {(await output + await error).Trim()}. Set FAILOVER_TEST_POSTGRES to a reachable server.");
    }

    private static async Task<string?> TryConnectAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5, Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return e.Message;
        }
    }
}
