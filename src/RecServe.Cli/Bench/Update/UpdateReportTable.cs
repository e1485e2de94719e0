using System.Globalization;

namespace RecServe.Cli.Bench.Update;

/// <summary>The update report as text for the console.</summary>
internal static class UpdateReportTable
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, UpdateBenchReport report)
    {
        output.WriteLine(report.Description);
        output.WriteLine(Invariant($"{"window",-10} {"from s",8} {"to s",8} {"sent",8} {"p50 ms",8} {"p99 ms",8} {"p99.9 ms",9} {"max ms",8}  errors"));
        foreach (var window in report.Windows)
        {
            var errors = window.Errors.Count == 0 ? "0" : string.Join(", ", window.Errors.Select(e => $"{e.Key} {e.Value}"));
            var latency = window.Latency;
            output.WriteLine(Invariant($"{window.Name,-10} {window.FromSeconds,8:F1} {window.ToSeconds,8:F1} {window.Sent,8} {latency.P50,8:F3} {latency.P99,8:F3} {latency.P999,9:F3} {latency.Max,8:F3}  {errors}"));
        }
        output.WriteLine(Invariant($"p99.9 ratio to steady: after live {report.AfterLiveP999Ratio:F2} (budget <= 2), whole swap {report.SwapP999Ratio:F2}, delta {report.DeltaP999Ratio:F2}"));
        output.WriteLine(Invariant($"errors {report.Errors} (budget 0; dropped sends {report.Dropped}), late sends {report.Late}"));
        output.WriteLine(Invariant($"swap: copy start to live {report.SwapSeconds:F2} s"));
        output.WriteLine(Invariant($"delta: {report.DeltaRows:N0} rows applied in {report.DeltaSeconds:F2} s = {report.DeltaRowsPerSecond / 1e6:F2} M rows/s end to end (budget >= 1)"));
        output.WriteLine(Invariant($"server RSS MB: before swap {Mb(report.RssBefore)}, peak during swap {Mb(report.RssPeakSwap)}, after swap {Mb(report.RssAfterSwap)}, peak during delta {Mb(report.RssPeakDelta)}"));
        output.WriteLine("events: " + string.Join(", ", report.Events.Select(e => Invariant($"{e.Name} {e.Seconds:F2} s"))));
    }

    private static string Mb(long bytes) => (bytes / 1e6).ToString("F0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
