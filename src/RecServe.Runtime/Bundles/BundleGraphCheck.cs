using RecServe.Core.Bundles;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// Checks that the dense graph is the one the manifest describes: its inputs are exactly the dense inputs, each
/// feature's pooled input (float32 [batch, dim], or [batch, L, dim] for pooling none, dim = the table's) and the
/// ids of features with <c>ids_to_graph</c> (int64); its outputs include every manifest output with its type.
/// </summary>
internal static class BundleGraphCheck
{
    /// <exception cref="ModelLoadException">Every mismatch found, in one message.</exception>
    public static void Check(BundleManifest manifest, IReadOnlyDictionary<string, ServedTable> tables, ModelSignature graph)
    {
        var errors = new List<string>();
        var fed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in manifest.DenseInputs)
        {
            fed.Add(input.Name);
            if (Find(graph.InputsByName, input.Name, "dense input", errors) is { } spec)
            {
                CheckTensor(spec, BundleManifestFile.ParseDtype(input.Dtype), input.Shape, $"dense input '{input.Name}'", errors);
            }
        }
        foreach (var feature in manifest.SparseFeatures)
        {
            fed.Add(feature.GraphInput);
            var dim = tables[feature.Table].Dim;
            long[] pooledShape = feature.Pooling == "none" ? [-1, -1, dim] : [-1, dim];
            if (Find(graph.InputsByName, feature.GraphInput, $"pooled input of feature '{feature.Name}'", errors) is { } pooled)
            {
                CheckTensor(pooled, TensorDataType.Float32, pooledShape, $"pooled input '{feature.GraphInput}' of feature '{feature.Name}' (table '{feature.Table}', dim {dim}, pooling {feature.Pooling})", errors);
            }
            if (feature.IdsToGraph)
            {
                fed.Add(feature.Name);
                if (Find(graph.InputsByName, feature.Name, $"ids input of feature '{feature.Name}' (ids_to_graph)", errors) is { } ids)
                {
                    CheckIds(ids, feature, errors);
                }
            }
        }
        foreach (var spec in graph.Inputs)
        {
            if (!fed.Contains(spec.Name))
            {
                errors.Add($"the dense graph's input '{spec.Name}' is fed by nothing in model.json");
            }
        }
        foreach (var output in manifest.Outputs)
        {
            if (Find(graph.OutputsByName, output.Name, "output", errors) is { } spec)
            {
                CheckTensor(spec, BundleManifestFile.ParseDtype(output.Dtype), output.Shape, $"output '{output.Name}'", errors);
            }
        }
        if (errors.Count > 0)
        {
            throw new ModelLoadException($"the dense graph does not match model.json: {string.Join("; ", errors)}");
        }
    }

    private static TensorSpec? Find(IReadOnlyDictionary<string, TensorSpec> specs, string name, string role, List<string> errors)
    {
        if (specs.TryGetValue(name, out var spec))
        {
            return spec;
        }
        errors.Add($"model.json's {role} '{name}' is not a{(role == "output" ? "n output" : "n input")} of the dense graph");
        return null;
    }

    private static void CheckIds(TensorSpec ids, BundleSparseFeature feature, List<string> errors)
    {
        var what = $"ids input '{feature.Name}' (ids_to_graph)";
        if (ids.DataType != TensorDataType.Int64)
        {
            errors.Add($"{what} is {ids.DataType.DisplayName()} in the graph; ids are int64");
        }
        if (ids.Shape is { Length: not (1 or 2) })
        {
            errors.Add($"{what} has rank {ids.Shape.Length} in the graph; ids are [batch] or [batch, L]");
        }
        else if (ids.Shape is { Length: 1 } && feature.MaxIdsPerRow != 1)
        {
            errors.Add($"{what} is [batch] in the graph, so max_ids_per_row must be 1, not {feature.MaxIdsPerRow}");
        }
    }

    /// <summary>Same type and rank; a dimension both sides fix must agree (-1 on either side admits any size).</summary>
    private static void CheckTensor(TensorSpec graph, TensorDataType type, long[] shape, string what, List<string> errors)
    {
        if (graph.DataType != type)
        {
            errors.Add($"{what} is {graph.DataType.DisplayName()} in the graph but {type.DisplayName()} in model.json");
        }
        if (graph.Shape is null)
        {
            return;
        }
        var compatible = graph.Shape.Length == shape.Length;
        for (var i = 0; compatible && i < shape.Length; i++)
        {
            compatible = graph.Shape[i] < 0 || shape[i] < 0 || graph.Shape[i] == shape[i];
        }
        if (!compatible)
        {
            errors.Add($"{what} has shape {TensorShape.Format(graph.Shape)} in the graph but model.json needs {TensorShape.Format(shape)}");
        }
    }
}
