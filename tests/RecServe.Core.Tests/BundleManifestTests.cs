using RecServe.Core.Bundles;
using Xunit;

namespace RecServe.Core.Tests;

public sealed class BundleManifestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("recserve-manifest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static BundleManifest ValidManifest() => new()
    {
        DenseInputs = [new BundleDenseInput { Name = "dense", Dtype = "float32", Shape = [-1, 13] }],
        SparseFeatures =
        [
            new BundleSparseFeature { Name = "user", Table = "users", Pooling = "mean", MaxIdsPerRow = 8, GraphInput = "user.pooled" },
            new BundleSparseFeature { Name = "item", Table = "users", Pooling = "none", MaxIdsPerRow = 1, GraphInput = "item.rows", IdsToGraph = true },
        ],
        Outputs = [new BundleOutput { Name = "probability", Dtype = "float32", Shape = [-1, 1] }],
        Tables = [new BundleTable { Name = "users", Path = "tables/users", Dim = 16, Dtype = "int8", Rows = 100 }],
    };

    [Fact]
    public void WrittenManifestReadsBackEqual()
    {
        var manifest = ValidManifest();
        manifest.Tables[0].Tier = new BundleTier { Residency = "memory", CacheBytes = 4096 };

        BundleManifestFile.Write(_folder, manifest);
        var read = BundleManifestFile.Read(_folder);

        Assert.Equal(BundleManifestFile.ToJson(manifest), BundleManifestFile.ToJson(read));
        Assert.Equal("mean", read.SparseFeatures[0].Pooling);
        Assert.True(read.SparseFeatures[1].IdsToGraph);
        Assert.Equal(4096, read.Tables[0].Tier.CacheBytes);
        Assert.Contains("\"max_ids_per_row\": 8", File.ReadAllText(Path.Combine(_folder, BundleFormat.ManifestFileName)));
    }

    [Fact]
    public void ValidManifestHasNoErrors() => Assert.Empty(BundleManifestValidator.Validate(ValidManifest()));

    public static TheoryData<string, string> BrokenManifests => new()
    {
        { "format", "format is 'x'" },
        { "version", "format_version 3 is not supported" },
        { "escaping-path", "must be relative" },
        { "unknown-table", "uses table 'nope', which is not declared" },
        { "pooling", "pooling 'max'" },
        { "max-ids", "max_ids_per_row 0" },
        { "duplicate-name", "name 'dense' is used twice" },
        { "graph-input-twice", "graph input 'dense' of sparse feature 'user' is fed twice" },
        { "table-dtype", "dtype 'bf16'" },
        { "table-dim", "dim 0" },
        { "residency", "residency 'ssd'" },
        { "dense-dtype", "has dtype 'float'" },
        { "no-outputs", "outputs is empty" },
    };

    [Theory]
    [MemberData(nameof(BrokenManifests))]
    public void BrokenManifestNamesTheProblem(string breakage, string expected)
    {
        var manifest = ValidManifest();
        switch (breakage)
        {
            case "format": manifest.Format = "x"; break;
            case "version": manifest.FormatVersion = 3; break;
            case "escaping-path": manifest.Tables[0].Path = "../elsewhere"; break;
            case "unknown-table": manifest.SparseFeatures[0].Table = "nope"; break;
            case "pooling": manifest.SparseFeatures[0].Pooling = "max"; break;
            case "max-ids": manifest.SparseFeatures[0].MaxIdsPerRow = 0; break;
            case "duplicate-name": manifest.SparseFeatures[0].Name = "dense"; break;
            case "graph-input-twice": manifest.SparseFeatures[0].GraphInput = "dense"; break;
            case "table-dtype": manifest.Tables[0].Dtype = "bf16"; break;
            case "table-dim": manifest.Tables[0].Dim = 0; break;
            case "residency": manifest.Tables[0].Tier.Residency = "ssd"; break;
            case "dense-dtype": manifest.DenseInputs[0].Dtype = "float"; break;
            case "no-outputs": manifest.Outputs.Clear(); break;
        }

        var errors = BundleManifestValidator.Validate(manifest);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => BundleManifestFile.Write(_folder, manifest));
        Assert.False(File.Exists(Path.Combine(_folder, BundleFormat.ManifestFileName)));
    }

    [Theory]
    [InlineData("{ not json", "invalid manifest")]
    [InlineData("{\"format\": \"recserve-bundle\", \"format_version\": 1, \"typo_field\": 1}", "typo_field")]
    [InlineData("{\"format\": \"recserve-bundle\", \"format_version\": 1}", "outputs is empty")]
    public void UnreadableManifestIsRefusedWithItsPath(string json, string expected)
    {
        File.WriteAllText(Path.Combine(_folder, BundleFormat.ManifestFileName), json);

        var error = Assert.Throws<BundleFormatException>(() => BundleManifestFile.Read(_folder));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(BundleFormat.ManifestFileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingManifestSaysSo()
    {
        Assert.False(BundleManifestFile.Exists(_folder));
        var error = Assert.Throws<BundleFormatException>(() => BundleManifestFile.Read(_folder));
        Assert.Contains("file is missing", error.Message, StringComparison.Ordinal);
    }
}
