namespace RecServe.Cli.Bench.Targets;

/// <summary>Where requests go and how the client connects.</summary>
internal sealed record TargetSettings
{
    /// <summary>The protocol spoken, or <see cref="BenchApi.InProcess"/>.</summary>
    public BenchApi Api { get; init; } = BenchApi.Grpc;

    /// <summary>The server's base address (<c>http://host:port</c>); unused in process.</summary>
    public Uri Address { get; init; } = new("http://127.0.0.1:8500");

    /// <summary>The model name requests carry.</summary>
    public string Model { get; init; } = "default";

    /// <summary>A specific version, or null for the one the server picks (in process: the highest).</summary>
    public long? Version { get; init; }

    /// <summary>The model's folder (numeric version sub-folders) for <see cref="BenchApi.InProcess"/>.</summary>
    public string? ModelBasePath { get; init; }

    /// <summary>ONNX Runtime's engine set-up in process; give the server's flags so both run the same engine.</summary>
    public RecServe.Runtime.Onnx.OnnxModelOptions Engine { get; init; } = new();

    /// <summary>gRPC channels (one HTTP/2 connection each) that workers share round-robin.</summary>
    public int Connections { get; init; } = 1;

    /// <summary>Per-request deadline; a request past it counts as an error.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
