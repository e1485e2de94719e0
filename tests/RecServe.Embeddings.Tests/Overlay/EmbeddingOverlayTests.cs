using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Overlay;

public sealed class EmbeddingOverlayTests : IDisposable
{
    private const int Dim = 4;
    private readonly TestTables _files = new();
    private readonly TableData _data;
    private readonly string _state;

    public EmbeddingOverlayTests()
    {
        _data = _files.Write(200, Dim, TensorDataType.Float32, name: "base");
        _state = Path.Combine(_files.Root, "state", "overlay");
    }

    private EmbeddingTable OpenTable() => EmbeddingTable.Open(_data.Folder);

    /// <summary>A delta setting every id of <paramref name="upserts"/> to a row of <paramref name="value"/>, and deleting <paramref name="deletes"/>.</summary>
    private string WriteDelta(long seq, IEnumerable<long> upserts, float value, IEnumerable<long>? deletes = null, string? name = null)
    {
        var path = Path.Combine(_files.Root, "deltas", name ?? DeltaFormat.FileName(seq));
        using var writer = new DeltaFileWriter(path, seq, [new DeltaTableSchema("test", Dim, TensorDataType.Float32)]);
        var row = new float[Dim];
        row.AsSpan().Fill(value);
        foreach (var id in upserts)
        {
            writer.Upsert(0, id, row);
        }
        foreach (var id in deletes ?? [])
        {
            writer.Delete(0, id);
        }
        writer.Complete();
        return path;
    }

    private static float[] Lookup(EmbeddingTable table, long id, out PoolingStats stats)
    {
        var output = new float[Dim];
        stats = EmbeddingPooling.Pool(table, [id], 1, PoolingMode.Sum, output);
        return output;
    }

    [Fact]
    public void UpsertsAndDeletesChangeEveryLookupPath()
    {
        using var table = OpenTable();
        using var overlay = EmbeddingOverlay.Open(_state, [table]);
        const long newId = 1234567;
        var result = overlay.Apply(WriteDelta(1, [_data.Ids[0], newId], 9f, deletes: [_data.Ids[1]]));

        Assert.True(result.Applied);
        Assert.Equal([_data.Ids[0], newId, _data.Ids[1]], Assert.Single(result.Changes).Ids);
        Assert.Equal([9f, 9, 9, 9], Lookup(table, _data.Ids[0], out var hit));
        Assert.Equal(0, hit.Misses);
        Assert.Equal([9f, 9, 9, 9], Lookup(table, newId, out var inserted));
        Assert.Equal(0, inserted.Misses);
        Assert.Equal(new float[Dim], Lookup(table, _data.Ids[1], out var deleted));
        Assert.Equal(1, deleted.Misses);
        Assert.Equal(_data.Row(2).ToArray(), Lookup(table, _data.Ids[2], out _));

        var rows = new float[3 * Dim];
        var found = new bool[3];
        Assert.Equal(2, RowGather.Gather(table, [_data.Ids[0], _data.Ids[1], _data.Ids[2]], rows, found));
        Assert.Equal([true, false, true], found);
        Assert.Equal(9f, rows[0]);
        var single = new float[Dim];
        Assert.False(table.ReadRowOrDefault(_data.Ids[1], single));
        Assert.True(table.ReadRowOrDefault(newId, single));
        Assert.Equal(9f, single[3]);
    }

    [Fact]
    public void DeltasApplyInOrderExactlyOnceAcrossRestarts()
    {
        var ids = _data.Ids[..10];
        using (var table = OpenTable())
        using (var overlay = EmbeddingOverlay.Open(_state, [table]))
        {
            Assert.True(overlay.Apply(WriteDelta(1, ids, 1f)).Applied);
            Assert.False(overlay.Apply(WriteDelta(1, ids, 100f, name: "again.delta")).Applied);
            var gap = Assert.Throws<DeltaSequenceException>(() => overlay.Apply(WriteDelta(3, ids, 3f)));
            Assert.Equal(1, gap.LastApplied);
            Assert.Equal(1, overlay.LastAppliedSeq);
            Assert.Equal([1f, 1, 1, 1], Lookup(table, ids[0], out _));
            Assert.True(overlay.Apply(WriteDelta(2, ids, 2f)).Applied);
        }

        using (var table = OpenTable())
        using (var overlay = EmbeddingOverlay.Open(_state, [table]))
        {
            Assert.Equal(2, overlay.LastAppliedSeq);
            Assert.Equal([2f, 2, 2, 2], Lookup(table, ids[9], out _));
            Assert.False(overlay.Apply(WriteDelta(2, ids, 200f, name: "replay.delta")).Applied);
            Assert.Equal([2f, 2, 2, 2], Lookup(table, ids[9], out _));
            // 3.delta is waiting in the folder; 5 must wait for 4.
            WriteDelta(5, ids, 5f);
            var applied = overlay.ApplyPending(Path.Combine(_files.Root, "deltas"));
            Assert.Equal([3L], applied.Select(r => r.Seq));
            Assert.Equal([3f, 3, 3, 3], Lookup(table, ids[9], out _));
            WriteDelta(4, ids, 4f);
            Assert.Equal([4L, 5L], overlay.ApplyPending(Path.Combine(_files.Root, "deltas")).Select(r => r.Seq));
        }

        using (var table = OpenTable())
        using (var overlay = EmbeddingOverlay.Open(_state, [table]))
        {
            Assert.Equal(5, overlay.LastAppliedSeq);
            Assert.Equal([5f, 5, 5, 5], Lookup(table, ids[0], out _));
            Assert.Equal(10, overlay.ChangedIdCount("test"));
        }
    }

    [Fact]
    public void DeletesSurviveARestartAndAReinsert()
    {
        var id = _data.Ids[5];
        using (var table = OpenTable())
        using (var overlay = EmbeddingOverlay.Open(_state, [table]))
        {
            overlay.Apply(WriteDelta(1, [], 0f, deletes: [id]));
        }
        using (var table = OpenTable())
        using (var overlay = EmbeddingOverlay.Open(_state, [table]))
        {
            Assert.Equal(new float[Dim], Lookup(table, id, out var stats));
            Assert.Equal(1, stats.Misses);
            overlay.Apply(WriteDelta(2, [id], 7f));
            Assert.Equal([7f, 7, 7, 7], Lookup(table, id, out _));
        }
    }

    [Fact]
    public void ARefusedDeltaChangesNothing()
    {
        using var table = OpenTable();
        using var overlay = EmbeddingOverlay.Open(_state, [table]);
        overlay.Apply(WriteDelta(1, [_data.Ids[0]], 1f));
        var path = WriteDelta(2, [_data.Ids[0], _data.Ids[1]], 2f, deletes: [_data.Ids[2]]);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.Throws<DeltaFormatException>(() => overlay.Apply(path));

        Assert.Equal(1, overlay.LastAppliedSeq);
        Assert.Equal([1f, 1, 1, 1], Lookup(table, _data.Ids[0], out _));
        Assert.Equal(_data.Row(1).ToArray(), Lookup(table, _data.Ids[1], out _));
        Assert.Equal(_data.Row(2).ToArray(), Lookup(table, _data.Ids[2], out _));
    }

    [Fact]
    public void AStoreMadeForAnotherDimIsRefused()
    {
        using (var table = OpenTable())
        using (EmbeddingOverlay.Open(_state, [table]))
        {
        }
        var other = _files.Write(10, Dim + 1, TensorDataType.Float32, name: "wide");
        using var wide = EmbeddingTable.Open(other.Folder);
        Assert.Throws<InvalidOperationException>(() => EmbeddingOverlay.Open(_state, [wide]));
    }

    [Fact]
    public async Task ConcurrentReadersNeverSeeATornRowOrGoBackInTime()
    {
        var ids = _data.Ids;
        const int Deltas = 30;
        for (var seq = 1; seq <= Deltas; seq++)
        {
            WriteDelta(seq, ids, seq);
        }
        // Base rows are uniform too (all zeros, "version 0"), so every row a reader sees can be checked.
        var folder = Path.Combine(_files.Root, "uniform");
        using (var writer = new EmbeddingTableWriter(folder, "test", Dim, TensorDataType.Float32))
        {
            writer.AddRange(ids, new float[ids.Length * Dim]);
            writer.Complete();
        }
        using var table = EmbeddingTable.Open(folder);
        using var overlay = EmbeddingOverlay.Open(_state, [table]);
        var done = 0;
        var failures = new List<string>();
        var reads = new long[2];
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var output = new float[ids.Length * Dim];
            var last = 0f;
            while (Volatile.Read(ref done) == 0 || reads[r] == 0)
            {
                EmbeddingPooling.Pool(table, ids, 1, PoolingMode.None, output);
                reads[r]++;
                var version = output[0];
                for (var i = 0; i < ids.Length; i++)
                {
                    var value = output[i * Dim];
                    for (var d = 1; d < Dim; d++)
                    {
                        if (output[i * Dim + d] != value)
                        {
                            lock (failures)
                            {
                                failures.Add($"row {i} is torn: {string.Join(", ", output.AsSpan(i * Dim, Dim).ToArray())}");
                            }
                            return;
                        }
                    }
                    // Within one batch every row comes from one overlay version.
                    if (value != version)
                    {
                        lock (failures)
                        {
                            failures.Add($"rows of versions {version} and {value} in one batch");
                        }
                        return;
                    }
                }
                if (version < last)
                {
                    lock (failures)
                    {
                        failures.Add($"went back from version {last} to {version}");
                    }
                    return;
                }
                last = Math.Max(last, version);
            }
        })).ToArray();
        for (var seq = 1; seq <= Deltas; seq++)
        {
            overlay.Apply(Path.Combine(_files.Root, "deltas", DeltaFormat.FileName(seq)));
        }
        Volatile.Write(ref done, 1);
        await Task.WhenAll(readers);

        Assert.True(failures.Count == 0, string.Join("; ", failures));
        Assert.All(reads, count => Assert.True(count > 0));
        Assert.Equal([30f, 30, 30, 30], Lookup(table, ids[^1], out _));
    }

    public void Dispose() => _files.Dispose();
}
