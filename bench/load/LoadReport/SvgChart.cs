using System.Globalization;
using System.Net;
using System.Text;

namespace LoadReport;

/// <summary>
/// bench/load/results.svg: per scenario, two bar panels side by side (requests/s; DB queries per 1,000 requests), one
/// bar per target at its median with a min–max whisker.
/// </summary>
internal static class SvgChart
{
    private const double Width = 1000, Margin = 20, Gap = 30, HeaderHeight = 78, PanelSpacing = 14;

    public static string Render(RunMetadata meta, ResultTable results)
    {
        var scenarios = Scenarios.All.Where(s => results.HasScenario(s.Id)).ToList();
        var targets = Targets.All.Where(t => results.HasTarget(t.Id)).ToList();
        var panel = new BarPanel((Width - (2 * Margin) - Gap) / 2, targets);
        var height = HeaderHeight + (scenarios.Count * (panel.Height + PanelSpacing)) + 40;

        var sb = new StringBuilder();
        sb.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Coordinate(Width)}\" height=\"{Coordinate(height)}\" viewBox=\"0 0 {Coordinate(Width)} {Coordinate(height)}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">");
        sb.AppendLine($"<rect width=\"{Coordinate(Width)}\" height=\"{Coordinate(height)}\" fill=\"#ffffff\"/>");
        sb.AppendLine($"<text x=\"{Coordinate(Margin)}\" y=\"28\" font-size=\"18\" font-weight=\"bold\">EdgeGuard under load: requests/s and catalog DB queries per 1,000 requests</text>");
        sb.AppendLine($"<text x=\"{Coordinate(Margin)}\" y=\"48\" fill=\"#444\">{Escape($"{meta.Text("date")} · {meta.Text("cpu")}, {meta.Text("cores")} cores · wrk -t{meta.Text("THREADS")} -c{meta.Text("CONNECTIONS")}, {meta.Text("DURATION")} s × {meta.Text("ROUNDS")} rounds · {meta.Text("ids")} ids")}</text>");
        sb.AppendLine($"<text x=\"{Coordinate(Margin)}\" y=\"66\" fill=\"#444\">{Escape("bars: median over rounds; whiskers: min–max. Left: higher is better. Right: lower is better.")}</text>");
        if (meta.IsSmokeRun)
        {
            sb.AppendLine($"<text x=\"{Coordinate(Width - Margin)}\" y=\"66\" text-anchor=\"end\" fill=\"#c00\" font-weight=\"bold\">SMOKE RUN: not benchmark numbers</text>");
        }

        var y = HeaderHeight;
        foreach (var s in scenarios)
        {
            panel.Draw(sb, Margin, y, $"{s.ShortName} — requests/s",
                t => results.Find(s.Id, t)?.RequestsPerSecond, v => v.ToString("N0", CultureInfo.InvariantCulture));
            panel.Draw(sb, Margin + panel.Width + Gap, y, $"{s.ShortName} — DB queries / 1k requests",
                t => results.Find(s.Id, t)?.DbQueriesPer1k,
                v => v >= 100 ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture));
            y += panel.Height + PanelSpacing;
        }

        sb.AppendLine($"<text x=\"{Coordinate(Margin)}\" y=\"{Coordinate(height - 26)}\" fill=\"#666\" font-size=\"11\">{Escape("Rendered by bench/load/LoadReport from the raw results of bench/load/run.sh (details and tables: bench/RESULTS.md).")}</text>");
        sb.AppendLine($"<text x=\"{Coordinate(Margin)}\" y=\"{Coordinate(height - 10)}\" fill=\"#666\" font-size=\"11\">{Escape($"Command: {meta.Text("command")}")}</text>");
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    /// <summary>An SVG coordinate or length: at most one decimal.</summary>
    public static string Coordinate(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Escape(string s) => WebUtility.HtmlEncode(s);
}
