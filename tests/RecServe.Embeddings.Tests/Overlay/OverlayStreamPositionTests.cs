using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Overlay;

/// <summary>The delta stream position lives in the overlay, committed with the rows of the delta that moved it.</summary>
public sealed class OverlayStreamPositionTests : IDisposable
{
    private const int Dim = 4;
    private readonly TestTables _files = new();
    private readonly TableData _data;
    private readonly string _state;

    public OverlayStreamPositionTests()
    {
        _data = _files.Write(50, Dim, TensorDataType.Float32, name: "base");
        _state = Path.Combine(_files.Root, "state", "overlay");
    }

    private DeltaFile Delta(long seq, float value)
    {
        var path = Path.Combine(_files.Root, "deltas", DeltaFormat.FileName(seq));
        using (var writer = new DeltaFileWriter(path, seq, [new DeltaTableSchema("test", Dim, TensorDataType.Float32)]))
        {
            writer.Upsert(0, _data.Ids[0], Enumerable.Repeat(value, Dim).ToArray());
            writer.Complete();
        }
        return DeltaFile.Open(path);
    }

    private float FirstValue(EmbeddingTable table)
    {
        var row = new float[Dim];
        table.ReadRowOrDefault(_data.Ids[0], row);
        return row[0];
    }

    [Fact]
    public void ThePositionIsCommittedWithTheDeltaAndSurvivesAReopen()
    {
        using (var table = EmbeddingTable.Open(_data.Folder))
        using (var overlay = EmbeddingOverlay.Open(_state, [table]))
        {
            Assert.Null(overlay.StreamPosition);
            Assert.True(overlay.Apply(Delta(1, 3f), "10-0 stream").Applied);
            Assert.Equal("10-0 stream", overlay.StreamPosition);
        }
        using (var table = EmbeddingTable.Open(_data.Folder))
        using (var overlay = EmbeddingOverlay.Open(_state, [table]))
        {
            Assert.Equal(1, overlay.LastAppliedSeq);
            Assert.Equal("10-0 stream", overlay.StreamPosition);
            Assert.Equal(3f, FirstValue(table));
        }
    }

    [Fact]
    public void ASkippedDeltaMovesThePositionAloneAndARefusedOneMovesNothing()
    {
        using var table = EmbeddingTable.Open(_data.Folder);
        using var overlay = EmbeddingOverlay.Open(_state, [table]);
        overlay.Apply(Delta(1, 3f), "10-0 s");

        var skipped = overlay.Apply(Delta(1, 5f), "11-0 s");
        Assert.False(skipped.Applied);
        Assert.Equal("11-0 s", overlay.StreamPosition);
        Assert.Equal(3f, FirstValue(table));

        Assert.Throws<DeltaSequenceException>(() => overlay.Apply(Delta(3, 7f), "12-0 s"));
        Assert.Equal("11-0 s", overlay.StreamPosition);
        Assert.Equal(1, overlay.LastAppliedSeq);

        overlay.RecordStreamPosition("13-0 s");
        Assert.Equal("13-0 s", overlay.StreamPosition);
    }

    public void Dispose() => _files.Dispose();
}
