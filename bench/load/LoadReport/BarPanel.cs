using System.Text;
using static LoadReport.SvgChart;

namespace LoadReport;

/// <summary>One panel of the chart: a titled bar per target, scaled to the largest maximum among them.</summary>
/// <param name="Width">The panel's width.</param>
/// <param name="Targets">The targets, one bar each, in order.</param>
internal sealed record BarPanel(double Width, IReadOnlyList<TargetInfo> Targets)
{
    private const double LabelWidth = 180, BarHeight = 16, BarGap = 4, ValueWidth = 70, TitleHeight = 22;

    /// <summary>The panel's height with the space below it.</summary>
    public double Height => TitleHeight + (Targets.Count * (BarHeight + BarGap)) + 12;

    private double PlotWidth => Width - LabelWidth - ValueWidth;

    /// <summary>Draws the panel at (<paramref name="x"/>, <paramref name="y"/>): each target's bar from
    /// <paramref name="figure"/> (null: "not run"), its value written with <paramref name="format"/>.</summary>
    public void Draw(StringBuilder sb, double x, double y, string title, Func<string, Spread?> figure, Func<double, string> format)
    {
        sb.AppendLine($"<rect x=\"{Coordinate(x)}\" y=\"{Coordinate(y)}\" width=\"{Coordinate(Width)}\" height=\"{Coordinate(TitleHeight + (Targets.Count * (BarHeight + BarGap)) + 8)}\" fill=\"#f7f7f7\" rx=\"4\"/>");
        sb.AppendLine($"<text x=\"{Coordinate(x + 6)}\" y=\"{Coordinate(y + 15)}\" font-weight=\"bold\">{Escape(title)}</text>");
        var spreads = Targets.Select(t => figure(t.Id)).ToList();
        var max = spreads.OfType<Spread>().Select(s => s.Max).DefaultIfEmpty(1).Max();
        if (max <= 0)
        {
            max = 1;
        }

        var plotX = x + LabelWidth;
        var plotWidth = PlotWidth;
        for (var i = 0; i < Targets.Count; i++)
        {
            var target = Targets[i];
            var barY = y + TitleHeight + (i * (BarHeight + BarGap));
            var textY = Coordinate(barY + BarHeight - 4);
            sb.AppendLine($"<text x=\"{Coordinate(plotX - 6)}\" y=\"{textY}\" text-anchor=\"end\">{Escape(target.Name)}</text>");
            var s = spreads[i];
            if (s is null)
            {
                sb.AppendLine($"<text x=\"{Coordinate(plotX + 4)}\" y=\"{textY}\" fill=\"#999\">not run</text>");
                continue;
            }

            var barWidth = Math.Max(1, plotWidth * s.Median / max);
            sb.AppendLine($"<rect x=\"{Coordinate(plotX)}\" y=\"{Coordinate(barY)}\" width=\"{Coordinate(barWidth)}\" height=\"{Coordinate(BarHeight)}\" fill=\"{target.Color}\"><title>{Escape($"{target.Name}: {format(s.Median)} (min {format(s.Min)}, max {format(s.Max)})")}</title></rect>");
            if (s.Count > 1)
            {
                var x1 = plotX + (plotWidth * s.Min / max);
                var x2 = plotX + (plotWidth * s.Max / max);
                var cy = barY + (BarHeight / 2);
                sb.AppendLine($"<path d=\"M{Coordinate(x1)} {Coordinate(cy)}H{Coordinate(x2)}M{Coordinate(x1)} {Coordinate(cy - 4)}V{Coordinate(cy + 4)}M{Coordinate(x2)} {Coordinate(cy - 4)}V{Coordinate(cy + 4)}\" stroke=\"#222\" stroke-width=\"1\" fill=\"none\"/>");
            }

            var valueX = plotX + Math.Max(barWidth, plotWidth * s.Max / max) + 5;
            sb.AppendLine($"<text x=\"{Coordinate(valueX)}\" y=\"{textY}\" fill=\"#222\">{Escape(format(s.Median))}</text>");
        }
    }
}
