using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Failover.Testing;

namespace Failover.Host.Tests;

/// <summary>
/// The binary an operator installs — <c>dotnet publish src/Failover.Host -c Release -r RID --self-contained
/// -p:PublishSingleFile=true</c>, trimmed — as <see cref="Variable"/> names it (.ci/run publishes it before the tests),
/// else published here once for this machine's runtime (about two minutes).
/// </summary>
public sealed class PublishedBinary : IAsyncLifetime
{
    public const string Variable = "FAILOVER_PUBLISHED_BINARY";

    private DirectoryInfo? _publishedHere;

    public string Path { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            Path = File.Exists(given) ? given : throw new InvalidOperationException($"{Variable} names {given}, which does not exist.");
            return;
        }

        _publishedHere = Directory.CreateTempSubdirectory("failover-published-");
        var runtime = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var publish = await BinaryRun.RunAsync(
            "dotnet",
            ["publish", System.IO.Path.Combine(RepositoryRoot.Path, "src", "Failover.Host"), "-c", "Release", "-r", runtime, "--self-contained",
                "-p:PublishSingleFile=true", "-o", _publishedHere.FullName, "-nologo"],
            TimeSpan.FromMinutes(10));
        Path = publish.ExitCode == 0
            ? System.IO.Path.Combine(_publishedHere.FullName, "failover")
            : throw new InvalidOperationException($"dotnet publish failed ({publish.ExitCode}):\n{publish.Out}{publish.Error}");
    }

    public Task DisposeAsync()
    {
        _publishedHere?.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A command run to its end: exit code and what it printed.</summary>
internal sealed record BinaryResult(int ExitCode, string Out, string Error)
{
    public string Printed => Out + Error;
}

/// <summary>A process of the published binary: its output collected as it comes, lines awaited, stopped with SIGTERM.</summary>
internal sealed class BinaryRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly Lock _gate = new();

    private BinaryRun(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_out, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Out
    {
        get
        {
            lock (_gate)
            {
                return _out.ToString();
            }
        }
    }

    public string Printed
    {
        get
        {
            lock (_gate)
            {
                return $"stdout:\n{_out}\nstderr:\n{_error}";
            }
        }
    }

    public static BinaryRun Start(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        return new BinaryRun(process);
    }

    /// <summary>Runs <paramref name="file"/> to its end (killed after <paramref name="limit"/>).</summary>
    public static async Task<BinaryResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan limit)
    {
        await using var run = Start(file, arguments);
        var exit = await run.ExitAsync(limit);
        lock (run._gate)
        {
            return new BinaryResult(exit, run._out.ToString(), run._error.ToString());
        }
    }

    /// <summary>The first line of standard output matching <paramref name="pattern"/>, once printed.</summary>
    public async Task<Match> LineAsync(Regex pattern, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (pattern.Match(Out) is { Success: true } match)
            {
                return match;
            }

            Assert.False(_process.HasExited, $"exited ({(_process.HasExited ? _process.ExitCode : 0)}) before printing /{pattern}/:\n{Printed}");
            Assert.True(deadline.Elapsed < limit, $"no /{pattern}/ within {limit.TotalSeconds} s:\n{Printed}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Sends SIGTERM, as systemd stops the service, and returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan limit)
    {
        if (!_process.HasExited)
        {
            using var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await terminate.WaitForExitAsync();
        }

        return await ExitAsync(limit);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task<int> ExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"still running after {limit.TotalSeconds} s:\n{Printed}");
        }

        _process.WaitForExit(); // the output's last lines
        return _process.ExitCode;
    }

    private void Append(StringBuilder to, string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                to.AppendLine(line);
            }
        }
    }
}
