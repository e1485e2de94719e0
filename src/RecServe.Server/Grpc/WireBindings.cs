using Inference;
using RecServe.Protocol.KServe;
using RecServe.Protocol.TensorProto;
using RecServe.Server.Hosting;
using RecServe.Server.KServe;
using RecServe.Server.Serving;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>The methods whose requests are read straight from the wire: TF-Serving's Predict and KServe v2's ModelInfer.</summary>
internal static class WireBindings
{
    /// <summary><c>tensorflow.serving.PredictionService/Predict</c> through <see cref="PredictRequestWireReader"/>.</summary>
    public static IUnaryMethodOverride<PredictionGrpcService> Predict(PredictionPipeline pipeline, ServerOptions options) =>
        new WireRequestBinding<PredictionGrpcService, WirePredictRequest, PredictRequest, PredictResponse>(
            "/tensorflow.serving.PredictionService/Predict", PredictRequest.Parser,
            (ReadOnlySpan<byte> message, Core.Tensors.InputTensorBuffers into, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WirePredictRequest? request) =>
                PredictRequestWireReader.TryRead(message, options.MaxTensorElements, into, out request),
            pipeline.InputBuffers, static (service, request, context) => service.PredictDecoded(request, context));

    /// <summary><c>inference.GRPCInferenceService/ModelInfer</c> through <see cref="InferRequestWireReader"/>.</summary>
    public static IUnaryMethodOverride<InferenceGrpcService> ModelInfer(PredictionPipeline pipeline) =>
        new WireRequestBinding<InferenceGrpcService, WireInferRequest, ModelInferRequest, ModelInferResponse>(
            "/inference.GRPCInferenceService/ModelInfer", ModelInferRequest.Parser, InferRequestWireReader.TryRead,
            pipeline.InputBuffers, static (service, request, context) => service.ModelInferDecoded(request, context));
}
