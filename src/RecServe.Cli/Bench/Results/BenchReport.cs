using RecServe.Cli.Bench.Load;

namespace RecServe.Cli.Bench.Results;

/// <summary>The outcome of one run, as the table and the JSON file report it.</summary>
internal sealed record BenchReport
{
    /// <summary>API and address (or model path) under load.</summary>
    public required string Target { get; init; }

    /// <summary>The API's command-line name.</summary>
    public required string Api { get; init; }

    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>Requested version, or null.</summary>
    public long? Version { get; init; }

    /// <summary>"closed" (fixed concurrency) or "open" (fixed rate).</summary>
    public required string Mode { get; init; }

    /// <summary>Closed-loop workers.</summary>
    public int Concurrency { get; init; }

    /// <summary>Open-loop target rate in requests per second, or null.</summary>
    public double? Rate { get; init; }

    /// <summary>Rows per request (the mean, when requests came from a file).</summary>
    public double RowsPerRequest { get; init; }

    /// <summary>Distinct requests cycled through.</summary>
    public int PoolSize { get; init; }

    /// <summary>Warm-up seconds (not measured).</summary>
    public double WarmupSeconds { get; init; }

    /// <summary>Measured seconds asked for.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Seconds from the start of measuring to the last answer: the throughput's denominator.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>Successful measured requests.</summary>
    public long Requests { get; init; }

    /// <summary>Rows in successful measured requests.</summary>
    public long Rows { get; init; }

    /// <summary>Failed measured requests.</summary>
    public long Errors { get; init; }

    /// <summary>Failed measured requests by status.</summary>
    public required IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; }

    /// <summary>Open loop: sends dropped at the in-flight bound.</summary>
    public long Dropped { get; init; }

    /// <summary>Open loop: sends that left over 1 ms late.</summary>
    public long Late { get; init; }

    /// <summary>Successful requests per second.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Rows per second in successful requests.</summary>
    public double RowsPerSecond { get; init; }

    /// <summary>Latency of successful requests.</summary>
    public LatencySummary Latency { get; init; }

    /// <summary>The process whose CPU time was metered ("in-process" or "pid N"), or null.</summary>
    public string? CpuProcess { get; init; }

    /// <summary>That process's CPU microseconds per measured request (answered or failed), or null.</summary>
    public double? CpuMicrosecondsPerRequest { get; init; }

    /// <summary>Builds the report once the run is over and the last interval has been taken.</summary>
    public static BenchReport Create(BenchSettings settings, string target, int[] rows, LoadWindow window, long stoppedAt, BenchRecorder recorder)
    {
        var end = Math.Max(stoppedAt, recorder.LastCompletion);
        var elapsed = Math.Max(LoadWindow.Seconds(window.MeasureStart, end), 1e-9);
        var load = settings.Load;
        return new BenchReport
        {
            Target = target,
            Api = settings.Target.Api.Name(),
            Model = settings.Target.Model,
            Version = settings.Target.Version,
            Mode = load.Rate is null ? "closed" : "open",
            Concurrency = load.Rate is null ? load.Concurrency : 0,
            Rate = load.Rate,
            RowsPerRequest = rows.Average(),
            PoolSize = rows.Length,
            WarmupSeconds = load.Warmup.TotalSeconds,
            DurationSeconds = load.Duration.TotalSeconds,
            ElapsedSeconds = elapsed,
            Requests = recorder.Succeeded,
            Rows = recorder.Rows,
            Errors = recorder.Failed,
            ErrorsByStatus = recorder.ErrorsByStatus(),
            Dropped = recorder.Dropped,
            Late = recorder.Late,
            RequestsPerSecond = recorder.Succeeded / elapsed,
            RowsPerSecond = recorder.Rows / elapsed,
            Latency = LatencySummary.From(recorder.Total),
        };
    }
}
