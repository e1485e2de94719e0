using RecServe.Core.Bundles;
using RecServe.Core.Signatures;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Redis;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Bundles;

// Loading: manifest, tables, graph, and the checks between them. Anything wrong is a load error, never a served model.
public sealed partial class BundleModel
{
    /// <summary>
    /// Loads the bundle in <paramref name="versionPath"/> (its <c>model.json</c> and everything it names). With an
    /// <paramref name="overlayDirectory"/>, the version's delta overlay is opened there over its tables (docs/DELTA.md),
    /// so that deltas applied before, even in an earlier process, are served from the start.
    /// </summary>
    /// <param name="versionPath">The version folder.</param>
    /// <param name="options">ONNX Runtime settings.</param>
    /// <param name="overlayDirectory">Where the delta overlay lives, or null for none.</param>
    /// <param name="redis">Connection settings imposed on the cluster tables (the server's flags), over the manifest's.</param>
    /// <exception cref="ModelLoadException">The manifest, a table, the overlay or the graph is unusable, or they do not fit together.</exception>
    public static BundleModel Load(string versionPath, OnnxModelOptions options, string? overlayDirectory = null, RedisClusterOverrides? redis = null)
    {
        BundleManifest manifest;
        try
        {
            manifest = BundleManifestFile.Read(versionPath);
        }
        catch (BundleFormatException e)
        {
            throw new ModelLoadException(e.Message, e);
        }

        var tables = new List<ServedTable>(manifest.Tables.Count);
        // One connection per cluster for all of the version's cluster tables; null when it has none.
        var connections = manifest.Tables.Exists(t => t.Tier.Residency == BundleFormat.ResidencyRedis) ? new RedisConnectionPool() : null;
        DenseGraph? dense = null;
        BundleDeltas? deltas = null;
        BundleFileWatch? files = null;
        try
        {
            foreach (var entry in manifest.Tables)
            {
                tables.Add(ServedTable.Open(versionPath, entry, redis, connections));
            }
            deltas = overlayDirectory is null ? null : OpenDeltas(overlayDirectory, tables);
            dense = new DenseGraph(Path.Combine(versionPath, manifest.DenseGraph), options, deltas?.DenseWeights ?? []);
            deltas?.AttachDenseTarget(dense);
            var byName = new Dictionary<string, ServedTable>(StringComparer.Ordinal);
            foreach (var table in tables)
            {
                byName[table.Name] = table;
            }
            BundleGraphCheck.Check(manifest, byName, dense.Signature);
            files = new BundleFileWatch(versionPath, tables.Select(t => t.Table).OfType<Embeddings.Tables.EmbeddingTable>());
            return Assemble(manifest, byName, tables.ToArray(), dense, deltas, files, connections);
        }
        catch
        {
            files?.Dispose();
            deltas?.Dispose();
            dense?.Dispose();
            foreach (var table in tables)
            {
                table.Dispose();
            }
            connections?.Dispose();
            throw;
        }
    }

    private static BundleDeltas OpenDeltas(string overlayDirectory, List<ServedTable> tables)
    {
        var opened = new List<Embeddings.Tables.EmbeddingTable>(tables.Count);
        var clusterTables = new List<RedisClusterTable>();
        foreach (var table in tables)
        {
            if (table.Table is { } local)
            {
                opened.Add(local);
            }
            else if (table.ClusterTable is { } cluster)
            {
                clusterTables.Add(cluster);
            }
        }
        // Cluster tables get each delta through the overlay's apply, written into the shared copy once (docs/SCALE.md).
        var remote = clusterTables.Count > 0 ? new RedisClusterDeltaTarget(clusterTables) : null;
        try
        {
            return new BundleDeltas(Embeddings.Overlay.EmbeddingOverlay.Open(overlayDirectory, opened, remote), tables);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or RocksDbSharp.RocksDbException)
        {
            throw new ModelLoadException($"the delta overlay in {overlayDirectory} cannot be opened (set --state_dir to a writable folder): {e.Message}", e);
        }
    }

    private static BundleModel Assemble(BundleManifest manifest, Dictionary<string, ServedTable> tables, ServedTable[] owned, DenseGraph dense,
        BundleDeltas? deltas, BundleFileWatch files, RedisConnectionPool? connections)
    {
        var graph = dense.Signature;
        var denseInputs = new (string, int)[manifest.DenseInputs.Count];
        for (var i = 0; i < denseInputs.Length; i++)
        {
            denseInputs[i] = (manifest.DenseInputs[i].Name, GraphIndex(graph, manifest.DenseInputs[i].Name));
        }
        var features = new BundleFeature[manifest.SparseFeatures.Count];
        for (var i = 0; i < features.Length; i++)
        {
            var feature = manifest.SparseFeatures[i];
            var idsInput = feature.IdsToGraph ? GraphIndex(graph, feature.Name) : -1;
            var idsRank = idsInput >= 0 ? graph.Inputs[idsInput].Shape?.Length ?? 2 : 0;
            features[i] = new BundleFeature(feature.Name, tables[feature.Table], ParsePooling(feature.Pooling),
                GraphIndex(graph, feature.GraphInput), idsInput, idsRank);
        }
        return new BundleModel(dense, owned, features, denseInputs, BundleSignature.Build(manifest), AllOutputs(manifest, graph), deltas, files, connections);
    }

    /// <summary>Empty (the graph's own outputs) when the manifest lists exactly those, in order; else the manifest's names.</summary>
    private static IReadOnlyList<string> AllOutputs(BundleManifest manifest, ModelSignature graph)
    {
        var names = new string[manifest.Outputs.Count];
        var same = names.Length == graph.Outputs.Count;
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = manifest.Outputs[i].Name;
            if (same && graph.Outputs[i].Name != names[i])
            {
                same = false;
            }
        }
        return same ? [] : names;
    }

    private static int GraphIndex(ModelSignature graph, string name)
    {
        for (var i = 0; i < graph.Inputs.Count; i++)
        {
            if (graph.Inputs[i].Name == name)
            {
                return i;
            }
        }
        throw new ModelLoadException($"the dense graph has no input '{name}'");
    }

    internal static PoolingMode ParsePooling(string pooling) => pooling switch
    {
        "sum" => PoolingMode.Sum,
        "mean" => PoolingMode.Mean,
        _ => PoolingMode.None,
    };
}
