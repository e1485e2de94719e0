using Grpc.Core;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Lifecycle.Versions;
using RecServe.Protocol.KServe;
using RecServe.Server.Serving;

namespace RecServe.Server.KServe;

/// <summary>
/// KServe v2 gRPC ModelInfer's side of a <see cref="PredictionRun"/>: raw_input_contents (or typed contents) in, and
/// out in the same form. The request is either read from the wire already (<paramref name="message"/> null, with its
/// <paramref name="outputNames"/>) or a parsed message decoded here.
/// </summary>
internal struct ModelInferExchange(string modelName, string modelVersion, string id, ModelInferRequest? message,
    IReadOnlyList<string>? outputNames, ServerCallContext context) : IPredictionExchange<ModelInferResponse>
{
    private bool _raw;

    public readonly PredictionTarget Target()
    {
        KServeModels.RequireName(modelName);
        return new PredictionTarget(modelName, KServeVersion.Parse(modelVersion), null);
    }

    public readonly Task ReceiveAsync() => Task.CompletedTask;

    public readonly CancellationToken StartDeadline() => context.CancellationToken;

    public PredictionRequest Decode(PredictionTarget target, ServableHandle handle, InputTensorBuffers inputs)
    {
        // The wire reader takes only requests whose inputs all come in raw_input_contents.
        _raw = message is null || InferRequestDecoder.DecodeInto(message, inputs);
        return new PredictionRequest(target.ModelName, target.Version, null, null, inputs.Inputs,
            outputNames ?? InferRequestDecoder.OutputNames(message!));
    }

    public readonly ModelInferResponse Encode(PredictionPipeline.Result result) =>
        InferResponseEncoder.Encode(modelName, result.Version, id, result.Outputs.Items, _raw);

    public readonly void Dispose()
    {
    }
}
