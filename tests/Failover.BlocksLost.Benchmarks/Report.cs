using System.Globalization;
using System.Text;
using Failover.Simulator;

namespace Failover.BlocksLost.Benchmarks;

/// <summary>The runs as CSV, and the summary table of docs/performance.md.</summary>
internal static class Report
{
    public static string Seconds(TimeSpan? span) => span is { } s ? s.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "never";

    public static IEnumerable<string> Csv(IReadOnlyList<RunResult> results) =>
        results.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Spec.Mode.ToString().ToLowerInvariant()},{r.Spec.System},{r.Spec.Seed},{r.Spec.SecondsBeforeOurWindow:0.0},{r.Lost},{(r.OutageToPush is { } p ? p.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : string.Empty)}"))
            .Prepend("mode,system,seed,outage_s_before_our_window,blocks_lost,outage_to_push_s");

    public static string Markdown(IReadOnlyList<RunResult> results)
    {
        var text = new StringBuilder();
        foreach (var mode in results.Select(r => r.Spec.Mode).Distinct())
        {
            var ofMode = results.Where(r => r.Spec.Mode == mode).ToList();
            var systems = Systems.For(mode).ToList();
            var mean = systems.ToDictionary(s => s, s => ofMode.Where(r => r.Spec.System == s).Average(r => r.Lost));
            text.AppendLine(CultureInfo.InvariantCulture, $"**{mode}** ({ofMode.Select(r => r.Spec.Seed).Distinct().Count()} seeds × {OutageMoments.All.Count} outage moments)");
            text.AppendLine();
            text.AppendLine("| system | mean blocks lost | max | ÷ oracle's mean (+ difference) | outage → push mean | max | lost when the outage is ≥ 80 s before our window (max) |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var system in systems)
            {
                var runs = ofMode.Where(r => r.Spec.System == system).ToList();
                var pushes = runs.Where(r => r.OutageToPush is not null).Select(r => r.OutageToPush!.Value.TotalSeconds).ToList();
                var early = runs.Where(r => r.Spec.SecondsBeforeOurWindow >= 80).Select(r => r.Lost).DefaultIfEmpty().Max();
                var pushMean = pushes.Count > 0 ? pushes.Average().ToString("0.0", CultureInfo.InvariantCulture) + " s" : "—";
                var pushMax = pushes.Count > 0 ? pushes.Max().ToString("0.0", CultureInfo.InvariantCulture) + " s" : "—";
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {system} | {mean[system]:0.00} | {runs.Max(r => r.Lost)} | {Ratio(mean[system], mean[Systems.Oracle])} (+{mean[system] - mean[Systems.Oracle]:0.00}) | {pushMean} | {pushMax} | {early} |"));
            }

            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Ratios of means: reactive ÷ default {Ratio(mean[Systems.Reactive], mean[Systems.Default])}, naive ÷ default {Ratio(mean[Systems.Naive], mean[Systems.Default])}, default − oracle {mean[Systems.Default] - mean[Systems.Oracle]:0.00} blocks.");
            text.AppendLine();
            text.AppendLine("| outage, s before our window | " + string.Join(" | ", systems) + " |");
            text.AppendLine("|---:|" + string.Concat(systems.Select(_ => "---:|")));
            foreach (var moment in ofMode.Select(r => r.Spec.SecondsBeforeOurWindow).Distinct().Order())
            {
                text.AppendLine(
                    moment.ToString("| 0.0 | ", CultureInfo.InvariantCulture) + string.Join(" | ", systems.Select(s => Range(ofMode.Where(r => r.Spec.System == s && r.Spec.SecondsBeforeOurWindow == moment).Select(r => r.Lost).ToList()))) + " |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The values over the seeds: one number when they agree, else min–max.</summary>
    private static string Range(IReadOnlyList<int> lost) =>
        lost.Min() == lost.Max() ? lost.Min().ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{lost.Min()}–{lost.Max()}");

    private static string Ratio(double a, double b) => b == 0 ? (a == 0 ? "1.00" : "∞") : (a / b).ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>Mean blocks lost by outage moment, one line per system, one panel per consensus mode.</summary>
internal static class Chart
{
    private const int Width = 760;
    private const int PanelHeight = 300;
    private const int Left = 60;
    private const int Top = 40;

    private static readonly Dictionary<string, string> Colours = new()
    {
        [Systems.Default] = "#1b7837", [Systems.Reactive] = "#2166ac", [Systems.Naive] = "#b2182b", [Systems.Oracle] = "#7f7f7f", [Systems.Probes] = "#e08214",
    };

    public static string Svg(IReadOnlyList<RunResult> results)
    {
        var modes = results.Select(r => r.Spec.Mode).Distinct().ToList();
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{(PanelHeight + 80) * modes.Count}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        for (var panel = 0; panel < modes.Count; panel++)
        {
            Panel(svg, results.Where(r => r.Spec.Mode == modes[panel]).ToList(), modes[panel], panel * (PanelHeight + 80));
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, List<RunResult> runs, ConsensusMode mode, int offsetY)
    {
        var moments = runs.Select(r => r.Spec.SecondsBeforeOurWindow).Distinct().Order().ToList();
        var maxLost = Math.Max(12, runs.Max(r => r.Lost));
        var plotWidth = Width - Left - 170;
        double X(double seconds) => Left + (plotWidth * (moments[^1] - seconds) / (moments[^1] - moments[0]));
        double Y(double lost) => offsetY + Top + PanelHeight - 40 - ((PanelHeight - 40) * lost / maxLost);

        var baseY = Y(0);
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{offsetY + 20}\" font-size=\"14\" font-weight=\"bold\">Blocks lost by outage moment — {mode.ToString().ToLowerInvariant()} (mean over seeds)</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{baseY:0.0}\" x2=\"{Left + plotWidth}\" y2=\"{baseY:0.0}\" stroke=\"black\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Y(maxLost):0.0}\" x2=\"{Left}\" y2=\"{baseY:0.0}\" stroke=\"black\"/>");
        for (var tick = 0; tick <= maxLost; tick += maxLost > 60 ? 24 : 12)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{Y(tick) + 4:0.0}\" text-anchor=\"end\">{tick}</text>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Y(tick):0.0}\" x2=\"{Left + plotWidth}\" y2=\"{Y(tick):0.0}\" stroke=\"#dddddd\"/>");
        }

        foreach (var moment in moments.Where((_, i) => i % 4 == 0))
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{X(moment):0.0}\" y=\"{baseY + 16:0.0}\" text-anchor=\"middle\">{moment:0}</text>");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{baseY + 34:0.0}\" text-anchor=\"middle\">outage, seconds before our window (left: a round before; right: just before)</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text transform=\"translate({Left - 40},{Y(maxLost / 2.0):0.0}) rotate(-90)\" text-anchor=\"middle\">blocks lost</text>");
        var legendY = offsetY + Top + 10;
        foreach (var system in Systems.For(mode))
        {
            var points = moments.Select(m => (X: X(m), Y: Y(runs.Where(r => r.Spec.System == system && r.Spec.SecondsBeforeOurWindow == m).Average(r => r.Lost))));
            var dashes = system == Systems.Reactive ? " stroke-dasharray=\"8,4\"" : string.Empty;
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"<polyline fill=\"none\" stroke=\"{Colours[system]}\" stroke-width=\"2\"{dashes} points=\"{string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.0},{p.Y:0.0}")))}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Left + plotWidth + 20}\" y1=\"{legendY}\" x2=\"{Left + plotWidth + 44}\" y2=\"{legendY}\" stroke=\"{Colours[system]}\" stroke-width=\"3\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth + 50}\" y=\"{legendY + 4}\">{system}</text>");
            legendY += 20;
        }
    }
}
