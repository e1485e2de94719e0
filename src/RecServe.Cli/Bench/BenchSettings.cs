using RecServe.Cli.Bench.Load;
using RecServe.Cli.Bench.Requests;
using RecServe.Cli.Bench.Targets;

namespace RecServe.Cli.Bench;

/// <summary>Everything one <c>recserve bench</c> run needs: where to send, what to send, how hard, where to report.</summary>
internal sealed record BenchSettings
{
    /// <summary>The server (or in-process model) under load.</summary>
    public required TargetSettings Target { get; init; }

    /// <summary>How request data is made.</summary>
    public required RequestSettings Requests { get; init; }

    /// <summary>How load is applied and for how long.</summary>
    public required LoadSettings Load { get; init; }

    /// <summary>File the results are written to as JSON, or null.</summary>
    public string? JsonPath { get; init; }

    /// <summary>File that gets one JSON line of latency and errors per <see cref="IntervalSeconds"/>, or null.</summary>
    public string? IntervalLogPath { get; init; }

    /// <summary>Length of one <see cref="IntervalLogPath"/> line's period.</summary>
    public double IntervalSeconds { get; init; } = 60;

    /// <summary>
    /// The server process whose CPU time per request to report (<c>--server-pid</c>); in process, this process is
    /// metered without being asked.
    /// </summary>
    public int? ServerProcessId { get; init; }
}
