namespace RecServe.Cli.Bench.Load;

/// <summary>How hard and for how long load is applied.</summary>
internal sealed record LoadSettings
{
    /// <summary>Closed loop: workers each sending their next request as soon as the last one is answered.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Open loop: requests per second sent on a fixed schedule, whatever the answers do; null for closed loop.</summary>
    public double? Rate { get; init; }

    /// <summary>Open loop: most requests outstanding at once; a send due while this many are out is dropped and counted.</summary>
    public int MaxInFlight { get; init; } = 1000;

    /// <summary>Load applied first and not measured (connections open, JIT and caches warm).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Measured time after the warm-up.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most requests sent in the measured phase; 0 for no limit (the duration still bounds the run).</summary>
    public long MaxRequests { get; init; }
}
