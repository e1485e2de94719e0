namespace RecServe.Cli.Bench.Update;

/// <summary>Latency percentiles of a set of successful requests, in milliseconds; all zero when there were none.</summary>
/// <param name="Count">Requests the figures are taken over.</param>
/// <param name="P50">Median.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="P999">99.9th percentile.</param>
/// <param name="Max">Slowest.</param>
internal readonly record struct LatencyPercentiles(int Count, double P50, double P99, double P999, double Max)
{
    /// <summary>
    /// The percentiles of <paramref name="micros"/> (sorted here, in place), by nearest rank: the p-th percentile
    /// is the smallest value with at least p% of the values at or below it, so it is always a measured latency.
    /// </summary>
    public static LatencyPercentiles Of(Span<int> micros)
    {
        if (micros.IsEmpty)
        {
            return default;
        }
        micros.Sort();
        return new LatencyPercentiles(micros.Length,
            Millis(NearestRank(micros, 50)), Millis(NearestRank(micros, 99)), Millis(NearestRank(micros, 99.9)), Millis(micros[^1]));
    }

    /// <summary>The value of rank ⌈p/100 · n⌉ (1-based) in sorted <paramref name="sorted"/>.</summary>
    public static int NearestRank(ReadOnlySpan<int> sorted, double percent)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        // Rounded to 1e-9 first: 99.9 / 100 * 1000 is 999.0000000000001 in binary floating point, not 999.
        var rank = (int)Math.Ceiling(Math.Round(percent / 100 * sorted.Length, 9));
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    private static double Millis(int micros) => micros / 1000.0;
}
