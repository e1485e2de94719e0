using RecServe.Core.Bundles;
using RecServe.Embeddings.Tables;
using RecServe.Import.Onnx;

namespace RecServe.Import.Tests.Rewrite;

/// <summary>Each torch 1.13 export pattern imports to the expected manifest and graph, and passes the self-check.</summary>
public sealed class PatternImportTests : IDisposable
{
    private readonly string _scratch = ImportFixtures.TempFolder();

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData("embedding_ids1d", "sum", 1, false, "ids.pooled")]
    [InlineData("embedding_sum_opset13", "sum", 3, false, "ids.pooled")]
    [InlineData("embedding_mean_opset17", "mean", 3, false, "ids.pooled")]
    [InlineData("masked_sum", "sum", 3, false, "ids.pooled")]
    [InlineData("masked_mean", "sum", 3, true, "ids.pooled")]
    [InlineData("embedding_bag_sum", "sum", 3, false, "ids.pooled")]
    [InlineData("embedding_bag_mean", "mean", 3, false, "ids.pooled")]
    [InlineData("gather_flatten", "none", 3, false, "ids.embeddings")]
    public void Pattern_becomes_one_sparse_feature(string fixture, string pooling, int maxIds, bool idsToGraph, string graphInput)
    {
        var folder = Path.Combine(_scratch, fixture, "1");
        var result = BundleImporter.Import(ImportFixtures.Model(fixture), folder, new ImportOptions());

        Assert.True(result.MaxError <= 1e-5, $"max error {result.MaxError}");
        var manifest = BundleManifestFile.Read(folder);
        var feature = Assert.Single(manifest.SparseFeatures);
        Assert.Equal(("ids", pooling, maxIds, idsToGraph, graphInput), (feature.Name, feature.Pooling, feature.MaxIdsPerRow, feature.IdsToGraph, feature.GraphInput));
        var table = Assert.Single(manifest.Tables);
        Assert.Equal(("emb", 300L, 8, "fp32"), (table.Name, table.Rows, table.Dim, table.Dtype));
        Assert.Equal("x", Assert.Single(manifest.DenseInputs).Name);

        var graph = OnnxModelFile.Load(Path.Combine(folder, manifest.DenseGraph)).Graph;
        Assert.DoesNotContain(graph.Initializer, t => t.Name == "emb.weight");
        Assert.DoesNotContain(graph.Node, n => n.OpType is "Gather" or "Loop");
        Assert.Contains(graph.Input, i => i.Name == graphInput);
        Assert.Equal(idsToGraph, graph.Input.Any(i => i.Name == "ids"));
    }

    [Fact]
    public void Masked_sum_drops_the_mask_and_clamp()
    {
        var folder = Path.Combine(_scratch, "masked", "1");
        BundleImporter.Import(ImportFixtures.Model("masked_sum"), folder, new ImportOptions());

        var graph = OnnxModelFile.Load(Path.Combine(folder, "dense.onnx")).Graph;
        Assert.DoesNotContain(graph.Node, n => n.OpType is "Clip" or "GreaterOrEqual" or "Mul" or "ReduceSum" or "Cast" or "Unsqueeze");
    }

    [Fact]
    public void Example_model_moves_all_four_tables()
    {
        var folder = Path.Combine(_scratch, "dlrm", "1");
        var result = BundleImporter.Import(ImportFixtures.ExampleModel, folder, new ImportOptions());

        Assert.Equal(0, result.MaxError);
        Assert.Equal(["cat_0", "cat_1", "cat_2", "cat_3"], result.Manifest.SparseFeatures.Select(f => f.Name));
        Assert.All(result.Manifest.SparseFeatures, f => Assert.Equal(("sum", 4, false), (f.Pooling, f.MaxIdsPerRow, f.IdsToGraph)));
        Assert.Equal([1000L, 500, 200, 100], result.Manifest.Tables.Select(t => t.Rows));
        AssertDenseRangeTables(folder, result.Manifest);
    }

    [Theory]
    [InlineData("fp16")]
    [InlineData("int8")]
    public void Lossy_rows_report_their_error(string dtype)
    {
        var folder = Path.Combine(_scratch, dtype, "1");
        var result = BundleImporter.Import(ImportFixtures.ExampleModel, folder, new ImportOptions { TableDataType = TableDtypes.Parse(dtype) });

        Assert.InRange(result.MaxError!.Value, 0, 1e-2);
        Assert.Equal(0.1, result.Tolerance);
        Assert.All(result.Manifest.Tables, t => Assert.Equal(dtype, t.Dtype));
        AssertDenseRangeTables(folder, result.Manifest);
    }

    /// <summary>nn.Embedding ids are row numbers: every table gets the dense key-range index from 0 and no hash index.</summary>
    private static void AssertDenseRangeTables(string folder, BundleManifest manifest)
    {
        foreach (var entry in manifest.Tables)
        {
            using var table = EmbeddingTable.Open(Path.Combine(folder, entry.Path));
            Assert.Equal((TableIndexKind.DenseRange, 0L), (table.IndexKind, table.FirstId));
            Assert.Equal(TableFormat.HeaderBytes + 16, new FileInfo(Path.Combine(folder, entry.Path, TableFormat.IndexFileName)).Length);
        }
    }

    [Fact]
    public void Nothing_to_extract_keeps_the_graph_byte_for_byte()
    {
        var folder = Path.Combine(_scratch, "small", "1");
        var result = BundleImporter.Import(ImportFixtures.Model("small_table"), folder, new ImportOptions());

        Assert.Empty(result.Extracted);
        Assert.Empty(result.Manifest.Tables);
        Assert.Equal(["x", "ids"], result.Manifest.DenseInputs.Select(i => i.Name));
        Assert.Contains(result.Notes, n => n.Contains("fewer rows than --min-rows 64"));
        Assert.Equal(File.ReadAllBytes(ImportFixtures.Model("small_table")), File.ReadAllBytes(Path.Combine(folder, "dense.onnx")));
    }

    [Fact]
    public void Min_rows_decides_what_moves()
    {
        var folder = Path.Combine(_scratch, "small-moved", "1");
        var result = BundleImporter.Import(ImportFixtures.Model("small_table"), folder, new ImportOptions { MinRows = 10 });

        Assert.Equal(20, Assert.Single(result.Manifest.Tables).Rows);
    }

    [Fact]
    public void Existing_destination_is_refused()
    {
        var folder = Path.Combine(_scratch, "exists", "1");
        Directory.CreateDirectory(folder);

        var error = Assert.Throws<ImportException>(() => BundleImporter.Import(ImportFixtures.Model("masked_sum"), folder, new ImportOptions()));

        Assert.Contains("already exists", error.Message);
    }
}
