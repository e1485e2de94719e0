using System.Globalization;

namespace RecServe.Cli.Bench.Results;

/// <summary>Writes a <see cref="BenchReport"/> as the aligned text table <c>recserve bench</c> prints at the end.</summary>
internal static class ReportTable
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, BenchReport report)
    {
        var c = CultureInfo.InvariantCulture;
        Row(output, "target", report.Target);
        Row(output, "model", report.Version is { } v ? string.Create(c, $"{report.Model} version {v}") : report.Model);
        Row(output, "load", report.Rate is { } rate
            ? string.Create(c, $"open loop, {rate:0.##} req/s")
            : string.Create(c, $"closed loop, concurrency {report.Concurrency}"));
        Row(output, "batch", string.Create(c, $"{report.RowsPerRequest:0.##} rows/request, pool of {report.PoolSize} requests"));
        Row(output, "time", string.Create(c, $"warm-up {report.WarmupSeconds:0.##} s, measured {report.ElapsedSeconds:0.00} s"));
        Row(output, "requests", string.Create(c, $"{report.Requests} ok, {report.Errors} failed"));
        Row(output, "throughput", string.Create(c, $"{report.RequestsPerSecond:0.0} req/s, {report.RowsPerSecond:0} rows/s"));
        if (report.CpuMicrosecondsPerRequest is { } cpu)
        {
            Row(output, "cpu", string.Create(c, $"{cpu:0.0} µs per request ({report.CpuProcess})"));
        }
        var l = report.Latency;
        Row(output, "latency ms", string.Create(c,
            $"p50 {l.P50:0.000}  p90 {l.P90:0.000}  p99 {l.P99:0.000}  p99.9 {l.P999:0.000}  max {l.Max:0.000}  mean {l.Mean:0.000}"));
        if (report.Errors > 0)
        {
            Row(output, "errors", string.Join(", ", report.ErrorsByStatus.Select(e => string.Create(c, $"{e.Key} {e.Value}"))));
        }
        if (report.Rate is not null)
        {
            Row(output, "dropped", string.Create(c, $"{report.Dropped} (due while the in-flight bound was reached; not sent)"));
            Row(output, "late", string.Create(c, $"{report.Late} (sent over 1 ms after the intended time; latency counts from it)"));
        }
    }

    private static void Row(TextWriter output, string name, string value) => output.WriteLine($"{name,-12} {value}");
}
