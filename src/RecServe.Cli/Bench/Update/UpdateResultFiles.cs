using System.Diagnostics;
using System.Globalization;
using System.Text;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// Writes an update run's results folder: <c>summary.json</c> (the report), <c>timeline.csv</c> (every request),
/// <c>server.csv</c> (server RSS and CPU samples), <c>events.csv</c> and <c>latency.svg</c> (latency, memory and CPU over time).
/// </summary>
internal static class UpdateResultFiles
{
    /// <summary>Width of one point of the plot.</summary>
    public static readonly TimeSpan PlotSlice = TimeSpan.FromSeconds(1);

    /// <summary>Writes every file into <paramref name="folder"/>; times are seconds since <paramref name="origin"/>.</summary>
    public static void Write(string folder, UpdateBenchReport report, RequestTimeline timeline, long origin, IReadOnlyList<ProcessSample> server)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "summary.json"), UpdateReportJson.Format(report));
        WriteTimeline(Path.Combine(folder, "timeline.csv"), timeline, origin);
        var usage = ServerUsagePoint.From(server, origin);
        File.WriteAllLines(Path.Combine(folder, "server.csv"),
            ["seconds,rss_mb,cpu_percent", .. usage.Select(p => Invariant($"{p.Seconds:F3},{p.RssMb:F1},{p.CpuPercent:F0}"))]);
        File.WriteAllLines(Path.Combine(folder, "events.csv"),
            ["seconds,event", .. report.Events.Select(e => Invariant($"{e.Seconds:F3},{e.Name}"))]);
        var buckets = LatencyBucket.Slice(timeline, origin, PlotSlice);
        var title = report.Description;
        File.WriteAllText(Path.Combine(folder, "latency.svg"),
            UpdatePlotSvg.Render(title, buckets, PlotSlice.TotalSeconds, usage, report.Events.Select(e => (e.Seconds, e.Name)).ToList()));
    }

    private static void WriteTimeline(string path, RequestTimeline timeline, long origin)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.WriteLine("seq,sent_s,latency_ms,status");
        for (var slot = 0; slot < timeline.Count; slot++)
        {
            var code = timeline.StatusCode(slot);
            if (code == RequestTimeline.Unanswered)
            {
                writer.WriteLine(Invariant($"{slot},,,{timeline.StatusName(code)}"));
                continue;
            }
            writer.WriteLine(Invariant($"{slot},{Seconds(origin, timeline.SentAt(slot)):F6},{timeline.LatencyMicros(slot) / 1000.0:F3},{timeline.StatusName(code)}"));
        }
    }

    private static double Seconds(long origin, long timestamp) => (timestamp - origin) / (double)Stopwatch.Frequency;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
