using RecServe.Core.Tensors;

namespace RecServe.Core.Bundles;

/// <summary>
/// The rules a manifest must satisfy before anything is loaded from it, so that a bad bundle fails with every
/// problem named at once rather than with the first exception deep inside loading.
/// </summary>
public static class BundleManifestValidator
{
    /// <summary>Every rule <paramref name="manifest"/> breaks; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(BundleManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var errors = new List<string>();
        if (manifest.Format != BundleFormat.FormatName)
        {
            errors.Add($"format is '{manifest.Format}', expected '{BundleFormat.FormatName}'");
        }
        if (manifest.FormatVersion is < BundleFormat.Version or > BundleFormat.RedisTierVersion)
        {
            errors.Add($"format_version {manifest.FormatVersion} is not supported (this build reads versions {BundleFormat.Version} to {BundleFormat.RedisTierVersion})");
        }
        CheckRelativePath(manifest.DenseGraph, "dense_graph", errors);
        var requestNames = new HashSet<string>(StringComparer.Ordinal);
        var graphInputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in manifest.DenseInputs)
        {
            CheckName(input.Name, "dense input", requestNames, errors);
            graphInputs.Add(input.Name);
            CheckTensor(input.Name, input.Dtype, input.Shape, "dense input", errors);
        }
        var tables = CheckTables(manifest.Tables, errors);
        BundleRedisTierValidator.Check(manifest, errors);
        foreach (var feature in manifest.SparseFeatures)
        {
            CheckFeature(feature, tables, requestNames, graphInputs, errors);
        }
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in manifest.Outputs)
        {
            CheckName(output.Name, "output", outputs, errors);
            CheckTensor(output.Name, output.Dtype, output.Shape, "output", errors);
        }
        if (manifest.Outputs.Count == 0)
        {
            errors.Add("outputs is empty");
        }
        if (manifest.DenseInputs.Count + manifest.SparseFeatures.Count == 0)
        {
            errors.Add("the model has no inputs");
        }
        return errors;
    }

    private static Dictionary<string, BundleTable> CheckTables(List<BundleTable> tables, List<string> errors)
    {
        var byName = new Dictionary<string, BundleTable>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            if (string.IsNullOrEmpty(table.Name))
            {
                errors.Add("a table has no name");
                continue;
            }
            if (!byName.TryAdd(table.Name, table))
            {
                errors.Add($"table '{table.Name}' is declared twice");
            }
            CheckRelativePath(table.Path, $"table '{table.Name}' path", errors);
            if (table.Dim <= 0)
            {
                errors.Add($"table '{table.Name}' has dim {table.Dim}, expected a positive number");
            }
            if (!BundleFormat.TableDtypeNames.Contains(table.Dtype))
            {
                errors.Add($"table '{table.Name}' has dtype '{table.Dtype}', expected fp32, fp16 or int8");
            }
            if (table.Rows < 0)
            {
                errors.Add($"table '{table.Name}' has {table.Rows} rows");
            }
            if (table.Tier.Residency is not (BundleFormat.ResidencyMemory or BundleFormat.ResidencyMapped or BundleFormat.ResidencyRedis))
            {
                errors.Add($"table '{table.Name}' has residency '{table.Tier.Residency}', expected memory, mapped or redis");
            }
            if (table.Tier.CacheBytes < 0)
            {
                errors.Add($"table '{table.Name}' has cache_bytes {table.Tier.CacheBytes}, expected 0 or more");
            }
        }
        return byName;
    }

    private static void CheckFeature(BundleSparseFeature feature, Dictionary<string, BundleTable> tables,
        HashSet<string> requestNames, HashSet<string> graphInputs, List<string> errors)
    {
        CheckName(feature.Name, "sparse feature", requestNames, errors);
        if (!string.IsNullOrEmpty(feature.Name))
        {
            CheckName(feature.Name + BundleFormat.LengthsSuffix, "sparse feature lengths", requestNames, errors);
        }
        if (!tables.ContainsKey(feature.Table))
        {
            errors.Add($"sparse feature '{feature.Name}' uses table '{feature.Table}', which is not declared");
        }
        if (!BundleFormat.PoolingNames.Contains(feature.Pooling))
        {
            errors.Add($"sparse feature '{feature.Name}' has pooling '{feature.Pooling}', expected sum, mean or none");
        }
        if (feature.MaxIdsPerRow <= 0)
        {
            errors.Add($"sparse feature '{feature.Name}' has max_ids_per_row {feature.MaxIdsPerRow}, expected 1 or more");
        }
        if (string.IsNullOrEmpty(feature.GraphInput))
        {
            errors.Add($"sparse feature '{feature.Name}' has no graph_input");
        }
        else if (!graphInputs.Add(feature.GraphInput))
        {
            errors.Add($"graph input '{feature.GraphInput}' of sparse feature '{feature.Name}' is fed twice");
        }
        if (feature.IdsToGraph && !string.IsNullOrEmpty(feature.Name) && !graphInputs.Add(feature.Name))
        {
            errors.Add($"graph input '{feature.Name}' (the ids of sparse feature '{feature.Name}') is fed twice");
        }
    }

    private static void CheckName(string name, string kind, HashSet<string> seen, List<string> errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add($"a {kind} has no name");
        }
        else if (!seen.Add(name))
        {
            errors.Add($"{kind} name '{name}' is used twice");
        }
    }

    private static void CheckTensor(string name, string dtype, long[] shape, string kind, List<string> errors)
    {
        if (!TensorDataTypes.TryParseDisplayName(dtype, out _))
        {
            errors.Add($"{kind} '{name}' has dtype '{dtype}', expected one of float32, float64, float16, int8, uint8, int32, int64, bool, string");
        }
        if (shape.Any(d => d < -1))
        {
            errors.Add($"{kind} '{name}' has shape [{string.Join(", ", shape)}]; dimensions are -1 or more");
        }
    }

    private static void CheckRelativePath(string path, string what, List<string> errors)
    {
        // Paths come from a file someone else may have written: they must stay inside the version folder.
        if (string.IsNullOrEmpty(path))
        {
            errors.Add($"{what} is empty");
        }
        else if (System.IO.Path.IsPathRooted(path) || path.Split('/', '\\').Contains(".."))
        {
            errors.Add($"{what} '{path}' must be relative and stay inside the version folder");
        }
    }
}
