using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Config;
using RecServe.Protocol.Json;
using RecServe.Protocol.KServe;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Onnx;
using RecServe.Server.Grpc;
using RecServe.Server.Hosting;
using RecServe.Server.KServe;
using RecServe.Server.Metrics;
using RecServe.Server.Rest;
using RecServe.Server.Serving;
using RecServe.Server.Warmup;

namespace RecServe.Bench;

/// <summary>
/// One request through each protocol adapter of the server, in process: what <see cref="ServingPathBenchmarks"/>
/// measures plus the adapter's own steps (metrics scope, version lease, pooled input and answer buffers, the
/// pipeline's checks), so that bytes allocated per request cover the whole handler. gRPC: the services' methods
/// with a parsed message and a kept call context; REST: the mapped endpoints' request delegates with a kept
/// <see cref="HttpContext"/> whose response body is discarded. The example DLRM as plain ONNX, called directly
/// (requests complete synchronously) or through the batcher (they complete on its thread); 256 rows, 4 ids per row.
/// </summary>
[MemoryDiagnoser]
public class AdapterPathBenchmarks
{
    private ExampleRequest _request = null!;
    private ModelManager _manager = null!;
    private WebApplication _app = null!;
    private PredictionGrpcService _grpc = null!;
    private InferenceGrpcService _kserveGrpc = null!;
    private readonly BenchCallContext _grpcContext = new("/tensorflow.serving.PredictionService/Predict");
    private readonly BenchCallContext _kserveGrpcContext = new("/inference.GRPCInferenceService/ModelInfer");
    private RequestDelegate _restPredict = null!;
    private RequestDelegate _kserveRestInfer = null!;
    private HttpContext _restContext = null!;
    private HttpContext _kserveRestContext = null!;

    /// <summary>Whether the model is served through the batcher, one request per batch.</summary>
    [Params(false, true)]
    public bool Batching { get; set; }

    /// <summary>Loads the example model into a model manager and maps the services around one pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _request = ExampleRequest.Create();
        var options = new ServerOptions();
        var batching = Batching ? new BatchingOptions { MaxBatchSize = ExampleRequest.Rows, NumBatchThreads = 1 } : null;
        _manager = new ModelManager(new ModelFolderLoader(new OnnxModelOptions { IntraOpThreads = 1 }, batching), NullLogger<ModelManager>.Instance);
        var models = Path.Combine(ServingPathBenchmarks.FindRoot(), "examples", "models", "dlrm");
        _manager.ApplyConfigAsync([ModelConfig.Latest("dlrm", models)]).GetAwaiter().GetResult();
        _manager.GetHandle("dlrm").Dispose(); // fails here, not in the measured calls, if the model did not load

        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ServingMetrics());
        builder.Services.AddSingleton(_manager);
        builder.Services.AddSingleton(new WarmupRecorder(0, static _ => null));
        builder.Services.AddSingleton<PredictionPipeline>();
        builder.Services.AddSingleton(new PredictJsonRequestReader(options.MaxJsonDepth));
        builder.Services.AddSingleton(new InferJsonRequestReader(options.MaxJsonDepth));
        _app = builder.Build();
        RestApi.Map(_app);
        KServeRestApi.Map(_app);
        var pipeline = _app.Services.GetRequiredService<PredictionPipeline>();
        _grpc = new PredictionGrpcService(pipeline, options);
        _kserveGrpc = new InferenceGrpcService(pipeline, _manager);

        _restPredict = Endpoint("/v1/models/{**rest}");
        _kserveRestInfer = Endpoint("/v2/models/{name}/infer");
        _restContext = PostContext("/v1/models/dlrm:predict", "rest", "dlrm:predict", _request.TfJson);
        _kserveRestContext = PostContext("/v2/models/dlrm/infer", "name", "dlrm", _request.KServeJson);
    }

    private RequestDelegate Endpoint(string pattern) =>
        ((IEndpointRouteBuilder)_app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .First(endpoint => endpoint.RoutePattern.RawText == pattern).RequestDelegate!;

    private HttpContext PostContext(string path, string routeKey, string routeValue, byte[] body)
    {
        var context = new DefaultHttpContext { RequestServices = _app.Services };
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = path;
        context.Request.RouteValues[routeKey] = routeValue;
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Response.Body = Stream.Null;
        return context;
    }

    /// <summary>TF-Serving gRPC Predict: tensor_content in and out.</summary>
    [Benchmark]
    public int GrpcPredict() => _grpc.Predict(_request.Tf, _grpcContext).GetAwaiter().GetResult().Outputs.Count;

    /// <summary>KServe v2 gRPC ModelInfer: raw_input_contents in and out.</summary>
    [Benchmark]
    public int KServeGrpcInfer() => _kserveGrpc.ModelInfer(_request.KServe, _kserveGrpcContext).GetAwaiter().GetResult().Outputs.Count;

    /// <summary>TF-Serving REST :predict: columnar JSON in, JSON answer out.</summary>
    [Benchmark]
    public int RestPredict() => Post(_restPredict, _restContext);

    /// <summary>KServe v2 REST infer: JSON "data" in, JSON answer out.</summary>
    [Benchmark]
    public int KServeRestInfer() => Post(_kserveRestInfer, _kserveRestContext);

    private static int Post(RequestDelegate endpoint, HttpContext context)
    {
        context.Request.Body.Position = 0;
        endpoint(context).GetAwaiter().GetResult();
        return context.Response.StatusCode == StatusCodes.Status200OK
            ? (int)context.Response.ContentLength!.Value
            : throw new InvalidOperationException($"the endpoint answered {context.Response.StatusCode}");
    }

    /// <summary>Stops the host's services and unloads the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _manager.Dispose();
        _request.Dispose();
    }
}
