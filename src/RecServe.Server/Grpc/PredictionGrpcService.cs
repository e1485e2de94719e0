using Grpc.Core;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
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
    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context)
    {
        var (name, version, label) = ModelSpecReader.Read(request.ModelSpec);
        return PredictAsync(name, version, label, request.ModelSpec.SignatureName, request.OutputFilter, pipeline.InputBuffers.Rent(), request, context);
    }

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
        return PredictAsync(wire.ModelName, wire.Version, wire.VersionLabel, wire.SignatureName, wire.OutputFilter, request.Inputs!, message: null, context);
    }

    // Runs a request whose inputs are in (or, given its message, are decoded into) kept buffers rented from the pipeline.
    private async Task<PredictResponse> PredictAsync(string name, long? version, string? label, string signatureName,
        IReadOnlyList<string> outputFilter, InputTensorBuffers inputs, PredictRequest? message, ServerCallContext context)
    {
        var scope = pipeline.Metrics.Start(ApiNames.GrpcPredict, name);
        try
        {
            using var handle = pipeline.Lease(name, version, label);
            scope.Version = handle.Version;

            // Answer in the encoding the client used: tensor_content in, tensor_content out; typed fields
            // (what TF-Serving answers and what clients reading float_val expect) otherwise. The wire reader takes
            // only requests whose inputs all use tensor_content.
            var allContent = message is null
                || TensorProtoDecoder.DecodeAllInto(message.Inputs, handle.Model.Signature.Inputs, options.MaxTensorElements, inputs);
            var encoding = inputs.Count > 0 && allContent ? TensorEncoding.TensorContent : TensorEncoding.TypedFields;
            var prediction = new PredictionRequest(name, version, label, signatureName, inputs.Inputs, outputFilter);
            using var result = await pipeline.PredictAsync(handle, prediction, context.CancellationToken).ConfigureAwait(false);
            var response = new PredictResponse
            {
                ModelSpec = new ModelSpec { Name = name, Version = result.Version, SignatureName = ModelSignature.DefaultName },
            };
            var outputs = result.Outputs.Items;
            for (var i = 0; i < outputs.Count; i++)
            {
                response.Outputs[outputs[i].Name] = TensorProtoEncoder.Encode(outputs[i].Tensor, encoding);
            }
            scope.Succeeded();
            return response;
        }
        catch (Exception e)
        {
            scope.Failed(e);
            throw;
        }
        finally
        {
            pipeline.ReturnInputBuffers(inputs, context.CancellationToken);
        }
    }

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
