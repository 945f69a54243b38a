using System.Diagnostics;
using Npgsql;

namespace Failover.Testing;

/// <summary>
/// The PostgreSQL server every test project uses: FAILOVER_TEST_POSTGRES if set, else the local cluster that
/// scripts/postgres-up.sh starts (run once if nothing answers). Never skips: no server is a failure with the reason.
/// Tests keep out of each other's way with a schema each.
/// </summary>
public static class PostgresServer
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=failover;Password=failover;Database=failover";

    private static readonly Lazy<Task<string>> Available = new(FindAsync);

    public static Task<string> ConnectionStringAsync() => Available.Value;

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];

    public static async Task DropSchemaAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> FindAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("FAILOVER_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : DefaultConnectionString;
        if (await TryConnectAsync(connectionString) is null)
        {
            return connectionString;
        }

        var script = Path.Combine(RepositoryRoot.Path, "scripts", "postgres-up.sh");
        var (exitCode, output) = await RunAsync(script);
        var error = await TryConnectAsync(connectionString);
        return error is null
            ? connectionString
            : throw new InvalidOperationException(
                $"PostgreSQL is not reachable at '{new NpgsqlConnectionStringBuilder(connectionString) { Password = null }}': {error}. "
                + $"Ran {script} (exit {exitCode}): {output.Trim()}. Set FAILOVER_TEST_POSTGRES to a reachable server.");
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

    private static async Task<(int ExitCode, string Output)> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
