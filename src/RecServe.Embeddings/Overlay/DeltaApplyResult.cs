using RecServe.Embeddings.Deltas;

namespace RecServe.Embeddings.Overlay;

/// <summary>What one <see cref="EmbeddingOverlay.Apply(DeltaFile, Action{DeltaApplyStage}?)"/> did.</summary>
/// <param name="Path">The delta file.</param>
/// <param name="Seq">Its seq.</param>
/// <param name="Applied">False when the seq was already applied and the delta was skipped (nothing changed).</param>
/// <param name="Upserts">Upsert records applied.</param>
/// <param name="Deletes">Delete records applied.</param>
/// <param name="Changes">Changed ids per table (empty when skipped).</param>
/// <param name="DenseUpdates">Dense weight replacements the delta carried, for the runtime to apply.</param>
public sealed record DeltaApplyResult(string Path, long Seq, bool Applied, long Upserts, long Deletes,
    IReadOnlyList<TableChange> Changes, IReadOnlyList<DenseWeightUpdate> DenseUpdates)
{
    internal static DeltaApplyResult Skipped(DeltaFile delta) => new(delta.Path, delta.Seq, false, 0, 0, [], []);
}
