using System.Globalization;
using System.Xml.Linq;
using RecServe.Cli.Bench.Update;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class UpdatePlotSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void DrawsOnePointPerSliceForEachSeriesAndALinePerEvent()
    {
        var buckets = new List<LatencyBucket>
        {
            new(0, new LatencyPercentiles(10, 1, 2, 3, 4), 0),
            new(1, new LatencyPercentiles(10, 1.5, 20, 30, 40), 2),
            new(2, default, 1), // only failures: no latency point
            new(3, new LatencyPercentiles(10, 1, 2, 3, 4), 0),
        };
        ServerUsagePoint[] usage = [new(-2, 50, 0), new(0, 100, 0), new(1.5, 180, 150), new(3.5, 120, 90)];
        (double, string)[] events = [(1.0, "version_live"), (2.5, "a<b & c")];

        var document = XDocument.Parse(UpdatePlotSvg.Render("demo & more", buckets, 1.0, usage, events));

        Assert.Equal(Svg + "svg", document.Root!.Name);
        foreach (var series in new[] { "p50", "p99", "max" })
        {
            Assert.Equal(3, Points(document, series).Count);
        }
        // The server's start-up (before the time axis) is not drawn; CPU needs two samples for its first point.
        Assert.Equal(3, Points(document, "rss").Count);
        Assert.Equal(2, Points(document, "cpu").Count);
        Assert.Equal(2, document.Descendants(Svg + "line").Count(l => (string?)l.Attribute("class") == "event"));
        Assert.Equal(2, document.Descendants(Svg + "line").Count(l => (string?)l.Attribute("class") == "error"));
        var texts = document.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("a<b & c", texts);
        Assert.Contains("demo & more", texts);
    }

    [Fact]
    public void HigherLatencyIsDrawnHigher()
    {
        var buckets = new List<LatencyBucket>
        {
            new(0, new LatencyPercentiles(1, 1, 1, 1, 1), 0),
            new(1, new LatencyPercentiles(1, 100, 100, 100, 100), 0),
        };

        var document = XDocument.Parse(UpdatePlotSvg.Render("t", buckets, 1.0, [], []));

        var points = Points(document, "p50");
        Assert.True(points[0].X < points[1].X);
        Assert.True(points[1].Y < points[0].Y, "SVG y grows downwards: the slower slice sits higher");
    }

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(1.3, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(42, 50)]
    [InlineData(0.013, 0.02)]
    public void AxisStepsAreOneTwoOrFiveTimesAPowerOfTen(double rough, double step)
    {
        Assert.Equal(step, UpdatePlotSvg.NiceStep(rough), 9);
    }

    private static List<(double X, double Y)> Points(XDocument document, string series)
    {
        var line = document.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("class") == series);
        var points = (string?)line.Attribute("points") ?? "";
        return points.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();
    }
}
