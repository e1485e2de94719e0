using RecServe.Core.Tensors;

namespace RecServe.Server.Grpc;

/// <summary>
/// A request as a <see cref="WireRequestBinding{TService, TWire, TMessage, TResponse}"/> deserializer hands it over:
/// read from the wire into pooled input buffers (<see cref="Wire"/> and <see cref="Inputs"/>), or, for a request the
/// wire reader does not take, Google.Protobuf's message (<see cref="Message"/>), decoded later as before.
/// </summary>
/// <typeparam name="TWire">What the wire reader keeps of the request besides its inputs.</typeparam>
/// <typeparam name="TMessage">The request message type.</typeparam>
public sealed class DecodedRequest<TWire, TMessage>
    where TWire : class
    where TMessage : class
{
    /// <summary>A request read from the wire; its inputs are already in <paramref name="inputs"/>, rented from the pipeline's pool.</summary>
    public DecodedRequest(TWire wire, InputTensorBuffers inputs)
    {
        Wire = wire;
        Inputs = inputs;
    }

    /// <summary>A request Google.Protobuf parsed.</summary>
    public DecodedRequest(TMessage message) => Message = message;

    /// <summary>What the wire reader read of the request besides its inputs.</summary>
    public TWire? Wire { get; }

    /// <summary>The decoded inputs of a request read from the wire.</summary>
    public InputTensorBuffers? Inputs { get; }

    /// <summary>The parsed message of any other request.</summary>
    public TMessage? Message { get; }
}
