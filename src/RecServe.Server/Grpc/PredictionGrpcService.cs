using Grpc.Core;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Protocol.Metadata;
using RecServe.Protocol.TensorProto;
using RecServe.Server.Serving;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>TF-Serving's <c>tensorflow.serving.PredictionService</c>: Predict and GetModelMetadata.</summary>
public sealed class PredictionGrpcService(PredictionPipeline pipeline, RecServe.Server.Hosting.ServerOptions options) : PredictionService.PredictionServiceBase
{
    /// <inheritdoc />
    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context) =>
        RunAsync(ModelSpecReader.Read(request.ModelSpec), request.ModelSpec.SignatureName, request.OutputFilter, pipeline.InputBuffers.Rent(), request, context);

    /// <summary>
    /// Predict as the server binds it (<see cref="WireBindings.Predict"/>): a request read from the wire has its inputs
    /// decoded already; any other is the message <see cref="Predict(PredictRequest, ServerCallContext)"/> takes.
    /// </summary>
    public Task<PredictResponse> PredictDecoded(DecodedRequest<WirePredictRequest, PredictRequest> request, ServerCallContext context)
    {
        if (request.Message is { } message)
        {
            return Predict(message, context);
        }
        var wire = request.Wire!;
        return RunAsync(new PredictionTarget(wire.ModelName, wire.Version, wire.VersionLabel), wire.SignatureName, wire.OutputFilter,
            request.Inputs!, message: null, context);
    }

    // Runs a request whose inputs are in (or, given its message, are decoded into) buffers rented from the pipeline.
    private Task<PredictResponse> RunAsync(PredictionTarget target, string signatureName, IReadOnlyList<string> outputFilter,
        InputTensorBuffers inputs, PredictRequest? message, ServerCallContext context) =>
        PredictionRun.RunAsync<PredictExchange, PredictResponse>(pipeline, ApiNames.GrpcPredict,
            new PredictExchange(target, signatureName, outputFilter, message, options.MaxTensorElements, context), inputs).AsTask();

    /// <inheritdoc />
    public override Task<GetModelMetadataResponse> GetModelMetadata(GetModelMetadataRequest request, ServerCallContext context)
    {
        var (name, version, label) = ModelSpecReader.Read(request.ModelSpec);
        if (request.MetadataField.Count == 0)
        {
            throw ServingException.InvalidArgument("metadata_field is empty; ask for \"signature_def\"");
        }
        foreach (var field in request.MetadataField)
        {
            if (field != SignatureDefEncoder.SignatureDefField)
            {
                throw ServingException.InvalidArgument($"metadata field '{field}' is not supported; only \"signature_def\" is");
            }
        }
        using var handle = pipeline.Lease(name, version, label);
        return Task.FromResult(SignatureDefEncoder.EncodeMetadata(name, handle.Version, handle.Model.Signature));
    }
}
