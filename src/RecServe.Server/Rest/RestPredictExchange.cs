using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RecServe.Core.Tensors;
using RecServe.Lifecycle.Versions;
using RecServe.Protocol.Json;
using RecServe.Server.Serving;

namespace RecServe.Server.Rest;

/// <summary>
/// TF-Serving REST :predict's side of a <see cref="PredictionRun"/>: a JSON body (<c>instances</c> or <c>inputs</c>)
/// in, <c>predictions</c> or <c>outputs</c> (the same format) written into <paramref name="output"/>.
/// </summary>
internal struct RestPredictExchange(HttpContext context, RestPath path, ArrayBufferWriter<byte> output) : IPredictionExchange<ReadOnlyMemory<byte>>
{
    private RestCall _call = new(context);
    private PredictJsonFormat _format;

    public readonly PredictionTarget Target() => new(path.Model, path.Version, path.Label);

    public Task ReceiveAsync() => _call.ReceiveAsync();

    public CancellationToken StartDeadline() => _call.StartDeadline();

    public PredictionRequest Decode(PredictionTarget target, ServableHandle handle, InputTensorBuffers inputs)
    {
        var reader = context.RequestServices.GetRequiredService<PredictJsonRequestReader>();
        var header = reader.ReadInto(_call.Body, handle.Model.Signature, inputs);
        _format = header.Format;
        return new PredictionRequest(target.ModelName, target.Version, target.VersionLabel, header.SignatureName, inputs.Inputs, []);
    }

    public readonly ReadOnlyMemory<byte> Encode(PredictionPipeline.Result result)
    {
        PredictJsonResponseWriter.Write(output, _format, result.Outputs.Items);
        return output.WrittenMemory;
    }

    public readonly void Dispose() => _call.Dispose();
}
