namespace RecServe.Core.Signatures;

/// <summary>What a model takes and returns, as TensorFlow Serving's <c>SignatureDef</c> describes it.</summary>
public sealed class ModelSignature
{
    /// <summary>The signature name every model exposes.</summary>
    public const string DefaultName = "serving_default";

    /// <summary>TensorFlow Serving's method name for predict signatures.</summary>
    public const string PredictMethodName = "tensorflow/serving/predict";

    /// <summary>Creates a signature.</summary>
    public ModelSignature(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        InputsByName = inputs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        OutputsByName = outputs.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>Inputs, in the model's order.</summary>
    public IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>Outputs, in the model's order.</summary>
    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Inputs by name.</summary>
    public IReadOnlyDictionary<string, TensorSpec> InputsByName { get; }

    /// <summary>Outputs by name.</summary>
    public IReadOnlyDictionary<string, TensorSpec> OutputsByName { get; }
}
