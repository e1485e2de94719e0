using HdrHistogram;

namespace RecServe.Cli.Bench.Results;

/// <summary>Latency percentiles of a histogram recorded in microseconds, in milliseconds.</summary>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="P999">99.9th percentile.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Mean">Arithmetic mean.</param>
internal readonly record struct LatencySummary(double P50, double P90, double P99, double P999, double Max, double Mean)
{
    /// <summary>Summarises <paramref name="micros"/>; all zeros when it is empty.</summary>
    public static LatencySummary From(HistogramBase micros)
    {
        if (micros.TotalCount == 0)
        {
            return default;
        }
        return new LatencySummary(
            Millis(micros.GetValueAtPercentile(50)),
            Millis(micros.GetValueAtPercentile(90)),
            Millis(micros.GetValueAtPercentile(99)),
            Millis(micros.GetValueAtPercentile(99.9)),
            Millis(micros.GetMaxValue()),
            micros.GetMean() / 1000.0);
    }

    private static double Millis(long micros) => micros / 1000.0;
}
