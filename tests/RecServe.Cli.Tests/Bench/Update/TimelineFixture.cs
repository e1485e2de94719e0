using System.Diagnostics;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Tests.Bench.Update;

/// <summary>Builds timelines of requests sent at given seconds with given latencies, on a timestamp origin of 0.</summary>
internal static class TimelineFixture
{
    public static long At(double seconds) => (long)(seconds * Stopwatch.Frequency);

    /// <summary>One request per entry, in order: (sent second, latency ms, status or null for success).</summary>
    public static RequestTimeline Of(params (double Seconds, double Millis, string? Status)[] requests)
    {
        var timeline = new RequestTimeline(requests.Length + 8);
        for (var i = 0; i < requests.Length; i++)
        {
            var (seconds, millis, status) = requests[i];
            timeline.Record(i, At(seconds), (long)(millis / 1000 * Stopwatch.Frequency), status);
        }
        return timeline;
    }
}
