using RecServe.Embeddings.Deltas;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// Tables of a model version whose rows live outside this process (a Redis Cluster copy shared by every replica).
/// The overlay hands it each delta before committing its own part, so that a delta reaches those tables through the
/// same apply path, whatever source (file or stream) brought it. The seam lives here so that the storage engine keeps
/// no network client; RecServe.Embeddings.Redis implements it.
/// </summary>
public interface IRemoteDeltaTarget
{
    /// <summary>The remote tables' names and encodings; deltas are checked against them as against local tables.</summary>
    IReadOnlyList<DeltaTableSchema> Schemas { get; }

    /// <summary>
    /// Brings the remote copies up to <paramref name="delta"/>'s seq: writes its records for the remote tables, or does
    /// nothing when the copies already hold it (another replica wrote it). Must be safe to repeat.
    /// </summary>
    /// <exception cref="DeltaTargetUnavailableException">The remote store could not take the delta now; retry later.</exception>
    /// <exception cref="DeltaSequenceException">A remote copy lacks the delta's predecessor.</exception>
    void Apply(DeltaFile delta);
}
