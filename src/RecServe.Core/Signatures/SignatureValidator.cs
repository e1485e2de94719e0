using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Core.Signatures;

/// <summary>
/// Checks a request's tensors against a signature before anything runs, so that a bad request gets an
/// INVALID_ARGUMENT that names the input instead of an engine error.
/// </summary>
public static class SignatureValidator
{
    /// <summary>Throws <see cref="ServingException"/> (INVALID_ARGUMENT) unless <paramref name="inputs"/> fits the signature.</summary>
    public static void Validate(ModelSignature signature, IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter)
    {
        foreach (var name in inputs.Keys)
        {
            if (!signature.InputsByName.ContainsKey(name))
            {
                CheckExtraInput(signature, inputs, name);
            }
        }

        long batch = -1;
        string? batchInput = null;
        foreach (var spec in signature.Inputs)
        {
            if (!inputs.TryGetValue(spec.Name, out var tensor))
            {
                throw ServingException.InvalidArgument(
                    $"missing input '{spec.Name}'; expected inputs: {NameList(signature.Inputs)}");
            }
            long rows;
            if (spec.Sparse is { } sparse)
            {
                rows = SparseIdsValidator.Validate(spec, sparse, tensor, SparseIdsLayouts.FindLengths(inputs, sparse));
            }
            else
            {
                ValidateOne(spec, tensor);
                if (!spec.HasDynamicBatch)
                {
                    continue;
                }
                rows = tensor.Shape[0];
            }
            if (batchInput is null)
            {
                (batch, batchInput) = (rows, spec.Name);
            }
            else if (rows != batch)
            {
                throw ServingException.InvalidArgument(
                    $"input '{spec.Name}' has batch size {rows} but input '{batchInput}' has {batch}; all inputs must have the same batch size");
            }
        }

        foreach (var name in outputFilter)
        {
            if (!signature.OutputsByName.ContainsKey(name))
            {
                throw ServingException.InvalidArgument(
                    $"output_filter names '{name}', which is not an output; outputs: {NameList(signature.Outputs)}");
            }
        }
    }

    /// <summary>An input the signature does not list is an error, unless it is the lengths of a sparse feature that is present.</summary>
    private static void CheckExtraInput(ModelSignature signature, IReadOnlyDictionary<string, Tensor> inputs, string name)
    {
        foreach (var spec in signature.Inputs)
        {
            if (spec.Sparse is { } sparse && sparse.LengthsName == name)
            {
                if (!inputs.ContainsKey(spec.Name))
                {
                    throw ServingException.InvalidArgument($"input '{name}' is given without its sparse feature '{spec.Name}'");
                }
                return;
            }
        }
        throw ServingException.InvalidArgument(
            $"input '{name}' is not in the signature; expected inputs: {NameList(signature.Inputs)}");
    }

    private static void ValidateOne(TensorSpec spec, Tensor tensor)
    {
        if (tensor.DataType != spec.DataType)
        {
            throw ServingException.InvalidArgument(
                $"input '{spec.Name}' has type {tensor.DataType.DisplayName()} but the signature expects {spec.DataType.DisplayName()}");
        }
        if (spec.Shape is null)
        {
            return;
        }
        if (tensor.Shape.Length != spec.Shape.Length)
        {
            throw ServingException.InvalidArgument(
                $"input '{spec.Name}' has rank {tensor.Shape.Length} (shape {TensorShape.Format(tensor.Shape)}) but the signature expects rank {spec.Shape.Length} (shape {TensorShape.Format(spec.Shape)})");
        }
        for (var i = 0; i < spec.Shape.Length; i++)
        {
            if (spec.Shape[i] >= 0 && spec.Shape[i] != tensor.Shape[i])
            {
                throw ServingException.InvalidArgument(
                    $"input '{spec.Name}' has shape {TensorShape.Format(tensor.Shape)} but the signature expects {TensorShape.Format(spec.Shape)} (dimension {i} must be {spec.Shape[i]})");
            }
        }
    }

    private static string NameList(IReadOnlyList<TensorSpec> specs)
    {
        var names = new string[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            names[i] = specs[i].Name;
        }
        return string.Join(", ", names);
    }
}
