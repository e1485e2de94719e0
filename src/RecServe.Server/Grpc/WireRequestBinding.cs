using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using RecServe.Core.Lifetime;
using RecServe.Core.Tensors;

namespace RecServe.Server.Grpc;

/// <summary>Reads a request message's bytes into input buffers; false if the message is not one the reader takes.</summary>
/// <typeparam name="TWire">What the reader keeps of the request besides its inputs.</typeparam>
public delegate bool WireReader<TWire>(ReadOnlySpan<byte> message, InputTensorBuffers into, [NotNullWhen(true)] out TWire? request)
    where TWire : class;

/// <summary>
/// Binds one unary method with a deserializer that reads the request's wire bytes straight into pooled input tensors
/// (<see cref="WireBindings"/>): each tensor is copied once, from the received bytes into the buffer the model reads,
/// with no request message and no <c>ByteString</c> per tensor. Requests the reader does not take are parsed by
/// Google.Protobuf as before, and a malformed one is answered INVALID_ARGUMENT as everywhere else.
/// </summary>
internal sealed class WireRequestBinding<TService, TWire, TMessage, TResponse>(
    string methodFullName,
    MessageParser<TMessage> parser,
    WireReader<TWire> reader,
    ScratchPool<InputTensorBuffers> pool,
    Func<TService, DecodedRequest<TWire, TMessage>, ServerCallContext, Task<TResponse>> invoke) : IUnaryMethodOverride<TService>
    where TService : class
    where TWire : class
    where TMessage : class, IMessage<TMessage>
    where TResponse : class
{
    /// <inheritdoc />
    public bool TryAdd<TRequest, TMethodResponse>(ServiceMethodProviderContext<TService> context, Method<TRequest, TMethodResponse> method, IList<object> metadata)
        where TRequest : class
        where TMethodResponse : class
    {
        if (method.FullName != methodFullName || method is not Method<TMessage, TResponse> generated)
        {
            return false;
        }
        var requests = new Marshaller<DecodedRequest<TWire, TMessage>>(
            static (_, _) => throw new NotSupportedException("the server never sends a request"), Deserialize);
        context.AddUnaryMethod(
            new Method<DecodedRequest<TWire, TMessage>, TResponse>(method.Type, method.ServiceName, method.Name, requests, generated.ResponseMarshaller),
            metadata, (service, request, callContext) => invoke(service, request, callContext));
        return true;
    }

    private DecodedRequest<TWire, TMessage> Deserialize(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        var inputs = pool.Rent();
        if (TryRead(payload, inputs, out var wire))
        {
            return new DecodedRequest<TWire, TMessage>(wire, inputs);
        }
        pool.Return(inputs); // the reader cleared it
        try
        {
            return new DecodedRequest<TWire, TMessage>(parser.ParseFrom(payload));
        }
        catch (Exception e) when (MalformedMessage.Is(e))
        {
            throw MalformedMessage.Error(methodFullName, e);
        }
    }

    private bool TryRead(ReadOnlySequence<byte> payload, InputTensorBuffers inputs, [NotNullWhen(true)] out TWire? wire)
    {
        if (payload.IsSingleSegment)
        {
            return reader(payload.FirstSpan, inputs, out wire);
        }
        // A request larger than one receive block arrives in pieces: join them in a rented buffer.
        var joined = ArrayPool<byte>.Shared.Rent(checked((int)payload.Length));
        try
        {
            payload.CopyTo(joined);
            return reader(joined.AsSpan(0, (int)payload.Length), inputs, out wire);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }
}
