using System.Diagnostics;
using System.Runtime.InteropServices;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Bench.Update;

/// <summary>The requests sent in one fixed slice of a run (one point of the latency-over-time plot).</summary>
/// <param name="StartSeconds">The slice's start, in seconds since the run's origin.</param>
/// <param name="Latency">Percentiles of its successful requests.</param>
/// <param name="Errors">Its failed requests.</param>
internal readonly record struct LatencyBucket(double StartSeconds, LatencyPercentiles Latency, int Errors)
{
    /// <summary>
    /// Cuts the answered requests of <paramref name="timeline"/> into slices of <paramref name="width"/> by send
    /// time, from <paramref name="origin"/> (earlier requests are left out); slices without requests are omitted.
    /// </summary>
    public static List<LatencyBucket> Slice(RequestTimeline timeline, long origin, TimeSpan width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(width, TimeSpan.Zero);
        var widthTicks = (long)(width.TotalSeconds * Stopwatch.Frequency);
        var latencies = new SortedDictionary<long, List<int>>();
        var errors = new Dictionary<long, int>();
        for (var slot = 0; slot < timeline.Count; slot++)
        {
            var code = timeline.StatusCode(slot);
            var sentAt = timeline.SentAt(slot);
            if (code == RequestTimeline.Unanswered || sentAt < origin)
            {
                continue;
            }
            var index = (sentAt - origin) / widthTicks;
            if (!latencies.TryGetValue(index, out var slice))
            {
                latencies[index] = slice = [];
            }
            if (code == RequestTimeline.Succeeded)
            {
                slice.Add(timeline.LatencyMicros(slot));
            }
            else
            {
                errors[index] = errors.GetValueOrDefault(index) + 1;
            }
        }
        var buckets = new List<LatencyBucket>(latencies.Count);
        foreach (var (index, slice) in latencies)
        {
            buckets.Add(new LatencyBucket(index * width.TotalSeconds, LatencyPercentiles.Of(CollectionsMarshal.AsSpan(slice)), errors.GetValueOrDefault(index)));
        }
        return buckets;
    }
}
