using RecServe.Core.Tensors;
using RecServe.Lifecycle.Versions;

namespace RecServe.Server.Serving;

/// <summary>
/// One protocol's side of one prediction: what <see cref="PredictionRun"/> asks of an adapter while it owns the rest
/// (metrics, lease, input buffers, the pipeline). Implemented by small per-protocol structs, one per request, that the
/// runner holds and calls in the order of the members below; a struct may keep what one step learns for a later one
/// (the encoding the client used, say), and <see cref="IDisposable.Dispose"/> frees what it took, whether the run got
/// that far or not.
/// </summary>
/// <typeparam name="TAnswer">What the protocol answers with.</typeparam>
public interface IPredictionExchange<TAnswer> : IDisposable
{
    /// <summary>
    /// The model version asked for. Throwing here refuses the request before it is timed and counted, as a request
    /// that names no model cannot be.
    /// </summary>
    PredictionTarget Target();

    /// <summary>
    /// What must arrive before the version is leased (a REST body), so that no version is held while a client
    /// uploads; completed at once where the framework has read the request already.
    /// </summary>
    Task ReceiveAsync();

    /// <summary>The token that ends the prediction (the client's disconnect or deadline), from once the version is leased.</summary>
    CancellationToken StartDeadline();

    /// <summary>Decodes the request's inputs into <paramref name="inputs"/> (unless read in already) and says what to predict.</summary>
    PredictionRequest Decode(PredictionTarget target, ServableHandle handle, InputTensorBuffers inputs);

    /// <summary>The protocol's answer to <paramref name="result"/>, which is disposed after this returns.</summary>
    TAnswer Encode(PredictionPipeline.Result result);
}
