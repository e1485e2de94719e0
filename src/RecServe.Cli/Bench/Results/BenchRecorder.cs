using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using HdrHistogram;

namespace RecServe.Cli.Bench.Results;

/// <summary>
/// Collects what requests did: latencies of successful measured requests in an HdrHistogram recorder
/// (wait-free for the many threads that record), counts of requests, rows, errors by status, dropped and late
/// sends. One reader thread takes interval histograms (for the per-second progress line) and adds each into the
/// run's total, so the total is exactly the sum of the intervals.
/// </summary>
internal sealed class BenchRecorder
{
    /// <summary>Latencies are recorded in microseconds; values above an hour are clamped.</summary>
    public const long HighestMicros = 3_600_000_000;

    /// <summary>Significant decimal digits the histograms keep (0.1% resolution).</summary>
    public const int Precision = 3;

    private readonly Recorder _recorder;
    private readonly LongHistogram _total = new(1, HighestMicros, Precision);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _errors = new(StringComparer.Ordinal);
    private readonly double _microsPerTick = 1_000_000.0 / Stopwatch.Frequency;
    private HistogramBase? _interval;
    private long _succeeded;
    private long _rows;
    private long _failed;
    private long _dropped;
    private long _late;
    private long _completed;
    private long _lastCompletion;

    /// <summary>Creates an empty recorder.</summary>
    public BenchRecorder()
    {
        _recorder = HistogramFactory.With64BitBucketSize()
            .WithValuesFrom(1)
            .WithValuesUpTo(HighestMicros)
            .WithPrecisionOf(Precision)
            .WithThreadSafeWrites()
            .WithThreadSafeReads()
            .Create();
    }

    /// <summary>Successful measured requests.</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Rows carried by successful measured requests.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Failed measured requests.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Open loop: measured sends not made because too many requests were in flight.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Open loop: measured sends that left more than the late threshold after their intended time.</summary>
    public long Late => Interlocked.Read(ref _late);

    /// <summary>Every answered request, warm-up included (for the progress line).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Timestamp of the last measured answer, or 0 when none came.</summary>
    public long LastCompletion => Interlocked.Read(ref _lastCompletion);

    /// <summary>The histogram of every interval taken so far, in microseconds.</summary>
    public HistogramBase Total => _total;

    /// <summary>Failed measured requests by status name.</summary>
    public SortedDictionary<string, long> ErrorsByStatus()
    {
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (status, count) in _errors)
        {
            errors[status] = Interlocked.Read(ref count.Value);
        }
        return errors;
    }

    /// <summary>Records one answered request.</summary>
    /// <param name="measured">Whether it belongs to the measured phase.</param>
    /// <param name="status">Null on success, else the status it failed with.</param>
    /// <param name="elapsedTicks">Timestamp ticks from its (intended) send to its answer.</param>
    /// <param name="rows">Rows it carried.</param>
    /// <param name="completedAt">Timestamp of the answer.</param>
    public void Record(bool measured, string? status, long elapsedTicks, int rows, long completedAt)
    {
        Interlocked.Increment(ref _completed);
        if (!measured)
        {
            return;
        }
        InterlockedMax.Raise(ref _lastCompletion, completedAt);
        if (status is null)
        {
            _recorder.RecordValue(ToMicros(elapsedTicks));
            Interlocked.Increment(ref _succeeded);
            Interlocked.Add(ref _rows, rows);
            return;
        }
        Interlocked.Increment(ref _failed);
        Interlocked.Increment(ref _errors.GetOrAdd(status, static _ => new StrongBox<long>()).Value);
    }

    /// <summary>Counts a measured send dropped by the in-flight bound.</summary>
    public void RecordDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Counts a measured send that left late.</summary>
    public void RecordLate() => Interlocked.Increment(ref _late);

    /// <summary>
    /// The latencies recorded since the last call (valid until the next call), also added into <see cref="Total"/>.
    /// One thread at a time.
    /// </summary>
    public HistogramBase TakeInterval()
    {
        _interval = _recorder.GetIntervalHistogram(_interval);
        _total.Add(_interval);
        return _interval;
    }

    /// <summary>Microseconds for a span of timestamp ticks, clamped to what the histogram holds.</summary>
    public long ToMicros(long ticks) => Math.Clamp((long)(ticks * _microsPerTick), 0, HighestMicros);
}
