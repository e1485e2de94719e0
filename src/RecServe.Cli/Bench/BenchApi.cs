namespace RecServe.Cli.Bench;

/// <summary>How the load generator reaches the model: one of four wire protocols, or no wire at all.</summary>
internal enum BenchApi
{
    /// <summary>TF-Serving gRPC <c>PredictionService/Predict</c> with <c>tensor_content</c>.</summary>
    Grpc,
    /// <summary>TF-Serving REST <c>POST /v1/models/{m}:predict</c> with columnar <c>"inputs"</c>.</summary>
    Rest,
    /// <summary>KServe v2 gRPC <c>GRPCInferenceService/ModelInfer</c> with <c>raw_input_contents</c>.</summary>
    KServeGrpc,
    /// <summary>KServe v2 REST <c>POST /v2/models/{m}/infer</c> with JSON data.</summary>
    KServeRest,
    /// <summary><c>IModel.Predict</c> in this process: the ceiling every server figure is compared with.</summary>
    InProcess,
}

/// <summary>Names and defaults of <see cref="BenchApi"/> values as the command line spells them.</summary>
internal static class BenchApis
{
    /// <summary>The values <c>--api</c> accepts.</summary>
    public static readonly string[] Names = ["grpc", "rest", "kserve-grpc", "kserve-rest"];

    /// <summary>Parses a <c>--api</c> value (already restricted to <see cref="Names"/> by the parser).</summary>
    public static BenchApi Parse(string name) => name switch
    {
        "grpc" => BenchApi.Grpc,
        "rest" => BenchApi.Rest,
        "kserve-grpc" => BenchApi.KServeGrpc,
        "kserve-rest" => BenchApi.KServeRest,
        _ => throw new ArgumentException($"--api must be one of {string.Join(", ", Names)}, not '{name}'"),
    };

    /// <summary>The command-line name of <paramref name="api"/>.</summary>
    public static string Name(this BenchApi api) => api switch
    {
        BenchApi.Grpc => "grpc",
        BenchApi.Rest => "rest",
        BenchApi.KServeGrpc => "kserve-grpc",
        BenchApi.KServeRest => "kserve-rest",
        _ => "in-process",
    };

    /// <summary>
    /// The port a server usually listens on for <paramref name="api"/>: TF-Serving's 8500/8501, and Triton's
    /// 8001/8000 for KServe v2, so that <c>--target</c> can often be left out.
    /// </summary>
    public static int DefaultPort(this BenchApi api) => api switch
    {
        BenchApi.Rest => 8501,
        BenchApi.KServeGrpc => 8001,
        BenchApi.KServeRest => 8000,
        _ => 8500,
    };
}
