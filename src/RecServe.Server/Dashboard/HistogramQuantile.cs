namespace RecServe.Server.Dashboard;

/// <summary>
/// Quantiles of a Prometheus histogram's cumulative buckets, interpolated linearly inside a bucket as
/// PromQL's <c>histogram_quantile</c> does, so the dashboard and a Grafana panel agree.
/// </summary>
public static class HistogramQuantile
{
    /// <summary>
    /// The <paramref name="q"/> quantile of cumulative <paramref name="buckets"/> (upper bound → count at or below
    /// it, including +Inf); NaN when the histogram is empty.
    /// </summary>
    public static double Compute(double q, IReadOnlyDictionary<double, double> buckets)
    {
        var bounds = buckets.Keys.Order().ToArray();
        if (bounds.Length == 0)
        {
            return double.NaN;
        }
        var total = buckets[bounds[^1]];
        if (total <= 0)
        {
            return double.NaN;
        }
        var rank = q * total;
        var lower = 0.0;
        var below = 0.0;
        foreach (var bound in bounds)
        {
            var count = buckets[bound];
            if (count >= rank && count > below)
            {
                // The +Inf bucket has no upper edge: answer the highest finite bound, as PromQL does.
                return double.IsPositiveInfinity(bound) ? lower : lower + ((bound - lower) * (rank - below) / (count - below));
            }
            lower = bound;
            below = count;
        }
        return lower;
    }
}
