using Grpc.Core;
using Inference;
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
    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        KServeModels.RequireName(request.ModelName);
        var version = KServeVersion.Parse(request.ModelVersion);
        using var handle = pipeline.Lease(request.ModelName, version, null);
        var inputs = pipeline.InputBuffers.Rent();
        try
        {
            var raw = InferRequestDecoder.DecodeInto(request, inputs);
            var prediction = new PredictionRequest(request.ModelName, version, null, null, inputs.Inputs, InferRequestDecoder.OutputNames(request));
            using var result = await pipeline.PredictAsync(handle, prediction, context.CancellationToken).ConfigureAwait(false);
            return InferResponseEncoder.Encode(request.ModelName, result.Version, request.Id, result.Outputs.Items, raw);
        }
        finally
        {
            pipeline.ReturnInputBuffers(inputs, context.CancellationToken);
        }
    }
}
