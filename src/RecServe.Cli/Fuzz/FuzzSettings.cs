using RecServe.Cli.Bench;

namespace RecServe.Cli.Fuzz;

/// <summary>What a fuzzing run targets and how much it sends.</summary>
internal sealed record FuzzSettings
{
    /// <summary>The protocol fuzzed (not <see cref="BenchApi.InProcess"/>).</summary>
    public BenchApi Api { get; init; } = BenchApi.Grpc;

    /// <summary>The server's base address for that protocol.</summary>
    public Uri Address { get; init; } = new("http://127.0.0.1:8500");

    /// <summary>The model the requests are built for.</summary>
    public string Model { get; init; } = "default";

    /// <summary>Generated requests to send.</summary>
    public long Count { get; init; } = 10_000;

    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>A CsCheck seed (printed by a failing run) to start from, or null for a random one.</summary>
    public string? Seed { get; init; }

    /// <summary>Per-request deadline; a request past it counts as a failure (the server hung).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Valid requests answered before and after the run, whose answers must not change.</summary>
    public int GoodRequests { get; init; } = 4;
}
