using System.Globalization;
using System.Security;
using System.Text;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// Draws latency over time (p50, p99 and max per slice, log scale, failed requests as red ticks) above the server's
/// resident memory and CPU use, on one time axis, with a dashed line at each update event. Plain SVG 1.1 text: any browser or
/// Markdown viewer shows it, and no plotting library is needed.
/// </summary>
internal static class UpdatePlotSvg
{
    private const int Width = 1000;
    private const int Left = 70;
    private const int Right = 20;
    private const int LatencyTop = 60;
    private const int LatencyHeight = 300;
    private const int MemoryTop = LatencyTop + LatencyHeight + 40;
    private const int MemoryHeight = 150;
    private const int CpuTop = MemoryTop + MemoryHeight + 20;
    private const int CpuHeight = 120;
    private const int Height = CpuTop + CpuHeight + 50;
    private const int PlotWidth = Width - Left - Right;

    private static readonly (string Label, string Color, Func<LatencyPercentiles, double> Value)[] Series =
    [
        ("max", "#9e9e9e", p => p.Max),
        ("p99", "#e66100", p => p.P99),
        ("p50", "#1a5fb4", p => p.P50),
    ];

    /// <summary>Writes the plot of <paramref name="buckets"/>, <paramref name="usage"/> and <paramref name="events"/> (all in seconds since the run's origin).</summary>
    /// <param name="title">What was run, under the heading.</param>
    /// <param name="buckets">Latency per time slice, in time order.</param>
    /// <param name="bucketSeconds">Width of a slice.</param>
    /// <param name="usage">The server's memory and CPU in time order.</param>
    /// <param name="events">(seconds, name) of each event.</param>
    public static string Render(string title, IReadOnlyList<LatencyBucket> buckets, double bucketSeconds,
        IReadOnlyList<ServerUsagePoint> usage, IReadOnlyList<(double Seconds, string Name)> events)
    {
        var end = 1.0;
        foreach (var bucket in buckets)
        {
            end = Math.Max(end, bucket.StartSeconds + bucketSeconds);
        }
        foreach (var point in usage)
        {
            end = Math.Max(end, point.Seconds);
        }
        var x = new Func<double, double>(seconds => Left + PlotWidth * Math.Clamp(seconds / end, 0, 1));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"20\" font-size=\"15\">recserve bench update</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"38\" font-size=\"11\">{Escape(title)}</text>\n");
        TimeAxis(svg, end, x);
        LatencyPanel(svg, buckets, bucketSeconds, x);
        // The server's start-up, before the time axis begins, is left out.
        var drawn = usage.Where(p => p.Seconds >= 0).ToList();
        LinePanel(svg, MemoryTop, MemoryHeight, "server RSS, MB", "rss", "#26a269", drawn.Select(p => (p.Seconds, p.RssMb)).ToList(), x);
        LinePanel(svg, CpuTop, CpuHeight, "server CPU, % of a core", "cpu", "#a51d2d", drawn.Skip(1).Select(p => (p.Seconds, p.CpuPercent)).ToList(), x);
        Events(svg, events, x);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void TimeAxis(StringBuilder svg, double end, Func<double, double> x)
    {
        var step = NiceStep(end / 10);
        for (var t = 0.0; t <= end + 1e-9; t += step)
        {
            var px = x(t);
            Line(svg, px, LatencyTop, px, LatencyTop + LatencyHeight, "#eeeeee");
            Line(svg, px, MemoryTop, px, MemoryTop + MemoryHeight, "#eeeeee");
            Line(svg, px, CpuTop, px, CpuTop + CpuHeight, "#eeeeee");
            Text(svg, px, CpuTop + CpuHeight + 16, Number(t), "middle");
        }
        Text(svg, Left + PlotWidth / 2.0, CpuTop + CpuHeight + 36, "seconds since the load started", "middle");
    }

    private static void LatencyPanel(StringBuilder svg, IReadOnlyList<LatencyBucket> buckets, double bucketSeconds, Func<double, double> x)
    {
        // Log scale from the decade below the fastest p50 to the decade above the slowest request.
        var low = double.MaxValue;
        var high = 0.0;
        foreach (var bucket in buckets)
        {
            if (bucket.Latency.Count > 0)
            {
                low = Math.Min(low, bucket.Latency.P50);
                high = Math.Max(high, bucket.Latency.Max);
            }
        }
        var lowDecade = high > 0 ? Math.Floor(Math.Log10(Math.Max(low, 0.001))) : -1;
        var highDecade = high > 0 ? Math.Max(Math.Ceiling(Math.Log10(high)), lowDecade + 1) : 2;
        double Y(double ms) => LatencyTop + LatencyHeight * (1 - (Math.Log10(Math.Max(ms, Math.Pow(10, lowDecade))) - lowDecade) / (highDecade - lowDecade));

        Frame(svg, LatencyTop, LatencyHeight, "latency, ms (log)");
        for (var decade = lowDecade; decade <= highDecade; decade++)
        {
            var py = Y(Math.Pow(10, decade));
            Line(svg, Left, py, Left + PlotWidth, py, "#dddddd");
            Text(svg, Left - 6, py + 4, Number(Math.Pow(10, decade)), "end");
        }
        var legendX = Left + PlotWidth - 160.0;
        foreach (var (label, color, value) in Series)
        {
            var points = new StringBuilder();
            foreach (var bucket in buckets)
            {
                if (bucket.Latency.Count > 0)
                {
                    points.Append(CultureInfo.InvariantCulture, $"{x(bucket.StartSeconds + bucketSeconds / 2):F1},{Y(value(bucket.Latency)):F1} ");
                }
            }
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"{label}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points.ToString().TrimEnd()}\"/>\n");
            Line(svg, legendX, LatencyTop - 14, legendX + 18, LatencyTop - 14, color, width: 3);
            Text(svg, legendX + 22, LatencyTop - 10, label, "start");
            legendX += 55;
        }
        foreach (var bucket in buckets)
        {
            if (bucket.Errors > 0)
            {
                var px = x(bucket.StartSeconds + bucketSeconds / 2);
                svg.Append(CultureInfo.InvariantCulture, $"<line class=\"error\" x1=\"{px:F1}\" y1=\"{LatencyTop + LatencyHeight - 12}\" x2=\"{px:F1}\" y2=\"{LatencyTop + LatencyHeight}\" stroke=\"#c01c28\" stroke-width=\"3\"><title>{bucket.Errors} failed</title></line>\n");
            }
        }
    }

    private static void LinePanel(StringBuilder svg, int top, int height, string label, string name, string color,
        IReadOnlyList<(double Seconds, double Value)> points, Func<double, double> x)
    {
        var peak = 1.0;
        foreach (var point in points)
        {
            peak = Math.Max(peak, point.Value);
        }
        var step = NiceStep(peak / 4);
        var ceiling = Math.Ceiling(peak * 1.05 / step) * step;
        double Y(double value) => top + height * (1 - value / ceiling);

        Frame(svg, top, height, label);
        for (var value = 0.0; value <= ceiling + 1e-9; value += step)
        {
            Line(svg, Left, Y(value), Left + PlotWidth, Y(value), "#dddddd");
            Text(svg, Left - 6, Y(value) + 4, Number(value), "end");
        }
        var line = new StringBuilder();
        foreach (var point in points)
        {
            line.Append(CultureInfo.InvariantCulture, $"{x(point.Seconds):F1},{Y(point.Value):F1} ");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"{name}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{line.ToString().TrimEnd()}\"/>\n");
    }

    private static void Events(StringBuilder svg, IReadOnlyList<(double Seconds, string Name)> events, Func<double, double> x)
    {
        // Each label takes the first row where it does not run into the previous label, so that events a moment
        // apart stay readable (about 7 px per character at this font size).
        var rowEnds = new double[4];
        Array.Fill(rowEnds, double.MinValue);
        foreach (var (seconds, name) in events)
        {
            var px = x(seconds);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"event\" x1=\"{px:F1}\" y1=\"{LatencyTop}\" x2=\"{px:F1}\" y2=\"{CpuTop + CpuHeight}\" stroke=\"#613583\" stroke-dasharray=\"4 3\"/>\n");
            var row = Array.FindIndex(rowEnds, end => end < px);
            row = row < 0 ? Array.IndexOf(rowEnds, rowEnds.Min()) : row;
            rowEnds[row] = px + 6 + 7 * name.Length;
            Text(svg, px + 3, LatencyTop + 12 + row * 14, name, "start", "#613583");
        }
    }

    private static void Frame(StringBuilder svg, int top, int height, string label)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{PlotWidth}\" height=\"{height}\" fill=\"none\" stroke=\"#888888\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + height / 2}\" transform=\"rotate(-90 14 {top + height / 2})\" text-anchor=\"middle\">{Escape(label)}</text>\n");
    }

    private static void Line(StringBuilder svg, double x1, double y1, double x2, double y2, string color, int width = 1) =>
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x1:F1}\" y1=\"{y1:F1}\" x2=\"{x2:F1}\" y2=\"{y2:F1}\" stroke=\"{color}\" stroke-width=\"{width}\"/>\n");

    private static void Text(StringBuilder svg, double x, double y, string text, string anchor, string color = "#333333") =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{y:F1}\" text-anchor=\"{anchor}\" fill=\"{color}\">{Escape(text)}</text>\n");

    /// <summary>The step of 1, 2 or 5 × 10^k nearest above <paramref name="rough"/>, for axis ticks.</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough))
        {
            return 1;
        }
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
