using Grpc.Core;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Lifecycle;
using RecServe.Protocol.KServe;
using RecServe.Server.Serving;

namespace RecServe.Server.KServe;

/// <summary>
/// KServe v2's <c>inference.GRPCInferenceService</c> (Open Inference Protocol) on the TF-Serving gRPC port:
/// health, metadata and ModelInfer. Errors surface as <see cref="RecServe.Core.Errors.ServingException"/>, which
/// the interceptor turns into the matching status.
/// </summary>
public sealed class InferenceGrpcService(PredictionPipeline pipeline, ModelManager manager) : GRPCInferenceService.GRPCInferenceServiceBase
{
    private readonly KServeModels _models = new(manager, pipeline);

    private static readonly Task<ServerLiveResponse> Live = Task.FromResult(new ServerLiveResponse { Live = true });

    /// <inheritdoc />
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) => Live;

    /// <inheritdoc />
    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = _models.IsServerReady() });

    /// <inheritdoc />
    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = _models.IsModelReady(request.Name, request.Version) });

    /// <inheritdoc />
    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(KServeModels.GetServerMetadata());

    /// <inheritdoc />
    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(_models.GetModelMetadata(request.Name, request.Version));

    /// <inheritdoc />
    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) =>
        RunAsync(new ModelInferExchange(request.ModelName, request.ModelVersion, request.Id, request, outputNames: null, context),
            pipeline.InputBuffers.Rent());

    /// <summary>
    /// ModelInfer as the server binds it (<see cref="Grpc.WireBindings.ModelInfer"/>): a request read from the wire has
    /// its inputs decoded already; any other is the message <see cref="ModelInfer(ModelInferRequest, ServerCallContext)"/> takes.
    /// </summary>
    public Task<ModelInferResponse> ModelInferDecoded(Grpc.DecodedRequest<WireInferRequest, ModelInferRequest> request, ServerCallContext context)
    {
        if (request.Message is { } message)
        {
            return ModelInfer(message, context);
        }
        var wire = request.Wire!;
        return RunAsync(new ModelInferExchange(wire.ModelName, wire.ModelVersion, wire.Id, message: null, wire.OutputNames, context),
            request.Inputs!);
    }

    // Runs a request whose inputs are in (or, given its message, are decoded into) buffers rented from the pipeline.
    private Task<ModelInferResponse> RunAsync(ModelInferExchange exchange, InputTensorBuffers inputs) =>
        PredictionRun.RunAsync<ModelInferExchange, ModelInferResponse>(pipeline, ApiNames.KServeGrpc, exchange, inputs).AsTask();
}
