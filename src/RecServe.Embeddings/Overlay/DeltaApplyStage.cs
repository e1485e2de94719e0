namespace RecServe.Embeddings.Overlay;

/// <summary>Where an apply is, reported to an optional callback (the CLI prints it; crash tests kill on it).</summary>
public enum DeltaApplyStage
{
    /// <summary>The delta is valid, in sequence, and its new snapshots are about to be built aside.</summary>
    Validated,

    /// <summary>Snapshots are built; the batch is being written to the store. Nothing is durable or visible yet.</summary>
    Persisting,

    /// <summary>The batch and its seq are durable; lookups still see the previous snapshots.</summary>
    Persisted,

    /// <summary>The new snapshots are published: lookups see the delta.</summary>
    Published,
}
