namespace RecServe.Server.Dashboard;

/// <summary>
/// One model's traffic over an interval: requests answered, their rate, error share and latency quantiles
/// (milliseconds; NaN when no request finished in the interval).
/// </summary>
public readonly record struct DashboardPoint(double Requests, double Qps, double ErrorRate, double P50Ms, double P99Ms, double P999Ms)
{
    /// <summary>The traffic between two snapshots of the same model (<paramref name="before"/> may be null: no traffic yet).</summary>
    public static DashboardPoint Between(ModelCounters? before, ModelCounters now, double seconds)
    {
        var requests = now.Requests - (before?.Requests ?? 0);
        var errors = now.Errors - (before?.Errors ?? 0);
        var latency = Delta(before?.Latency, now.Latency);
        return new DashboardPoint(
            requests,
            seconds > 0 ? requests / seconds : 0,
            requests > 0 ? errors / requests : 0,
            HistogramQuantile.Compute(0.5, latency) * 1000,
            HistogramQuantile.Compute(0.99, latency) * 1000,
            HistogramQuantile.Compute(0.999, latency) * 1000);
    }

    /// <summary>Bucket counts of <paramref name="now"/> less those of <paramref name="before"/>.</summary>
    public static Dictionary<double, double> Delta(Dictionary<double, double>? before, Dictionary<double, double> now)
    {
        var delta = new Dictionary<double, double>(now.Count);
        foreach (var (bound, count) in now)
        {
            delta[bound] = count - (before?.GetValueOrDefault(bound) ?? 0);
        }
        return delta;
    }
}
