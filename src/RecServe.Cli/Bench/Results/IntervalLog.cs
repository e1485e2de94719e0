using System.Text.Json;
using HdrHistogram;

namespace RecServe.Cli.Bench.Results;

/// <summary>
/// Writes one JSON line per period of a run: its latency percentiles, answers, rate and errors. A long run (a soak)
/// needs the percentiles of each minute, not just of the whole run, to show whether its tail stays where it started.
/// Fed the recorder's one-second intervals; merges them into a period histogram, so the period's percentiles are
/// exact (within HdrHistogram's precision), not averages of per-second ones.
/// </summary>
internal sealed class IntervalLog : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly double _periodSeconds;
    private readonly HistogramBase _period = new LongHistogram(BenchRecorder.HighestMicros, BenchRecorder.Precision);
    private double _periodStart;
    private long _failedAtStart;

    /// <summary>Creates (truncates) <paramref name="path"/>, writing a line every <paramref name="periodSeconds"/>.</summary>
    public IntervalLog(string path, double periodSeconds)
    {
        if (!(periodSeconds > 0) || !double.IsFinite(periodSeconds))
        {
            throw new ArgumentException($"--interval-seconds must be a positive number of seconds, not {periodSeconds}");
        }
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        _periodSeconds = periodSeconds;
    }

    /// <summary>
    /// Adds one interval that ended <paramref name="elapsedSeconds"/> into the measured time; writes the period's line
    /// when the period is over (or <paramref name="final"/>, for what is left at the end of the run).
    /// </summary>
    public void Add(HistogramBase interval, double elapsedSeconds, long failedSoFar, bool final = false)
    {
        _period.Add(interval);
        var length = elapsedSeconds - _periodStart;
        if (length < _periodSeconds && !(final && _period.TotalCount > 0))
        {
            return;
        }
        var latency = LatencySummary.From(_period);
        var line = new Dictionary<string, object>
        {
            ["start_s"] = Math.Round(_periodStart, 3),
            ["end_s"] = Math.Round(elapsedSeconds, 3),
            ["answers"] = _period.TotalCount,
            ["rate"] = Math.Round(_period.TotalCount / Math.Max(length, 1e-9), 1),
            ["errors"] = failedSoFar - _failedAtStart,
            ["p50_ms"] = latency.P50,
            ["p99_ms"] = latency.P99,
            ["p999_ms"] = latency.P999,
            ["max_ms"] = latency.Max,
        };
        _writer.WriteLine(JsonSerializer.Serialize(line));
        _period.Reset();
        _periodStart = elapsedSeconds;
        _failedAtStart = failedSoFar;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
