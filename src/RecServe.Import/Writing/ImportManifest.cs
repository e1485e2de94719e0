using RecServe.Embeddings.Tables;
using RecServe.Core.Bundles;
using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;
using RecServe.Import.Rewrite;

namespace RecServe.Import.Writing;

/// <summary>Builds the manifest of an imported bundle from the rewritten graph.</summary>
internal static class ImportManifest
{
    public static BundleManifest Build(GraphProto graph, IReadOnlyList<RewrittenFeature> features, IReadOnlyDictionary<string, string> tableNames, ImportOptions options, string sourceName)
    {
        var fedByFeatures = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            fedByFeatures.Add(feature.GraphInput);
            if (feature.IdsToGraph)
            {
                fedByFeatures.Add(feature.Lookup.IdInput);
            }
        }
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var manifest = new BundleManifest
        {
            DenseInputs = graph.Input
                .Where(i => !initializers.Contains(i.Name) && !fedByFeatures.Contains(i.Name))
                .Select(i => new BundleDenseInput { Name = i.Name, Dtype = OnnxElementTypes.DtypeName(i), Shape = OnnxElementTypes.Shape(i) })
                .ToList(),
            SparseFeatures = features.Select(f => new BundleSparseFeature
            {
                Name = f.Lookup.IdInput,
                Table = tableNames[f.Lookup.Weight],
                Pooling = f.Lookup.Pooling,
                MaxIdsPerRow = f.MaxIdsPerRow,
                GraphInput = f.GraphInput,
                IdsToGraph = f.IdsToGraph,
            }).ToList(),
            Outputs = graph.Output
                .Select(o => new BundleOutput { Name = o.Name, Dtype = OnnxElementTypes.DtypeName(o), Shape = OnnxElementTypes.Shape(o) })
                .ToList(),
            Producer = new Dictionary<string, string> { ["tool"] = "recserve import", ["source"] = sourceName },
        };
        foreach (var feature in features)
        {
            var name = tableNames[feature.Lookup.Weight];
            if (manifest.Tables.Any(t => t.Name == name))
            {
                continue;
            }
            manifest.Tables.Add(new BundleTable
            {
                Name = name,
                Path = $"{BundleFormat.TablesFolder}/{name}",
                Dim = feature.Dim,
                Dtype = DataTypeNames.ToName(options.TableDataType),
                Rows = feature.Rows,
                Tier = new BundleTier { Residency = options.Residency },
            });
        }
        return manifest;
    }

    /// <summary>
    /// Table names from weight names: torch's "embeddings.0.weight" becomes "embeddings_0", unique in the bundle
    /// and safe as a folder name.
    /// </summary>
    public static Dictionary<string, string> TableNames(IEnumerable<string> weights)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var weight in weights)
        {
            if (names.ContainsKey(weight))
            {
                continue;
            }
            var stem = weight.EndsWith(".weight", StringComparison.Ordinal) ? weight[..^".weight".Length] : weight;
            var safe = new string(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray()).Trim('_');
            if (safe.Length == 0)
            {
                safe = "table";
            }
            var name = safe;
            for (var i = 1; !taken.Add(name); i++)
            {
                name = $"{safe}_{i}";
            }
            names[weight] = name;
        }
        return names;
    }
}
