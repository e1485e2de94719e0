using RecServe.Core.Bundles;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>
/// Writes a small bundle into a temporary folder (deleted on dispose) around the committed
/// tests/fixtures/bundle_dense/dense.onnx: dense input "dense" [b, 4]; feature "a" (table "ta", dim 3, pooling sum or
/// mean, at most 4 ids per row); feature "b" (table "tb", dim 2, pooling none, ids to the graph, at most 3 ids per
/// row); output "score" [b, 2]. Also compiled into the integration tests.
/// </summary>
public sealed class TestBundle : IDisposable
{
    private readonly string _root;

    /// <summary>Predicts <paramref name="inputs"/> with <paramref name="model"/>, disposes them, and returns the "score" values.</summary>
    public static float[] Score(IModel model, Dictionary<string, Tensor> inputs)
    {
        try
        {
            using var outputs = model.Predict(inputs, []);
            return outputs.Find("score")!.AsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Ids of table ta: 1000, 1007, ... (50 rows).</summary>
    public static long IdA(int i) => 1000 + 7L * i;

    /// <summary>Ids of table tb: 5, 10, ... (20 rows).</summary>
    public static long IdB(int i) => 5L * (i + 1);

    /// <summary>Writes the bundle; <paramref name="change"/> may edit the manifest before it is written.</summary>
    public TestBundle(string denseGraph, string dtype = "fp32", string pooling = "sum", long cacheBytes = 0, float[]? defaultRowA = null,
        Action<BundleManifest>? change = null, int dimA = 3)
    {
        // A folder per bundle around the base path: a server given no --state_dir keeps its state beside the base path,
        // so bundles (of this or another test process) never share a state folder and its RocksDB lock.
        _root = Path.Combine(Path.GetTempPath(), "recserve-bundle-tests", Guid.NewGuid().ToString("N"));
        BasePath = Path.Combine(_root, "model");
        VersionPath = Path.Combine(BasePath, "1");
        Directory.CreateDirectory(VersionPath);
        File.Copy(denseGraph, Path.Combine(VersionPath, BundleFormat.DefaultDenseGraph));
        var type = dtype switch { "fp16" => TensorDataType.Float16, "int8" => TensorDataType.Int8, _ => TensorDataType.Float32 };
        WriteTable("ta", dimA, type, 50, IdA, seed: 1, defaultRowA);
        WriteTable("tb", 2, type, 20, IdB, seed: 2, null);
        Manifest = new BundleManifest
        {
            DenseInputs = [new BundleDenseInput { Name = "dense", Dtype = "float32", Shape = [-1, 4] }],
            SparseFeatures =
            [
                new BundleSparseFeature { Name = "a", Table = "ta", Pooling = pooling, MaxIdsPerRow = 4, GraphInput = "a.pooled" },
                new BundleSparseFeature { Name = "b", Table = "tb", Pooling = "none", MaxIdsPerRow = 3, GraphInput = "b.pooled", IdsToGraph = true },
            ],
            Outputs = [new BundleOutput { Name = "score", Dtype = "float32", Shape = [-1, 2] }],
            Tables =
            [
                new BundleTable { Name = "ta", Path = "tables/ta", Dim = dimA, Dtype = dtype, Rows = 50, Tier = new BundleTier { CacheBytes = cacheBytes } },
                new BundleTable { Name = "tb", Path = "tables/tb", Dim = 2, Dtype = dtype, Rows = 20, Tier = new BundleTier { Residency = "memory" } },
            ],
        };
        change?.Invoke(Manifest);
        BundleManifestFile.Write(VersionPath, Manifest);
    }

    /// <summary>The model base path (holds version 1).</summary>
    public string BasePath { get; }

    /// <summary>The version folder.</summary>
    public string VersionPath { get; }

    /// <summary>The manifest as written.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>Folder of table <paramref name="name"/>.</summary>
    public string TablePath(string name) => Path.Combine(VersionPath, "tables", name);

    private void WriteTable(string name, int dim, TensorDataType type, int rows, Func<int, long> id, int seed, float[]? defaultRow)
    {
        var random = new Random(seed);
        using var writer = new EmbeddingTableWriter(TablePath(name), name, dim, type, defaultRow);
        var row = new float[dim];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                row[j] = (float)(random.NextDouble() * 2 - 1);
            }
            writer.Add(id(i), row);
        }
        writer.Complete();
    }

    /// <summary>Deletes the folder.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
