using System.Buffers;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using RecServe.Protocol.TensorProto;
using RecServe.Server.Hosting;
using RecServe.Server.Serving;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>
/// Binds TF-Serving's <c>Predict</c> to <see cref="PredictionGrpcService.PredictDecoded"/> with a deserializer that
/// reads the request's wire bytes straight into pooled input tensors (<see cref="PredictRequestWireReader"/>): each
/// <c>tensor_content</c> is copied once, from the received bytes into the buffer the model reads, instead of into a
/// <c>ByteString</c> first. Requests that reader does not take are parsed by Google.Protobuf as before.
/// </summary>
internal sealed class WirePredictBinding(PredictionPipeline pipeline, ServerOptions options) : IUnaryMethodOverride<PredictionGrpcService>
{
    private const string PredictMethod = "/tensorflow.serving.PredictionService/Predict";

    /// <inheritdoc />
    public bool TryAdd<TRequest, TResponse>(ServiceMethodProviderContext<PredictionGrpcService> context, Method<TRequest, TResponse> method, IList<object> metadata)
        where TRequest : class
        where TResponse : class
    {
        if (method.FullName != PredictMethod || method is not Method<PredictRequest, PredictResponse> predict)
        {
            return false;
        }
        var requests = new Marshaller<DecodedPredictRequest>(
            static (_, _) => throw new NotSupportedException("the server never sends a Predict request"), Deserialize);
        context.AddUnaryMethod(
            new Method<DecodedPredictRequest, PredictResponse>(method.Type, method.ServiceName, method.Name, requests, predict.ResponseMarshaller),
            metadata, static (service, request, callContext) => service.PredictDecoded(request, callContext));
        return true;
    }

    private DecodedPredictRequest Deserialize(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        var inputs = pipeline.InputBuffers.Rent();
        if (TryRead(payload, inputs, out var wire))
        {
            return new DecodedPredictRequest(wire, inputs);
        }
        pipeline.InputBuffers.Return(inputs); // the reader cleared it
        try
        {
            return new DecodedPredictRequest(PredictRequest.Parser.ParseFrom(payload));
        }
        catch (Exception e) when (MalformedMessage.Is(e))
        {
            throw MalformedMessage.Error(PredictMethod, e);
        }
    }

    private bool TryRead(ReadOnlySequence<byte> payload, Core.Tensors.InputTensorBuffers inputs, out WirePredictRequest wire)
    {
        WirePredictRequest? read;
        if (payload.IsSingleSegment)
        {
            PredictRequestWireReader.TryRead(payload.FirstSpan, options.MaxTensorElements, inputs, out read);
        }
        else
        {
            // A request larger than one receive block arrives in pieces: join them in a rented buffer.
            var joined = ArrayPool<byte>.Shared.Rent(checked((int)payload.Length));
            payload.CopyTo(joined);
            PredictRequestWireReader.TryRead(joined.AsSpan(0, (int)payload.Length), options.MaxTensorElements, inputs, out read);
            ArrayPool<byte>.Shared.Return(joined);
        }
        wire = read!;
        return read is not null;
    }
}
