using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// A parsed REST predict request. It owns its input tensors: dispose it (or each tensor, once taken over) when
/// the prediction is done so the pooled buffers go back.
/// </summary>
public sealed class PredictJsonRequest : IDisposable
{
    /// <summary>Creates the request.</summary>
    public PredictJsonRequest(string? signatureName, PredictJsonFormat format, Dictionary<string, Tensor> inputs)
    {
        SignatureName = signatureName;
        Format = format;
        Inputs = inputs;
    }

    /// <summary>The request's <c>signature_name</c>, or null when it has none (the default signature).</summary>
    public string? SignatureName { get; }

    /// <summary>Which layout the request used; the response must use the same one.</summary>
    public PredictJsonFormat Format { get; }

    /// <summary>One tensor per signature input, keyed by input name.</summary>
    public Dictionary<string, Tensor> Inputs { get; }

    /// <summary>Disposes every input tensor.</summary>
    public void Dispose()
    {
        foreach (var tensor in Inputs.Values)
        {
            tensor.Dispose();
        }
    }
}
