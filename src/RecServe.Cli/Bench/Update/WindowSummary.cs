using System.Diagnostics;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Bench.Update;

/// <summary>What the requests sent within one stretch of a run did: latency percentiles and failures by status.</summary>
/// <param name="Name">The stretch, e.g. <c>steady</c>, <c>swap</c>, <c>delta</c>.</param>
/// <param name="FromSeconds">Its start, in seconds since the run's origin.</param>
/// <param name="ToSeconds">Its end (exclusive).</param>
/// <param name="Sent">Requests sent in it (answered or not).</param>
/// <param name="Latency">Percentiles of its successful requests.</param>
/// <param name="Errors">Failed or unanswered requests by status name.</param>
internal sealed record WindowSummary(string Name, double FromSeconds, double ToSeconds, long Sent, LatencyPercentiles Latency, SortedDictionary<string, long> Errors)
{
    /// <summary>Failed or unanswered requests.</summary>
    public long ErrorCount => Errors.Values.Sum();

    /// <summary>
    /// Summarises the requests of <paramref name="timeline"/> (up to its <see cref="RequestTimeline.Count"/>) whose
    /// send time lies in [<paramref name="from"/>, <paramref name="to"/>); times are Stopwatch timestamps, reported
    /// relative to <paramref name="origin"/>.
    /// </summary>
    public static WindowSummary Of(RequestTimeline timeline, string name, long origin, long from, long to)
    {
        var latencies = new List<int>();
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long sent = 0;
        var lastSentAt = long.MinValue;
        for (var slot = 0; slot < timeline.Count; slot++)
        {
            var code = timeline.StatusCode(slot);
            // An unanswered slot has no send time of its own; it counts where the request before it was sent.
            var sentAt = code == RequestTimeline.Unanswered ? lastSentAt : timeline.SentAt(slot);
            lastSentAt = sentAt;
            if (sentAt < from || sentAt >= to)
            {
                continue;
            }
            sent++;
            if (code == RequestTimeline.Succeeded)
            {
                latencies.Add(timeline.LatencyMicros(slot));
            }
            else
            {
                var status = timeline.StatusName(code);
                errors[status] = errors.GetValueOrDefault(status) + 1;
            }
        }
        return new WindowSummary(name, Seconds(origin, from), Seconds(origin, to), sent,
            LatencyPercentiles.Of(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(latencies)), errors);
    }

    private static double Seconds(long origin, long timestamp) => (timestamp - origin) / (double)Stopwatch.Frequency;
}
