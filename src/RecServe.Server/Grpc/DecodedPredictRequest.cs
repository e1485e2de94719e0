using RecServe.Core.Tensors;
using RecServe.Protocol.TensorProto;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>
/// A TF-Serving Predict request as <see cref="WirePredictBinding"/>'s deserializer hands it over: read from the wire
/// into pooled input buffers (<see cref="Wire"/> and <see cref="Inputs"/>), or, for a request that reader does not
/// take, Google.Protobuf's message (<see cref="Message"/>), decoded later as before.
/// </summary>
public sealed class DecodedPredictRequest
{
    /// <summary>A request read from the wire; its inputs are already in <paramref name="inputs"/>, rented from the pipeline's pool.</summary>
    public DecodedPredictRequest(WirePredictRequest wire, InputTensorBuffers inputs)
    {
        Wire = wire;
        Inputs = inputs;
    }

    /// <summary>A request Google.Protobuf parsed.</summary>
    public DecodedPredictRequest(PredictRequest message) => Message = message;

    /// <summary>The model spec and output filter of a request read from the wire.</summary>
    public WirePredictRequest? Wire { get; }

    /// <summary>The decoded inputs of a request read from the wire.</summary>
    public InputTensorBuffers? Inputs { get; }

    /// <summary>The parsed message of any other request.</summary>
    public PredictRequest? Message { get; }
}
