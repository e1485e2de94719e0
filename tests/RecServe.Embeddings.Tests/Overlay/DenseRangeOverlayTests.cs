using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Overlay;

/// <summary>Deltas over a dense key-range table: the overlay serves ids outside the range as it does for any table.</summary>
public sealed class DenseRangeOverlayTests : IDisposable
{
    private const int Dim = 4;
    private const long FirstId = 100;
    private const int Rows = 50;
    private readonly TestTables _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ADeltaAddingIdsOutsideTheRangeIsServedAndADeletedIdInsideItMisses()
    {
        var data = _files.WriteIds(TestTables.Consecutive(FirstId, Rows), Dim, TensorDataType.Float32, name: "base");
        using var table = EmbeddingTable.Open(data.Folder);
        Assert.Equal(TableIndexKind.DenseRange, table.IndexKind);
        using var overlay = EmbeddingOverlay.Open(Path.Combine(_files.Root, "state"), [table]);
        long below = FirstId - 1, above = FirstId + Rows, far = 1L << 40;

        var path = Path.Combine(_files.Root, DeltaFormat.FileName(1));
        using (var writer = new DeltaFileWriter(path, 1, [new DeltaTableSchema("test", Dim, TensorDataType.Float32)]))
        {
            writer.Upsert(0, below, [1f, 1, 1, 1]);
            writer.Upsert(0, above, [2f, 2, 2, 2]);
            writer.Upsert(0, far, [3f, 3, 3, 3]);
            writer.Upsert(0, FirstId + 1, [4f, 4, 4, 4]);
            writer.Delete(0, FirstId + 2);
            writer.Complete();
        }
        Assert.True(overlay.Apply(path).Applied);

        long[] ids = [below, above, far, FirstId + 1, FirstId + 2, FirstId + 3, above + 1];
        var output = new float[ids.Length * Dim];
        var stats = EmbeddingPooling.Pool(table, ids, 1, PoolingMode.Sum, output);

        Assert.Equal(ids.Length, stats.Lookups);
        Assert.Equal(2, stats.Misses); // the deleted id and above + 1
        Assert.Equal([1f, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 0, 0, 0, 0], output[..(5 * Dim)]);
        Assert.Equal(data.Row(3).ToArray(), output[(5 * Dim)..(6 * Dim)]);
        Assert.Equal(new float[Dim], output[(6 * Dim)..]);

        var rows = new float[ids.Length * Dim];
        var found = new bool[ids.Length];
        Assert.Equal(5, RowGather.Gather(table, ids, rows, found));
        Assert.Equal([true, true, true, true, false, true, false], found);
        Assert.Equal(3f, rows[2 * Dim]);
        Assert.False(table.TryGetRow(far, out _));
    }
}
