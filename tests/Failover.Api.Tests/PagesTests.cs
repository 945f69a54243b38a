using System.Net;
using System.Text.RegularExpressions;

namespace Failover.Api.Tests;

/// <summary>The OpenAPI document, the reference page and the dashboard's files: complete, and nothing fetched from elsewhere.</summary>
[Collection(SeededFailover.Name)]
public sealed partial class PagesTests(OutageFixture fixture)
{
    private readonly HttpClient _client = fixture.Factory.CreateClient();

    [Fact]
    public async Task The_OpenAPI_document_lists_every_route()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");

        var paths = document["paths"]!.AsObject();
        string[] gets = ["/api/status", "/api/rounds", "/api/rounds/{id}", "/api/producers/{name}/health", "/api/failovers", "/api/events", "/api/stream"];
        string[] posts = ["/api/automation/pause", "/api/automation/resume", "/api/automation/rearm", "/api/failovers"];
        Assert.All(gets, p => Assert.True(paths[p]?["get"] is not null, $"GET {p} missing from {string.Join(", ", paths.Select(x => x.Key))}"));
        Assert.All(posts, p => Assert.True(paths[p]?["post"] is not null, $"POST {p} missing"));
    }

    [Fact]
    public async Task The_reference_page_is_served_with_its_script_and_no_external_url()
    {
        var html = await _client.GetStringAsync(new Uri("/api/reference", UriKind.Relative));

        Assert.DoesNotMatch(ExternalUrl(), html);
        var scripts = ScriptSources().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var response = await _client.GetAsync(new Uri(new Uri("http://localhost/api/reference/"), script));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{script}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_dashboard_is_served_at_the_root_with_its_module_and_style_and_no_external_url()
    {
        var response = await _client.GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"dashboard.js\">", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalUrl(), html);
        var script = await _client.GetAsync(new Uri("/dashboard.js", UriKind.Relative));
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var code = await script.Content.ReadAsStringAsync();
        Assert.Contains("/api/stream", code, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(import|fetch)\s*\(?\s*['""]https?://", code);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(new Uri("/dashboard.css", UriKind.Relative))).StatusCode);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    /// <summary>An absolute http(s) URL in an attribute or a CSS/JS string, other than the SVG and XHTML namespaces.</summary>
    [GeneratedRegex(@"(src|href|url)\s*[=(]\s*['""]?\s*(https?:)?//(?!www\.w3\.org)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex(@"<script[^>]*\ssrc=""(?<src>[^""]+)""")]
    private static partial Regex ScriptSources();
}
