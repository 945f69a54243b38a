using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Failover.Simulator;

namespace Failover.Host.Commands;

/// <summary>
/// The clock of a running <c>failover simulate</c>: its time and speed from <c>GET /sim/state</c>, so the service judges
/// head age and LIB movement on the simulated chain's own time when the simulation runs faster than real time.
/// </summary>
internal static class SimulatorClock
{
    public static async Task<(ScaledTimeProvider? Clock, string? Problem)> JoinAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            return (null, $"'{url}' must be the simulator's http:// URL, e.g. http://127.0.0.1:8888");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var watch = Stopwatch.StartNew();
        JsonElement state;
        try
        {
            using var response = await http.GetAsync(new Uri(baseUri, "/sim/state"), cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            state = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).RootElement;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return (null, $"GET {baseUri}sim/state failed: {e.Message}");
        }

        if (!state.TryGetProperty("now", out var nowText)
            || !DateTimeOffset.TryParseExact(nowText.GetString(), "yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var now))
        {
            return (null, "the simulator's /sim/state has no readable 'now'");
        }

        var speed = state.TryGetProperty("speed", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 1;
        // The simulator's time was read about halfway through the request.
        return (new ScaledTimeProvider(speed, startAt: now + (watch.Elapsed / 2 * speed)), null);
    }
}
