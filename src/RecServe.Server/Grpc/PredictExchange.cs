using Grpc.Core;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Lifecycle.Versions;
using RecServe.Protocol.TensorProto;
using RecServe.Server.Serving;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>
/// TF-Serving gRPC Predict's side of a <see cref="PredictionRun"/>: tensor protos in, tensor protos out, in the
/// encoding the client used. The request is either read from the wire already (<paramref name="message"/> null) or
/// a parsed message decoded here.
/// </summary>
internal struct PredictExchange(PredictionTarget spec, string signatureName, IReadOnlyList<string> outputFilter,
    PredictRequest? message, long maxTensorElements, ServerCallContext context) : IPredictionExchange<PredictResponse>
{
    private TensorEncoding _encoding;

    public readonly PredictionTarget Target() => spec;

    public readonly Task ReceiveAsync() => Task.CompletedTask;

    public readonly CancellationToken StartDeadline() => context.CancellationToken;

    public PredictionRequest Decode(PredictionTarget target, ServableHandle handle, InputTensorBuffers inputs)
    {
        // Answer in the encoding the client used: tensor_content in, tensor_content out; typed fields (what
        // TF-Serving answers and what clients reading float_val expect) otherwise. The wire reader takes only
        // requests whose inputs all use tensor_content.
        var allContent = message is null
            || TensorProtoDecoder.DecodeAllInto(message.Inputs, handle.Model.Signature.Inputs, maxTensorElements, inputs);
        _encoding = inputs.Count > 0 && allContent ? TensorEncoding.TensorContent : TensorEncoding.TypedFields;
        return new PredictionRequest(target.ModelName, target.Version, target.VersionLabel, signatureName, inputs.Inputs, outputFilter);
    }

    public readonly PredictResponse Encode(PredictionPipeline.Result result)
    {
        var response = new PredictResponse
        {
            ModelSpec = new ModelSpec { Name = spec.ModelName, Version = result.Version, SignatureName = ModelSignature.DefaultName },
        };
        var outputs = result.Outputs.Items;
        for (var i = 0; i < outputs.Count; i++)
        {
            response.Outputs[outputs[i].Name] = TensorProtoEncoder.Encode(outputs[i].Tensor, _encoding);
        }
        return response;
    }

    public readonly void Dispose()
    {
    }
}
