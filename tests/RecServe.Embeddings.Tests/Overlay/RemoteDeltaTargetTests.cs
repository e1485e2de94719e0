using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Overlay;

/// <summary>
/// Tables whose rows live outside the process take part in the overlay's applies through <see cref="IRemoteDeltaTarget"/>:
/// handed every delta before the commit, so that a remote store that cannot take it leaves nothing applied.
/// </summary>
public sealed class RemoteDeltaTargetTests : IDisposable
{
    private const int Dim = 4;
    private readonly TestTables _files = new();
    private readonly TableData _data;
    private readonly string _state;

    public RemoteDeltaTargetTests()
    {
        _data = _files.Write(50, Dim, TensorDataType.Float32, name: "base");
        _state = Path.Combine(_files.Root, "state", "overlay");
    }

    /// <summary>Records the deltas it is handed; throws <see cref="DeltaTargetUnavailableException"/> while <see cref="Down"/>.</summary>
    private sealed class RecordingTarget : IRemoteDeltaTarget
    {
        public IReadOnlyList<DeltaTableSchema> Schemas { get; } = [new DeltaTableSchema("remote", 2, TensorDataType.Float32)];

        public List<long> Applied { get; } = [];

        public bool Down { get; set; }

        public void Apply(DeltaFile delta)
        {
            if (Down)
            {
                throw new DeltaTargetUnavailableException(delta.Path, "the store is down");
            }
            Applied.Add(delta.Seq);
        }
    }

    private string WriteDelta(long seq, bool touchLocal, bool touchRemote)
    {
        var path = Path.Combine(_files.Root, "deltas", DeltaFormat.FileName(seq));
        using var writer = new DeltaFileWriter(path, seq,
            [new DeltaTableSchema("test", Dim, TensorDataType.Float32), new DeltaTableSchema("remote", 2, TensorDataType.Float32)]);
        if (touchLocal)
        {
            writer.Upsert(0, _data.Ids[0], [seq, seq, seq, seq]);
        }
        if (touchRemote)
        {
            writer.Upsert(1, 77, [seq, seq]);
            writer.Delete(1, 78);
        }
        writer.Complete();
        return path;
    }

    [Fact]
    public void EveryDeltaReachesTheRemoteTargetAndReportsItsChangedIds()
    {
        var remote = new RecordingTarget();
        using var table = EmbeddingTable.Open(_data.Folder);
        using var overlay = EmbeddingOverlay.Open(_state, [table], remote);

        var first = overlay.Apply(WriteDelta(1, touchLocal: true, touchRemote: true));
        overlay.Apply(WriteDelta(2, touchLocal: true, touchRemote: false));

        // Delta 2 does not touch the remote table, yet reaches it: its seq must advance in step.
        Assert.Equal([1L, 2], remote.Applied);
        Assert.Equal([77L, 78], first.Changes.Single(c => c.Table == "remote").Ids);
        Assert.Equal([_data.Ids[0]], first.Changes.Single(c => c.Table == "test").Ids);
        var row = new float[Dim];
        Assert.True(table.ReadRowOrDefault(_data.Ids[0], row));
        Assert.Equal([2f, 2, 2, 2], row);
    }

    [Fact]
    public void AnUnavailableTargetLeavesNothingAppliedAndALaterApplySucceeds()
    {
        var remote = new RecordingTarget { Down = true };
        using var table = EmbeddingTable.Open(_data.Folder);
        var path = WriteDelta(1, touchLocal: true, touchRemote: true);
        using (var overlay = EmbeddingOverlay.Open(_state, [table], remote))
        {
            Assert.Throws<DeltaTargetUnavailableException>(() => overlay.Apply(path));
            Assert.Equal(0, overlay.LastAppliedSeq);
            var row = new float[Dim];
            table.ReadRowOrDefault(_data.Ids[0], row);
            Assert.Equal(_data.Row(0).ToArray(), row);

            remote.Down = false;
            Assert.True(overlay.Apply(path).Applied);
            Assert.Equal(1, overlay.LastAppliedSeq);
        }

        // Reopened with the remote table: the logged delta, remote records included, replays.
        using var reopened = EmbeddingOverlay.Open(_state, [table], remote);
        Assert.Equal(1, reopened.LastAppliedSeq);
        Assert.False(reopened.Apply(path).Applied);
        Assert.Equal([1L], remote.Applied);
    }

    public void Dispose() => _files.Dispose();
}
