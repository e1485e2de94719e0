using RecServe.Core.Bundles;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;
using RecServe.Import.Demo;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;

namespace RecServe.Import.Tests.Demo;

/// <summary>Demo bundles load and answer with the shapes their options promise.</summary>
public sealed class DemoModelWriterTests : IDisposable
{
    private readonly string _scratch = ImportFixtures.TempFolder();

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData("fp32", 5)]
    [InlineData("int8", 0)]
    public void Demo_bundle_serves_probabilities(string dtype, int dense)
    {
        var folder = Path.Combine(_scratch, dtype, "1");
        var progress = new List<ImportProgress>();
        var options = new DemoModelOptions
        {
            Rows = 10_000, Dim = 8, Tables = 3, Bag = 2, Dense = dense, TableDataType = TableDtypes.Parse(dtype),
            CacheBytes = 4096, Progress = new Progress(progress),
        };

        DemoModelWriter.Write(folder, options);

        var manifest = BundleManifestFile.Read(folder);
        Assert.Equal(["f_0", "f_1", "f_2"], manifest.SparseFeatures.Select(f => f.Name));
        Assert.All(manifest.Tables, t => Assert.Equal((10_000L, 8, dtype, 4096L), (t.Rows, t.Dim, t.Dtype, t.Tier.CacheBytes)));
        Assert.Contains(progress, p => p.Done == p.Total && p.Stage == "table table_2");
        foreach (var entry in manifest.Tables)
        {
            using var table = EmbeddingTable.Open(Path.Combine(folder, entry.Path));
            Assert.Equal((TableIndexKind.DenseRange, 0L, 10_000), (table.IndexKind, table.FirstId, table.RowCount));
        }
        using var model = ModelLoader.Load(folder, new OnnxModelOptions { IntraOpThreads = 1 });
        var inputs = new Dictionary<string, Tensor>();
        for (var t = 0; t < 3; t++)
        {
            inputs[$"f_{t}"] = Tensor.FromValues<long>(TensorDataType.Int64, [4, 2], [0, 1, 9_999, -1, 5, 6, 7, 8]);
        }
        if (dense > 0)
        {
            inputs["dense"] = Tensor.FromValues<float>(TensorDataType.Float32, [4, dense], new float[4 * dense]);
        }
        using var outputs = model.Predict(inputs, []);
        var probability = outputs.Find("probability")!;
        Assert.Equal([4L, 1], probability.Shape);
        Assert.All(probability.AsSpan<float>().ToArray(), p => Assert.InRange(p, 0.01f, 0.99f));
        foreach (var tensor in inputs.Values)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public void Several_hidden_layers_make_a_deeper_network_with_weights_of_those_widths()
    {
        var folder = Path.Combine(_scratch, "mlp", "1");
        DemoModelWriter.Write(folder, new DemoModelOptions { Rows = 100, Dim = 4, Tables = 2, Dense = 3, Hidden = [16, 8, 4] });

        var weights = OnnxInitializers.Read(Path.Combine(folder, "dense.onnx")).ToDictionary(w => w.Key, w => w.Value.Shape);
        Assert.Equal([2L * 4 + 3, 16], weights["w1"]);
        Assert.Equal([16L, 8], weights["w2"]);
        Assert.Equal([8L, 4], weights["w3"]);
        Assert.Equal([4L, 1], weights["w4"]);
        Assert.Equal([1L], weights["b4"]);
        Assert.False(weights.ContainsKey("w5"));

        using var model = ModelLoader.Load(folder, new OnnxModelOptions { IntraOpThreads = 1 });
        using var ids = Tensor.FromValues<long>(TensorDataType.Int64, [2, 4], [0, 1, 2, 3, 99, -1, -1, -1]);
        using var ids2 = Tensor.FromValues<long>(TensorDataType.Int64, [2, 4], [4, 5, -1, -1, 6, 7, 8, 9]);
        using var dense = Tensor.FromValues<float>(TensorDataType.Float32, [2, 3], [0.5f, -1, 2, 0, 0, 0]);
        using var outputs = model.Predict(new Dictionary<string, Tensor> { ["f_0"] = ids, ["f_1"] = ids2, ["dense"] = dense }, []);
        var probability = outputs.Find("probability")!;
        Assert.Equal([2L, 1], probability.Shape);
        Assert.All(probability.AsSpan<float>().ToArray(), p => Assert.InRange(p, 1e-4f, 1 - 1e-4f));
    }

    [Fact]
    public void Hash_index_option_writes_the_version_1_index_with_the_same_rows()
    {
        var options = new DemoModelOptions { Rows = 300, Dim = 4, Tables = 1 };
        DemoModelWriter.Write(Path.Combine(_scratch, "range"), options);
        DemoModelWriter.Write(Path.Combine(_scratch, "hash"), options with { HashIndex = true });

        using var range = EmbeddingTable.Open(Path.Combine(_scratch, "range", "tables", "table_0"));
        using var hash = EmbeddingTable.Open(Path.Combine(_scratch, "hash", "tables", "table_0"));
        Assert.Equal((TableIndexKind.DenseRange, TableIndexKind.OpenAddressing), (range.IndexKind, hash.IndexKind));
        for (var id = 0; id < 300; id++)
        {
            Assert.True(hash.TryGetRow(id, out var row) && row == id);
            Assert.True(range.GetRowBytes(id).SequenceEqual(hash.GetRowBytes(row)));
        }
    }

    [Fact]
    public void Same_seed_writes_the_same_bundle()
    {
        var options = new DemoModelOptions { Rows = 100, Dim = 4, Tables = 1 };
        DemoModelWriter.Write(Path.Combine(_scratch, "a"), options);
        DemoModelWriter.Write(Path.Combine(_scratch, "b"), options);

        Assert.Equal(File.ReadAllBytes(Path.Combine(_scratch, "a", "dense.onnx")), File.ReadAllBytes(Path.Combine(_scratch, "b", "dense.onnx")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_scratch, "a", "tables", "table_0", "rows.bin")), File.ReadAllBytes(Path.Combine(_scratch, "b", "tables", "table_0", "rows.bin")));
    }

    /// <summary>Records progress synchronously (System.Progress posts to the thread pool).</summary>
    private sealed class Progress(List<ImportProgress> reports) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => reports.Add(value);
    }
}
