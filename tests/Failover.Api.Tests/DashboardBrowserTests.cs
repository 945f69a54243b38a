using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Failover.Testing;
using Microsoft.Playwright;

namespace Failover.Api.Tests;

/// <summary>
/// The dashboard in real headless Chromium (Debian's, never a downloaded one) against a running <c>failover demo</c>:
/// it follows the outage live in the grid, shows the rotation in the timeline with its evidence, and pausing fails
/// visibly with a wrong token and succeeds with the right one. Saves TestResults/dashboard.png.
/// </summary>
public sealed partial class DashboardBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan DemoLimit = TimeSpan.FromSeconds(150);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("failover-browser-");
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _output = [];
    private Process? _demo;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (_demo is { HasExited: false })
        {
            _demo.Kill(entireProcessTree: true);
            _demo.WaitForExit(10_000);
        }

        _demo?.Dispose();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_dashboard_shows_the_outage_and_the_rotation_live_and_pauses_only_with_the_right_token()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium, as .ci/run does); this test never downloads a browser.");
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var tokenFile = Path.Combine(_directory.FullName, "api.token");
        await File.WriteAllTextAsync(tokenFile, token);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var url = await StartDemoAsync(tokenFile);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(_directory.FullName, "profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1400, Height = 1100 },
        });
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        var external = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(url, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                external.Add(request.Url);
            }
        };
        await page.GotoAsync(url);
        var expect = new LocatorAssertionsToBeVisibleOptions { Timeout = (float)DemoLimit.TotalMilliseconds };

        await Assertions.Expect(page.Locator("#producer")).ToHaveTextAsync("failover.bp");
        await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("live");
        // The outage, as the stream brings it: our row shows missed slots.
        await Assertions.Expect(page.Locator("tr[data-producer='failover.bp'] td.cell.missed, tr[data-producer='failover.bp'] td.cell.partial").First).ToBeVisibleAsync(expect);
        // The rotation: an incident that completed, its transaction pushed, dc2 signing.
        await Assertions.Expect(page.Locator(".incident[data-outcome='completed'] .rotation[data-phase='completed']")).ToBeVisibleAsync(expect);
        await Assertions.Expect(page.Locator("#active-dc")).ToHaveTextAsync("dc2", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        var missed = await page.Locator("tr[data-producer='failover.bp'] td.cell").EvaluateAllAsync<int>("cells => cells.reduce((n, c) => n + Number(c.dataset.missed), 0)");
        Assert.Equal(12, missed);

        // A decision's evidence opens on click.
        var decision = page.Locator(".incident[data-outcome='completed'] .decision").Last;
        await Assertions.Expect(decision).ToContainTextAsync("rotate to dc2");
        await decision.ClickAsync();
        await Assertions.Expect(page.Locator(".incident[data-outcome='completed'] .evidence:not([hidden]) .gate.passed").First).ToBeVisibleAsync();

        // Pausing with a wrong token fails visibly; with the right one it succeeds.
        await ControlAsync(page, "pause", "wrong-token-0000000000000");
        await Assertions.Expect(page.Locator("#control-result.error")).ToContainTextAsync("401");
        await Assertions.Expect(page.Locator("#automation")).ToHaveTextAsync("armed");
        await ControlAsync(page, "pause", token);
        await Assertions.Expect(page.Locator("#control-result.ok")).ToContainTextAsync("automation paused");
        await Assertions.Expect(page.Locator("#automation")).ToHaveTextAsync("paused");

        var screenshots = Path.Combine(RepositoryRoot.Path, "TestResults");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "dashboard.png"), FullPage = true });
        Assert.Empty(external);
        Assert.DoesNotContain(_output, l => l.Contains(token, StringComparison.Ordinal));
    }

    private static async Task ControlAsync(IPage page, string action, string token)
    {
        await page.Locator($"#{action}").ClickAsync();
        await page.Locator("#control-token").FillAsync(token);
        await page.Locator("#control-reason").FillAsync("browser test");
        await page.Locator("#control-confirm").ClickAsync();
    }

    /// <summary>Runs the built <c>failover</c> executable's demo and returns the dashboard's URL once it is served.</summary>
    private async Task<string> StartDemoAsync(string tokenFile)
    {
        // tests/Failover.Api.Tests/bin/<Configuration>/net10.0/ → src/Failover.Host/bin/<Configuration>/net10.0/failover.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var failover = Path.Combine(RepositoryRoot.Path, "src", "Failover.Host", "bin", output.Parent!.Name, output.Name, "failover.dll");
        Assert.True(File.Exists(failover), $"{failover} is missing: build the solution first.");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { failover, "demo", "--keep-running", "--speed", "20", "--outage-at", "1", "--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(_directory.FullName, "data"), "--api-token-file", tokenFile },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _demo = Process.Start(start)!;
        _demo.OutputDataReceived += (_, e) => Keep(e.Data);
        _demo.ErrorDataReceived += (_, e) => Keep(e.Data);
        _demo.BeginOutputReadLine();
        _demo.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await _lines.Reader.ReadAsync(limit.Token);
            if (DashboardLine().Match(line) is { Success: true } match)
            {
                return match.Groups["url"].Value;
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        _lines.Writer.TryWrite(line);
    }

    [GeneratedRegex(@"^Dashboard: (?<url>http://127\.0\.0\.1:\d+)/")]
    private static partial Regex DashboardLine();
}
