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
        InferAsync(request.ModelName, request.ModelVersion, request.Id, pipeline.InputBuffers.Rent(), request, context);

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
        return InferAsync(wire.ModelName, wire.ModelVersion, wire.Id, request.Inputs!, message: null, context, wire.OutputNames);
    }

    // Runs a request whose inputs are in (or, given its message, are decoded into) kept buffers rented from the pipeline.
    private async Task<ModelInferResponse> InferAsync(string modelName, string modelVersion, string id, InputTensorBuffers inputs,
        ModelInferRequest? message, ServerCallContext context, IReadOnlyList<string>? outputNames = null)
    {
        try
        {
            KServeModels.RequireName(modelName);
            var version = KServeVersion.Parse(modelVersion);
            var scope = pipeline.Metrics.Start(ApiNames.KServeGrpc, modelName);
            try
            {
                using var handle = pipeline.Lease(modelName, version, null);
                scope.Version = handle.Version;
                // The wire reader takes only requests whose inputs all come in raw_input_contents.
                var raw = message is null || InferRequestDecoder.DecodeInto(message, inputs);
                var prediction = new PredictionRequest(modelName, version, null, null, inputs.Inputs,
                    outputNames ?? InferRequestDecoder.OutputNames(message!));
                using var result = await pipeline.PredictAsync(handle, prediction, context.CancellationToken).ConfigureAwait(false);
                var response = InferResponseEncoder.Encode(modelName, result.Version, id, result.Outputs.Items, raw);
                scope.Succeeded();
                return response;
            }
            catch (Exception e)
            {
                scope.Failed(e);
                throw;
            }
        }
        finally
        {
            pipeline.ReturnInputBuffers(inputs, context.CancellationToken);
        }
    }
}
