using System.Diagnostics;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// The figures of one update run: latency in the steady state, around the swap and around the delta, failures,
/// how long each update took, and the server's resident memory before, during and after.
/// </summary>
internal sealed record UpdateBenchReport
{
    /// <summary>Event names, in the order they happen.</summary>
    public const string CopyStarted = "copy_started";

    /// <summary>The new version's folder was renamed into the base path.</summary>
    public const string VersionCopied = "version_copied";

    /// <summary>Model status first showed the new version AVAILABLE.</summary>
    public const string VersionLive = "version_live";

    /// <summary>Model status first showed the old version END.</summary>
    public const string OldVersionUnloaded = "old_version_unloaded";

    /// <summary>The delta file was renamed into <c>deltas/</c>.</summary>
    public const string DeltaDropped = "delta_dropped";

    /// <summary><c>recserve_delta_last_seq</c> first showed the delta's seq.</summary>
    public const string DeltaApplied = "delta_applied";

    /// <summary>What was served and how it was loaded, for the report's heading.</summary>
    public required string Description { get; init; }

    /// <summary>Measured requests before the first event.</summary>
    public required WindowSummary Steady { get; init; }

    /// <summary>Requests sent from the copy's start until <see cref="UpdateBenchSettings.After"/> past the new version going live.</summary>
    public required WindowSummary Swap { get; init; }

    /// <summary>Requests sent in the <see cref="UpdateBenchSettings.After"/> after the new version went live (the budget's "30 s after the swap").</summary>
    public required WindowSummary AfterLive { get; init; }

    /// <summary>Requests sent from the delta's drop until <see cref="UpdateBenchSettings.After"/> past its application.</summary>
    public required WindowSummary Delta { get; init; }

    /// <summary>Every measured request.</summary>
    public required WindowSummary Whole { get; init; }

    /// <summary>Events in seconds since the load started (warm-up included).</summary>
    public required IReadOnlyList<(string Name, double Seconds)> Events { get; init; }

    /// <summary>Seconds from the copy's start to the new version serving.</summary>
    public required double SwapSeconds { get; init; }

    /// <summary>Rows the delta upserted.</summary>
    public required long DeltaRows { get; init; }

    /// <summary>Seconds from the delta's drop to its seq showing in the metrics (detection, validation, commit and swap).</summary>
    public required double DeltaSeconds { get; init; }

    /// <summary>Server RSS when the copy started.</summary>
    public required long RssBefore { get; init; }

    /// <summary>Highest server RSS in the swap window.</summary>
    public required long RssPeakSwap { get; init; }

    /// <summary>Server RSS when the delta was dropped (the old version unloaded by then).</summary>
    public required long RssAfterSwap { get; init; }

    /// <summary>Highest server RSS in the delta window.</summary>
    public required long RssPeakDelta { get; init; }

    /// <summary>Open-loop sends dropped by the in-flight bound (measured phase).</summary>
    public required long Dropped { get; init; }

    /// <summary>Open-loop sends that left over a millisecond late (the load generator fell behind).</summary>
    public required long Late { get; init; }

    /// <summary>Answers past the timeline's capacity (not analysed).</summary>
    public required long Overflow { get; init; }

    /// <summary>Delta rows applied per second, end to end.</summary>
    public double DeltaRowsPerSecond => DeltaSeconds > 0 ? DeltaRows / DeltaSeconds : 0;

    /// <summary>p99.9 in the swap window (copy, load and the time after) over the steady p99.9.</summary>
    public double SwapP999Ratio => Ratio(Swap.Latency.P999, Steady.Latency.P999);

    /// <summary>p99.9 after the new version went live over the steady p99.9 (budget ≤ 2).</summary>
    public double AfterLiveP999Ratio => Ratio(AfterLive.Latency.P999, Steady.Latency.P999);

    /// <summary>The windows in report order.</summary>
    public IEnumerable<WindowSummary> Windows => [Steady, Swap, AfterLive, Delta, Whole];

    /// <summary>p99.9 in the delta window over the steady p99.9.</summary>
    public double DeltaP999Ratio => Ratio(Delta.Latency.P999, Steady.Latency.P999);

    /// <summary>Failed measured requests plus dropped sends.</summary>
    public long Errors => Whole.ErrorCount + Dropped;

    /// <summary>Builds the report from a run's timeline, events and memory samples.</summary>
    /// <param name="description">Heading text.</param>
    /// <param name="timeline">Every request.</param>
    /// <param name="loadStart">When the load began (the time axis' origin).</param>
    /// <param name="measureStart">When measuring began (the warm-up's end).</param>
    /// <param name="loadEnd">When the last request was sent.</param>
    /// <param name="after">Time measured past each event's completion.</param>
    /// <param name="events">The run's events; each of <see cref="CopyStarted"/>, <see cref="VersionLive"/>, <see cref="DeltaDropped"/> and <see cref="DeltaApplied"/> must be present.</param>
    /// <param name="memory">The server's RSS samples.</param>
    /// <param name="deltaRows">Rows the delta carried.</param>
    /// <param name="recorder">The run's counters of dropped and late sends.</param>
    public static UpdateBenchReport Create(string description, RequestTimeline timeline, long loadStart, long measureStart, long loadEnd,
        TimeSpan after, IReadOnlyList<UpdateEvent> events, IReadOnlyList<ProcessSample> memory, long deltaRows, BenchRecorder recorder)
    {
        var afterTicks = (long)(after.TotalSeconds * Stopwatch.Frequency);
        var copyStarted = At(events, CopyStarted);
        var live = At(events, VersionLive);
        var dropped = At(events, DeltaDropped);
        var applied = At(events, DeltaApplied);
        var swapEnd = Math.Min(live + afterTicks, dropped);
        var deltaEnd = Math.Min(applied + afterTicks, loadEnd);
        return new UpdateBenchReport
        {
            Description = description,
            Steady = WindowSummary.Of(timeline, "steady", loadStart, measureStart, copyStarted),
            Swap = WindowSummary.Of(timeline, "swap", loadStart, copyStarted, swapEnd),
            AfterLive = WindowSummary.Of(timeline, "after_live", loadStart, live, swapEnd),
            Delta = WindowSummary.Of(timeline, "delta", loadStart, dropped, deltaEnd),
            Whole = WindowSummary.Of(timeline, "whole", loadStart, measureStart, loadEnd),
            Events = events.Select(e => (e.Name, (e.Timestamp - loadStart) / (double)Stopwatch.Frequency)).ToList(),
            SwapSeconds = Seconds(copyStarted, live),
            DeltaRows = deltaRows,
            DeltaSeconds = Seconds(dropped, applied),
            RssBefore = LastBefore(memory, copyStarted),
            RssPeakSwap = Peak(memory, copyStarted, swapEnd),
            RssAfterSwap = LastBefore(memory, dropped),
            RssPeakDelta = Peak(memory, dropped, deltaEnd),
            Dropped = recorder.Dropped,
            Late = recorder.Late,
            Overflow = timeline.Overflow,
        };
    }

    private static long At(IReadOnlyList<UpdateEvent> events, string name)
    {
        foreach (var e in events)
        {
            if (e.Name == name)
            {
                return e.Timestamp;
            }
        }
        throw new ArgumentException($"the run has no '{name}' event", nameof(events));
    }

    private static long LastBefore(IReadOnlyList<ProcessSample> memory, long timestamp)
    {
        long last = 0;
        foreach (var sample in memory)
        {
            if (sample.Timestamp > timestamp)
            {
                break;
            }
            last = sample.RssBytes;
        }
        return last;
    }

    private static long Peak(IReadOnlyList<ProcessSample> memory, long from, long to)
    {
        long peak = 0;
        foreach (var sample in memory)
        {
            if (sample.Timestamp >= from && sample.Timestamp <= to)
            {
                peak = Math.Max(peak, sample.RssBytes);
            }
        }
        return peak;
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    private static double Ratio(double value, double baseline) => baseline > 0 ? value / baseline : double.NaN;
}
