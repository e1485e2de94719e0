using RecServe.Cli.Commands;
using RecServe.Core.Bundles;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;
using Spectre.Console;

namespace RecServe.Cli.Tests.Commands;

/// <summary><c>recserve inspect</c> on a bundle with deltas and overlay state, on a plain ONNX model, and on bad paths.</summary>
public sealed class InspectCommandTests : IDisposable
{
    private const int Dim = 8;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "recserve-inspect-cli", Guid.NewGuid().ToString("N"));
    private readonly string _bundle;

    public InspectCommandTests()
    {
        _bundle = Path.Combine(_root, "models", "ctr", "3");
        long[] ids = [.. Enumerable.Range(1, 1000).Select(i => (long)i * 31)];
        using (var writer = new EmbeddingTableWriter(Path.Combine(_bundle, "tables", "user_emb"), "user_emb", Dim, TensorDataType.Float32))
        {
            writer.AddRange(ids, new float[ids.Length * Dim]);
            writer.Complete();
        }
        BundleManifestFile.Write(_bundle, new BundleManifest
        {
            DenseInputs = [new BundleDenseInput { Name = "age", Dtype = "float32", Shape = [-1, 1] }],
            SparseFeatures = [new BundleSparseFeature { Name = "user", Table = "user_emb", Pooling = "mean", MaxIdsPerRow = 7, GraphInput = "user.pooled" }],
            Outputs = [new BundleOutput { Name = "ctr", Dtype = "float32", Shape = [-1, 1] }],
            Tables = [new BundleTable { Name = "user_emb", Path = "tables/user_emb", Dim = Dim, Dtype = "fp32", Rows = ids.Length, Tier = new BundleTier { Residency = "memory", CacheBytes = 1 << 20 } }],
        });
        for (var seq = 1; seq <= 2; seq++)
        {
            using var delta = new DeltaFileWriter(Path.Combine(_bundle, "deltas", $"{seq}.delta"), seq, [new DeltaTableSchema("user_emb", Dim, TensorDataType.Float32)]);
            for (var i = 0; i < 5 * seq; i++)
            {
                delta.Upsert(0, ids[i], new float[Dim]);
            }
            delta.Complete();
        }
    }

    [Fact]
    public void ABundleShowsItsSignatureTablesDeltasAndAppliedSeq()
    {
        var state = Path.Combine(_root, "state");
        using (var tables = RecServe.Cli.Commands.Delta.BundleTables.Open(_bundle))
        using (var overlay = EmbeddingOverlay.Open(EmbeddingOverlay.DirectoryFor(state, "ctr", 3), tables.Tables))
        {
            overlay.Apply(Path.Combine(_bundle, "deltas", "1.delta"));
        }

        var (code, output, error) = Run(Path.Combine(_root, "models", "ctr"), state);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("versions in base path: 3", output, StringComparison.Ordinal);
        Assert.Matches(@"│ user\s+│ sparse\s+│ int64\s+│ ids\s+│ user_emb\s+│ mean\s+│ 7\s+│", output);
        Assert.Matches(@"│ age\s+│ dense\s+│ float32\s+│ \[-1, 1\]", output);
        Assert.Matches(@"│ ctr\s+│ float32\s+│ \[-1, 1\]", output);
        Assert.Matches(@"│ user_emb\s+│\s+8 │ fp32\s+│\s+1,000 │ .+ │ memory\s+│\s+1\.0 MiB │ hash\s+│", output);
        Assert.Matches(@"│ 1\.delta\s+│\s+1 │\s+5 │", output);
        Assert.Matches(@"│ 2\.delta\s+│\s+2 │\s+10 │", output);
        Assert.Contains("last applied seq 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ATableOfConsecutiveIdsShowsItsDenseRangeIndex()
    {
        using (var writer = new EmbeddingTableWriter(Path.Combine(_bundle, "tables", "user_emb"), "user_emb", Dim, TensorDataType.Float32) { ReplaceExisting = true })
        {
            for (var id = 5_000L; id < 6_000; id++)
            {
                writer.Add(id, new float[Dim]);
            }
            writer.Complete();
        }

        var (code, output, error) = Run(_bundle, null);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Matches(@"│ user_emb\s+│\s+8 │ fp32\s+│\s+1,000 │ .+ │ dense range from 5,000\s+│", output);
    }

    [Fact]
    public void APlainOnnxModelShowsItsGraphInputsAndOutputs()
    {
        var (code, output, _) = Run(Path.Combine(RepositoryPaths.Root, "examples", "models", "dlrm", "1"), null);

        Assert.Equal(0, code);
        Assert.Contains("plain ONNX", output, StringComparison.Ordinal);
        Assert.Matches(@"│ dense\s+│ tensor\s+│ float32\s+│ \[-1, 13\]", output);
        Assert.Matches(@"│ probability\s+│ float32\s+│ \[-1, 1\]", output);
        Assert.DoesNotContain("tables", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "is not a folder")]
    [InlineData("empty", "holds neither model.json nor model.onnx")]
    [InlineData("corrupt", "invalid manifest")]
    public void AnUnreadablePathExitsNonZeroWithOneLine(string kind, string message)
    {
        var path = Path.Combine(_root, kind);
        if (kind != "missing")
        {
            Directory.CreateDirectory(path);
        }
        if (kind == "corrupt")
        {
            File.WriteAllText(Path.Combine(path, "model.json"), "{ not json");
        }

        var (code, output, error) = Run(path, null);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("recserve inspect: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static (int Code, string Output, string Error) Run(string path, string? stateDir)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var code = InspectCommand.Run(path, stateDir, null, console, error);
        return (code, output.ToString(), error.ToString());
    }
}
