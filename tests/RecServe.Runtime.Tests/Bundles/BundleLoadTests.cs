using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>A bundle whose parts are damaged or do not fit together is a load error that says why.</summary>
public sealed class BundleLoadTests
{
    private static ModelLoadException LoadFails(TestBundle bundle) =>
        Assert.Throws<ModelLoadException>(() => ModelLoader.Load(bundle.VersionPath, new OnnxModelOptions()).Dispose());

    [Fact]
    public void CorruptRowsAreRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph);
        var rows = Path.Combine(bundle.TablePath("tb"), "rows.bin");
        var bytes = File.ReadAllBytes(rows);
        bytes[^3] ^= 0x5A;
        File.WriteAllBytes(rows, bytes);

        var error = LoadFails(bundle);

        Assert.Contains("table 'tb'", error.Message);
        Assert.Contains("rows.bin", error.Message);
    }

    [Fact]
    public void TruncatedTableIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph);
        var index = Path.Combine(bundle.TablePath("ta"), "index.bin");
        using (var file = new FileStream(index, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }

        var error = LoadFails(bundle);

        Assert.Contains("table 'ta'", error.Message);
        Assert.Contains("index.bin", error.Message);
    }

    [Fact]
    public void MissingTableFolderIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph);
        Directory.Delete(bundle.TablePath("tb"), recursive: true);

        Assert.Contains("table 'tb'", LoadFails(bundle).Message);
    }

    [Fact]
    public void TableDimOtherThanTheGraphInputsIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph, dimA: 5);

        var error = LoadFails(bundle);

        Assert.Contains("pooled input 'a.pooled' of feature 'a'", error.Message);
        Assert.Contains("[-1, 5]", error.Message);
    }

    [Fact]
    public void ManifestRowCountOtherThanTheTablesIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph, change: m => m.Tables[0].Rows = 51);

        var error = LoadFails(bundle);

        Assert.Contains("table 'ta' holds 50 rows", error.Message);
    }

    [Fact]
    public void GraphInputFedByNothingIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph, change: m => m.SparseFeatures[1].IdsToGraph = false);

        Assert.Contains("the dense graph's input 'b' is fed by nothing", LoadFails(bundle).Message);
    }

    [Fact]
    public void ManifestInputOrOutputMissingFromTheGraphIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph, change: m =>
        {
            m.SparseFeatures[0].GraphInput = "a.embedded";
            m.Outputs[0].Name = "probability";
        });

        var error = LoadFails(bundle);

        Assert.Contains("'a.embedded' is not an input of the dense graph", error.Message);
        Assert.Contains("'probability' is not an output of the dense graph", error.Message);
        Assert.Contains("'a.pooled' is fed by nothing", error.Message);
    }

    [Fact]
    public void DenseInputTypeOtherThanTheGraphsIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph, change: m => m.DenseInputs[0].Dtype = "float64");

        Assert.Contains("dense input 'dense' is float32 in the graph but float64 in model.json", LoadFails(bundle).Message);
    }

    [Fact]
    public void PoolingThatChangesTheGraphInputRankIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph, change: m => m.SparseFeatures[1].Pooling = "sum");

        Assert.Contains("'b.pooled' of feature 'b'", LoadFails(bundle).Message);
    }

    [Fact]
    public void InvalidManifestIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph);
        File.WriteAllText(Path.Combine(bundle.VersionPath, "model.json"), "{ \"format\": \"recserve-bundle\", \"format_version\": 7 }");

        Assert.Contains("format_version 7", LoadFails(bundle).Message);
    }

    [Fact]
    public void MissingDenseGraphIsRefused()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph);
        File.Delete(Path.Combine(bundle.VersionPath, "dense.onnx"));

        Assert.Contains("dense.onnx", LoadFails(bundle).Message);
    }

    [Fact]
    public void ManifestWinsOverAModelOnnxBesideIt()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph);
        File.Copy(FixtureModels.OnnxPath("mlp_opset13"), Path.Combine(bundle.VersionPath, "model.onnx"));

        using var model = ModelLoader.Load(bundle.VersionPath, new OnnxModelOptions());

        Assert.IsType<BundleModel>(model);
    }
}
