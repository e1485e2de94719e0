using RecServe.Core.Tensors;

namespace RecServe.Protocol.KServe;

/// <summary>
/// A KServe v2 inference request after decoding (from gRPC or REST JSON). It owns its input tensors: dispose it
/// when the prediction is done so their pooled buffers go back.
/// </summary>
public sealed class DecodedInferRequest : IDisposable
{
    /// <summary>Creates the request; it takes ownership of the tensors in <paramref name="inputs"/>.</summary>
    public DecodedInferRequest(string? id, Dictionary<string, Tensor> inputs, IReadOnlyList<string> outputNames, bool usedRawContents)
    {
        Id = id;
        Inputs = inputs;
        OutputNames = outputNames;
        UsedRawContents = usedRawContents;
    }

    /// <summary>The request's <c>id</c>, echoed in the response; null or empty when it has none.</summary>
    public string? Id { get; }

    /// <summary>Input tensors by name.</summary>
    public Dictionary<string, Tensor> Inputs { get; }

    /// <summary>The outputs the request names in <c>outputs</c>; empty means all.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Whether the inputs came in <c>raw_input_contents</c>, so the response should use raw contents too.</summary>
    public bool UsedRawContents { get; }

    /// <summary>Disposes every input tensor.</summary>
    public void Dispose()
    {
        foreach (var tensor in Inputs.Values)
        {
            tensor.Dispose();
        }
        Inputs.Clear();
    }
}
