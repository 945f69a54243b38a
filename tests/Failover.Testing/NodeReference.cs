using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Failover.Testing;

/// <summary>
/// Runs the reference JavaScript implementations in <c>tests/node-reference</c> (eosjs 22.1.0, @wharfkit/antelope 1.2.0,
/// pinned by its package-lock.json): any <c>.mjs</c> script there reads one JSON document on stdin and writes one on
/// stdout. The first use runs <c>npm ci</c> once, guarded by a file lock so parallel test processes don't race, and
/// skipped while the installed packages match the lock file.
/// </summary>
public static class NodeReference
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DefaultScriptTimeout = TimeSpan.FromMinutes(1);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool _installed;

    /// <summary>The <c>tests/node-reference</c> folder, found by walking up from the test output directory.</summary>
    public static string Folder { get; } = FindFolder();

    public static async Task<JsonNode> RunAsync(string script, JsonNode input, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var path = Path.Combine(Folder, script);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No script '{script}' in {Folder}.", path);
        }

        await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        var (exitCode, stdout, stderr) = await RunProcessAsync(
            "node", [path], input.ToJsonString(), timeout ?? DefaultScriptTimeout, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {exitCode}:\n{stderr}");
        }

        return JsonNode.Parse(stdout)
            ?? throw new InvalidOperationException($"node {script} printed no JSON:\n{stdout}\n{stderr}");
    }

    private static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        await InstallGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_installed)
            {
                return;
            }

            using var fileLock = await AcquireFileLockAsync(Path.Combine(Folder, ".npm-ci.lock"), cancellationToken).ConfigureAwait(false);
            var stampPath = Path.Combine(Folder, "node_modules", ".failover-lock-hash");
            var lockHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Folder, "package-lock.json"), cancellationToken).ConfigureAwait(false)));
            if (!File.Exists(stampPath) || await File.ReadAllTextAsync(stampPath, cancellationToken).ConfigureAwait(false) != lockHash)
            {
                var (exitCode, stdout, stderr) = await RunProcessAsync(
                    "npm", ["ci", "--no-audit", "--no-fund"], string.Empty, InstallTimeout, cancellationToken).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"npm ci in {Folder} exited with {exitCode}:\n{stdout}\n{stderr}");
                }

                await File.WriteAllTextAsync(stampPath, lockHash, cancellationToken).ConfigureAwait(false);
            }

            _installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + InstallTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another test process is installing; wait for it to release the lock.
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(
        string program, IReadOnlyList<string> arguments, string stdin, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{program}' was not found ({e.Message}). The eosjs/wharfkit cross-check tests need Node.js 20+ with npm on PATH " +
                "(Debian: apt-get install nodejs npm).", e);
        }

        using (process)
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
            await process.StandardInput.WriteAsync(stdin.AsMemory(), timeoutSource.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}.");
            }

            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    private static string FindFolder()
    {
        var folder = Path.Combine(RepositoryRoot.Path, "tests", "node-reference");
        return File.Exists(Path.Combine(folder, "package.json"))
            ? folder
            : throw new DirectoryNotFoundException($"{folder} has no package.json.");
    }
}
