using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;
using RecServe.Runtime;

namespace RecServe.Import.Tests;

/// <summary>The self-check fails an import whose bundle answers differently, and leaves nothing behind.</summary>
public sealed class SelfCheckTests : IDisposable
{
    private readonly string _scratch = ImportFixtures.TempFolder();

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void Corrupt_table_row_fails_the_import_with_the_difference()
    {
        var folder = Path.Combine(_scratch, "dlrm", "1");
        var options = new ImportOptions
        {
            LoadBundle = (bundle, onnx) =>
            {
                ShiftEveryRow(Path.Combine(bundle, "tables", "embeddings_0"), 0.5f);
                return ModelLoader.Load(bundle, onnx);
            },
        };

        var error = Assert.Throws<ImportException>(() => BundleImporter.Import(ImportFixtures.ExampleModel, folder, options));

        Assert.Matches(@"self-check failed: .* differ .* by up to \d", error.Message);
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(folder)!));
    }

    /// <summary>Rewrites a table with every value moved by <paramref name="delta"/>: a wrong rewrite, as far as outputs can tell.</summary>
    private static void ShiftEveryRow(string tableFolder, float delta)
    {
        float[] rows;
        int dim, count;
        using (var table = EmbeddingTable.Open(tableFolder))
        {
            dim = table.Dim;
            count = table.RowCount;
            rows = new float[count * dim];
            for (var i = 0; i < count; i++)
            {
                table.ReadRow(i, rows.AsSpan(i * dim, dim));
            }
        }
        using var writer = new EmbeddingTableWriter(tableFolder, Path.GetFileName(tableFolder), dim, TensorDataType.Float32) { ReplaceExisting = true };
        for (var i = 0; i < count; i++)
        {
            var row = rows.AsSpan(i * dim, dim);
            foreach (ref var v in row)
            {
                v += delta;
            }
            writer.Add(i, row);
        }
        writer.Complete();
    }
}
