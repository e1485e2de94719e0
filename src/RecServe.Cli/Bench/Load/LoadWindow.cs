using System.Diagnostics;

namespace RecServe.Cli.Bench.Load;

/// <summary>
/// When a run starts, when measuring begins (after the warm-up) and when sending ends, as
/// <see cref="Stopwatch"/> timestamps. A request belongs to the measured phase by the time it was (meant to be) sent.
/// </summary>
/// <param name="Start">Warm-up begins.</param>
/// <param name="MeasureStart">Measuring begins.</param>
/// <param name="End">No request is sent at or after this time.</param>
internal readonly record struct LoadWindow(long Start, long MeasureStart, long End)
{
    /// <summary>A window beginning now.</summary>
    public static LoadWindow StartingNow(TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var measureStart = start + Ticks(warmup);
        return new LoadWindow(start, measureStart, measureStart + Ticks(duration));
    }

    /// <summary>Whether a request sent at <paramref name="timestamp"/> is measured.</summary>
    public bool IsMeasured(long timestamp) => timestamp >= MeasureStart;

    /// <summary>Converts a span of time to timestamp ticks.</summary>
    public static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Seconds between two timestamps.</summary>
    public static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
