using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Lifecycle.Versions;
using RecServe.Protocol.KServe;
using RecServe.Server.Rest;
using RecServe.Server.Serving;

namespace RecServe.Server.KServe;

/// <summary>
/// KServe v2 REST infer's side of a <see cref="PredictionRun"/>: a JSON body with <c>data</c> per input in, the
/// outputs written as JSON into <paramref name="output"/>, with the request's <c>id</c> echoed.
/// </summary>
internal struct RestInferExchange(HttpContext context, string modelName, string? modelVersion, ArrayBufferWriter<byte> output)
    : IPredictionExchange<ReadOnlyMemory<byte>>
{
    private RestCall _call = new(context);
    private InferJsonHeader _header;

    public readonly PredictionTarget Target()
    {
        var version = KServeVersion.Parse(modelVersion);
        if (context.Request.Headers.ContainsKey("Inference-Header-Content-Length"))
        {
            throw ServingException.InvalidArgument("the binary tensor data extension (Inference-Header-Content-Length) is not supported; send JSON \"data\"");
        }
        return new PredictionTarget(modelName, version, null);
    }

    public Task ReceiveAsync() => _call.ReceiveAsync();

    public CancellationToken StartDeadline() => _call.StartDeadline();

    public PredictionRequest Decode(PredictionTarget target, ServableHandle handle, InputTensorBuffers inputs)
    {
        var reader = context.RequestServices.GetRequiredService<InferJsonRequestReader>();
        _header = reader.ReadInto(_call.Body, handle.Model.Signature, inputs);
        return new PredictionRequest(target.ModelName, target.Version, null, null, inputs.Inputs, _header.OutputNames);
    }

    public readonly ReadOnlyMemory<byte> Encode(PredictionPipeline.Result result)
    {
        InferJsonResponseWriter.Write(output, modelName, result.Version, _header.EscapedId, _header.IdUtf8(_call.Body), result.Outputs.Items);
        return output.WrittenMemory;
    }

    public readonly void Dispose() => _call.Dispose();
}
