using RecServe.Cli.Bench.Targets;

namespace RecServe.Cli.Bench.Update;

/// <summary>Everything one <c>recserve bench update</c> run needs.</summary>
internal sealed record UpdateBenchSettings
{
    /// <summary>Folder the results (summary, timeline, plot, server log) and the run's working files go to.</summary>
    public required string ResultsFolder { get; init; }

    /// <summary>The model name the server serves.</summary>
    public string Model { get; init; } = "demo";

    /// <summary>A bundle version folder to serve as version 1 (copied), or null to write a demo bundle.</summary>
    public string? Bundle { get; init; }

    /// <summary>The demo bundle written when <see cref="Bundle"/> is null.</summary>
    public DemoBundleShape Demo { get; init; } = new();

    /// <summary>Rows the delta upserts.</summary>
    public long DeltaRows { get; init; } = 1_000_000;

    /// <summary>The table the delta writes, or null for the bundle's first fp32 table.</summary>
    public string? DeltaTable { get; init; }

    /// <summary>Protocol the load uses.</summary>
    public BenchApi Api { get; init; } = BenchApi.Grpc;

    /// <summary>Open-loop rate, requests per second.</summary>
    public double Rate { get; init; } = 100;

    /// <summary>Rows per request.</summary>
    public int Batch { get; init; } = 32;

    /// <summary>Ids per row of each sparse feature, or null for the feature's maximum.</summary>
    public int? Bag { get; init; }

    /// <summary>Load before measuring starts (connections, JIT, caches).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Measured steady state before the first event.</summary>
    public TimeSpan Steady { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Measured time after each event completes (the new version live, the delta applied).</summary>
    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for an event to complete before the run fails.</summary>
    public TimeSpan EventTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Seconds before a request counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the bench records warm-up requests into the bundle (as <c>--record_warmup</c> would) before the new version is copied.</summary>
    public bool WarmupRequests { get; init; } = true;

    /// <summary>More flags for <c>recserve serve</c>.</summary>
    public IReadOnlyList<string> ServeArgs { get; init; } = [];

    /// <summary>Longest the whole load may last, which sizes the preallocated timeline.</summary>
    public TimeSpan MaxLoad => Warmup + Steady + EventTimeout + After + EventTimeout + After;
}
